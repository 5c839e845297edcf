"""The test deployment: its names, the command line, and cleaning up by prefix."""

import json
import os
import re
import secrets
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import docker
import requests
from docker.errors import APIError, NotFound

# `make integration` runs the platform's tests in two pytest-xdist workers, each with
# a platform of its own: its prefix, port and subnet follow the worker's number.
WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:])
PREFIX = os.environ.get("MYDOCKER_TEST_PREFIX", "mydtest" + (str(WORKER) if WORKER else ""))
PORT = int(os.environ.get("MYDOCKER_TEST_PORT", str(18000 + WORKER)))
# Out of the subnets that test_deploy_commands uses beside it (10.215 and 10.216).
SUBNET = os.environ.get("MYDOCKER_TEST_SUBNET", f"10.{214 + 6 * WORKER}.0.0/16")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.path.join(os.path.dirname(sys.executable), "mydocker-hub")
IMAGE = "mydocker/jupyterlab:0.1.0"
EXITING_IMAGE = "mydtest/exits:1"
ROOT_IMAGE = "mydtest/root:1"  # an image with no USER line (built by its test)
NAMED_ROOT_IMAGE = "mydtest/named-root:1"  # USER admin, a name with uid 0 (built by its test)
# An LMS the test platform trusts (the secret is made for the session).
LTI11_KEY, LTI11_SECRET = "moodle-e2e", secrets.token_urlsafe(24)
LMS_ORIGIN = "https://moodle.example.org"  # may show the hub and the servers in a frame
REGISTRY = "127.0.0.1:15000"  # a registry the image-pull tests run (Debian's docker-registry)

# The environments of the test platform (MYDOCKER_ENVIRONMENTS).
TEST_ENVIRONMENTS = [
    {"name": "jupyterlab", "image": IMAGE, "public": True},
    {
        "name": "limited",
        "image": IMAGE,
        "public": True,
        "cpu_limit": 0.5,
        "mem_limit": "512M",
        "pids_limit": 256,
        "work_volume": True,
    },
    {"name": "nowhere", "image": IMAGE, "public": True, "compute_type": "no-such-kind"},
    {"name": "gpu", "image": IMAGE, "public": True, "gpus": 1},
    {"name": "private", "image": IMAGE},
    # An image whose command is no Jupyter server: it exits after 2 s (built by its test).
    {"name": "broken", "image": EXITING_IMAGE, "public": True},
    {"name": "as-root", "image": ROOT_IMAGE, "public": True},
    {"name": "as-named-root", "image": NAMED_ROOT_IMAGE, "public": True},
    {"name": "quota", "image": IMAGE, "public": True, "disk_quota": "20M", "work_volume": True},
    {"name": "pulled", "image": f"{REGISTRY}/mydtest/pulled:1", "public": True},
    {"name": "unpublished", "image": f"{REGISTRY}/mydtest/absent:1", "public": True},
    {
        "name": "later",
        "image": IMAGE,
        "public": True,
        "sessions": [
            {"start": "2099-01-05T14:00", "end": "2099-01-05T16:00", "block_before_start": True}
        ],
    },
]


@dataclass
class Platform:
    url: str
    prefix: str
    admin_password: str
    env: dict = field(repr=False, default_factory=dict)

    def cli(self, *args, check=True, env=None):
        result = subprocess.run(
            [CLI, *args], env=env or self.env, cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        if check and result.returncode != 0:
            raise AssertionError(f"mydocker-hub {' '.join(args)} failed: {result.stderr}")
        return result

    def up(self, **extra_env):
        """`mydocker-hub up` again, with more settings (the hub is replaced when they change)."""
        self.env.update(extra_env)
        return self.cli("up")

    def add_user(self, name, role="student"):
        out = self.cli("add-user", name, "--role", role).stdout
        return re.search(r"^password: (\S+)$", out, re.M).group(1)

    def admin_api(self):
        session = requests.Session()
        session.headers["Authorization"] = f"token {self.cli('token').stdout.strip()}"
        return session


def docker_client():
    return docker.from_env(version="auto", timeout=120)


def services_named(client, prefix):
    """The Swarm services named after `prefix`: none while the engine is in no Swarm
    (a fresh machine, before the first `up`)."""
    if client.info()["Swarm"]["LocalNodeState"] != "active":
        return []
    return [s for s in client.services.list() if s.name.startswith(f"{prefix}-")]


def remove_everything(prefix):
    """Remove the services, containers, volumes and network named after `prefix`."""
    client = docker_client()
    for service in services_named(client, prefix):
        service.remove()
    for container in client.containers.list(
        all=True, ignore_removed=True
    ):  # a task's may go with its service
        if container.name.startswith(f"{prefix}-"):
            try:
                container.remove(force=True)
            except NotFound:  # a task's container, removed with its service meanwhile
                pass
            except APIError as e:
                if "already in progress" not in str(e):  # being removed with its service
                    raise
    deadline = time.monotonic() + 60
    for volume in client.volumes.list():
        if not volume.name.startswith(f"{prefix}-"):
            continue
        while True:  # a task's container may still hold it for a moment
            try:
                volume.remove(force=True)
                break
            except NotFound:
                break
            except APIError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
    network_deadline = time.monotonic() + 20
    error = "its removal did not end"

    def networks():  # Docker's name filter matches a part of the name: keep the exact one
        return [n for n in client.networks.list(names=[prefix]) if n.name == prefix]

    while networks():  # removal of an overlay takes a moment
        for network in networks():
            try:
                network.remove()
            except APIError as e:
                error = e.explanation
        if time.monotonic() > network_deadline:
            # Docker may keep a removed container's attachment to an attachable overlay
            # ("in use by task ..."). The network is only reused by the next `up` (same
            # name and subnet): say so, and go on.
            print(f"(network {prefix} could not be removed: {error})", file=sys.stderr)
            break
        time.sleep(0.5)


def platform_logs(prefix, lines=200):
    """The last `lines` of the hub's log and of each of its services' logs."""
    client = docker_client()
    parts = []
    for container in client.containers.list(all=True, ignore_removed=True):
        if container.name == f"{prefix}-hub":
            parts.append(f"===== logs of {container.name} =====")
            parts.append(container.logs(tail=lines).decode(errors="replace"))
    for service in services_named(client, prefix):
        parts.append(f"===== logs of service {service.name} =====")
        chunks = service.logs(stdout=True, stderr=True, tail=lines)
        parts.append(b"".join(chunks).decode(errors="replace"))
    return "\n".join(parts)


def service_name(prefix, user, server=""):
    """The service of a user's server ("" for the default server); see swarm/names.py."""
    name = f"{prefix}-{user.replace('-', '-2D')}"
    return f"{name}--{server.replace('-', '-2D')}" if server else name


def running_task(name):
    tasks = docker_client().api.tasks(filters={"service": name, "desired-state": "running"})
    assert tasks, f"service {name} has no running task"
    return tasks[0]


def task_container(name):
    """The container of the running task of service `name`."""
    task = running_task(name)
    return docker_client().containers.get(task["Status"]["ContainerStatus"]["ContainerID"])


def run_in(container, command, user="1000"):
    """Run a shell command in a server's container; return (exit code, output)."""
    result = container.exec_run(["sh", "-c", command], user=user)
    return result.exit_code, result.output.decode(errors="replace").strip()


def wait_until_gone(name, timeout=60):
    client = docker_client()
    deadline = time.monotonic() + timeout
    while any(s.name == name for s in client.services.list(filters={"name": name})):
        assert time.monotonic() < deadline, f"service {name} still exists after {timeout} s"
        time.sleep(0.5)


# Driving servers through the hub's REST API with an admin token.


def create_user(platform, api, name):
    response = api.post(f"{platform.url}/hub/api/users/{name}")
    assert response.status_code in (201, 409), response.text


def server_api(platform, user, environment):
    """The REST API of a user's server: named after its environment, or "" for the default."""
    server = f"servers/{environment}" if environment else "server"
    return f"{platform.url}/hub/api/users/{user}/{server}"


def start(platform, api, user, environment, **options):
    create_user(platform, api, user)
    return api.post(server_api(platform, user, environment), json=options or None)


def progress(platform, api, user, environment):
    events = []
    url = f"{server_api(platform, user, environment)}/progress"
    with api.get(url, stream=True, timeout=300) as response:
        assert response.status_code == 200, response.text
        for line in response.iter_lines(decode_unicode=True):
            if line.startswith("data:"):
                events.append(json.loads(line[5:]))
                if events[-1].get("ready") or events[-1].get("failed"):
                    break
    return events


def stop(platform, api, user, environment):
    response = api.delete(server_api(platform, user, environment))
    assert response.status_code in (202, 204), response.text
    wait_until_gone(service_name(platform.prefix, user, environment))


def server_answers(platform, api, user, environment, within=20):
    """Whether the server's /api answers through the proxy (retrying for `within` s)."""
    deadline = time.monotonic() + within
    while True:
        try:
            server = f"{environment}/" if environment else ""
            response = api.get(f"{platform.url}/user/{user}/{server}api", timeout=5)
            if response.status_code == 200 and "version" in response.json():
                return True
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            return False
        time.sleep(1)


def start_ready(platform, api, user, environment):
    """Start a server, follow its progress as it happens; return the events once ready."""
    with ThreadPoolExecutor(1) as pool:
        request = pool.submit(start, platform, api, user, environment)
        wait_until_started(platform, api, user, environment, request)
        events = progress(platform, api, user, environment)
        response = request.result()
    assert response.status_code in (201, 202), response.text
    assert events[-1].get("ready"), events
    return events


def wait_until_started(platform, api, user, environment, request, timeout=30):
    """Until the hub has the start of `request` (pending or ready), or it was answered:
    the progress stream of a server the hub does not start yet ends at once."""
    deadline = time.monotonic() + timeout
    while not request.done():
        response = api.get(f"{platform.url}/hub/api/users/{user}")
        if response.status_code == 200:
            server = response.json()["servers"].get(environment or "")
            if server and (server["pending"] or server["ready"]):
                return
        assert time.monotonic() < deadline, f"the hub did not start {user}'s {environment!r}"
        time.sleep(0.05)


def wait_for_http(url, what, timeout=90):
    """Wait until `url` answers 200."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        assert time.monotonic() < deadline, f"{what} did not answer in {timeout} s"
        time.sleep(0.3)

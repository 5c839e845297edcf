"""The hub's container: on the overlay network, its data on a named volume,
behind the proxy's container (`proxy`), which publishes the platform's port."""

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass, field

import requests
from docker.errors import APIError, NotFound

from . import DeployError, file_archive, trust
from .images import HUB_IMAGE
from .swarm import address_plan

CONFIG_PATH = "/etc/mydocker/jupyterhub_config.py"
SPEC_LABEL = "mydocker.spec-hash"
# The hub (and the proxy in front of it) must stay responsive while a class's
# servers start around them. Their weight counts against all the servers
# together (4096 against 50 busy servers is 7% of the CPU): the highest, which
# they rarely use.
PLATFORM_CPU_SHARES = 262144
# How the hub's container runs, besides its image and settings.
HUB_RUN_OPTIONS = {
    "cpu_shares": PLATFORM_CPU_SHARES,
    # A log line must never stall the hub while Docker is busy; the files
    # rotate so that a term of logs does not fill the disk.
    "log_config": {
        "Type": "json-file",
        "Config": {
            "mode": "non-blocking",
            "max-buffer-size": "4m",
            "max-size": "50m",
            "max-file": "5",
        },
    },
}
# Settings of the command line itself, not passed to the hub.
HOST_ONLY = {"MYDOCKER_PORT", "MYDOCKER_BIND", "MYDOCKER_SUBNET", "MYDOCKER_CONFIG", trust.VARIABLE}


@dataclass
class Instance:
    """One deployment on this machine, told apart from others by its prefix."""

    prefix: str = "mydocker"
    port: int = 8000
    bind: str = "127.0.0.1"
    subnet: str = "10.213.0.0/16"
    config_file: str = ""  # jupyterhub_config.py to apply; default: the source tree's
    ca_file: str = ""  # MYDOCKER_CA_FILE: more CAs (PEM) for the hub's outgoing TLS
    settings: dict = field(default_factory=dict)  # MYDOCKER_* passed to the hub

    @classmethod
    def from_env(cls, environ):
        prefix = environ.get("MYDOCKER_PREFIX", "mydocker")
        try:
            port = int(environ.get("MYDOCKER_PORT", "8000"))
        except ValueError:
            raise DeployError(
                f"MYDOCKER_PORT must be a port number, not {environ['MYDOCKER_PORT']!r}"
            ) from None
        settings = {
            key: value
            for key, value in environ.items()
            if key.startswith("MYDOCKER_") and key not in HOST_ONLY
        }
        return cls(
            prefix=prefix,
            port=port,
            bind=environ.get("MYDOCKER_BIND", "127.0.0.1"),
            subnet=environ.get("MYDOCKER_SUBNET", cls.subnet),
            config_file=environ.get("MYDOCKER_CONFIG", ""),
            ca_file=environ.get(trust.VARIABLE, ""),
            settings=settings,
        )

    @property
    def container(self):
        return f"{self.prefix}-hub"

    @property
    def network(self):
        return self.settings.get("MYDOCKER_NETWORK", self.prefix)

    @property
    def data_volume(self):
        return f"{self.prefix}-hub-data"

    @property
    def hub_ip(self):
        return address_plan(self.subnet)[0]

    @property
    def url(self):
        host = "127.0.0.1" if self.bind in ("0.0.0.0", "") else self.bind
        return f"http://{host}:{self.port}"

    def hub_environment(self):
        env = dict(self.settings)
        env.update(
            MYDOCKER_PREFIX=self.prefix,
            MYDOCKER_NETWORK=self.network,
            MYDOCKER_HUB_HOST=self.hub_ip,
        )
        # The address students use (https://... behind a TLS proxy) when the
        # admin gives one; else the local one.
        env.setdefault("MYDOCKER_PUBLIC_URL", self.url)
        if self.ca_file:
            env.update(trust.environment())  # the bundle `create` puts in (deploy/trust.py)
        return env


def hub_environment(instance, proxy_token):
    """The hub container's environment: the settings, and how to reach the proxy's API."""
    from .proxy import TOKEN_VARIABLE, api_url

    return {
        **instance.hub_environment(),
        "MYDOCKER_PROXY_API_URL": api_url(instance),
        TOKEN_VARIABLE: proxy_token,
    }


def read_config(instance, root):
    path = instance.config_file or os.path.join(root, "jupyterhub_config.py")
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise DeployError(f"cannot read the hub's configuration {path}: {e.strerror}") from None


def read_ca(instance):
    """The checked certificates of MYDOCKER_CA_FILE, or b"" without it."""
    return trust.read_ca_file(instance.ca_file) if instance.ca_file else b""


def spec_hash(image_id, environment, config, extra_ca=b"", cgroup_parent=None):
    # No group (the systemd driver): the hash, and so the running hub, stay as they were.
    options = [HUB_RUN_OPTIONS] + ([cgroup_parent] if cgroup_parent else [])
    data = json.dumps([image_id, environment, *options], sort_keys=True).encode()
    return hashlib.sha256(data + config + extra_ca).hexdigest()[:16]


def get_container(client, instance):
    return container_named(client, instance.container)


def remove_if_publishing(client, instance, say):
    """Remove a hub container of the layout before the proxy's own container.

    That hub published the platform's port itself: the proxy could not take it.
    Its servers keep running; the new hub finds them again.
    """
    container = get_container(client, instance)
    if container is None or not container.attrs["HostConfig"].get("PortBindings"):
        return False
    say(f"Removing the hub container {instance.container}: the proxy now publishes the port")
    container.remove(force=True)
    return True


def container_named(client, name):
    try:
        return client.containers.get(name)
    except NotFound:
        return None


def create(client, instance, config, wanted_hash, environment, cgroup_parent=None):
    try:
        container = client.containers.create(
            HUB_IMAGE,
            name=instance.container,
            hostname=instance.container,
            network=instance.network,
            networking_config={
                instance.network: client.api.create_endpoint_config(ipv4_address=instance.hub_ip)
            },
            volumes={
                instance.data_volume: {"bind": "/srv/jupyterhub", "mode": "rw"},
                # The hub (and only the hub) drives Docker to run the servers.
                "/var/run/docker.sock": {"bind": "/var/run/docker.sock", "mode": "rw"},
            },
            environment=environment,
            labels={SPEC_LABEL: wanted_hash, "mydocker.instance": instance.prefix},
            restart_policy={"Name": "unless-stopped"},
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            **HUB_RUN_OPTIONS,
            cgroup_parent=cgroup_parent,  # None: where Docker puts containers
        )
    except APIError as e:
        raise DeployError(f"could not create the hub container: {e.explanation}") from None
    container.put_archive(
        os.path.dirname(CONFIG_PATH), file_archive(os.path.basename(CONFIG_PATH), config)
    )
    if instance.ca_file:
        # Before the start: the hub's TLS reads its CAs once, as its process starts.
        trust.install(container, read_ca(instance))
    return container


def ensure(client, instance, root, say, proxy_token, cgroup_parent=None):
    """Run the hub with the current image and settings; keep it if nothing changed.

    `proxy_token` is the proxy's API token (`proxy.ensure`): a new proxy makes a
    new hub, which gives it every route. `cgroup_parent`: see `priority`.
    """
    config = read_config(instance, root)
    extra_ca = read_ca(instance)  # a bad file stops `up` here, in one line
    if extra_ca:
        say(trust.describe(extra_ca))
    environment = hub_environment(instance, proxy_token)
    image = client.images.get(HUB_IMAGE)
    # A changed CA, or a hub not yet in the platform's CPU group: a new hub.
    wanted = spec_hash(image.id, environment, config, extra_ca, cgroup_parent)
    container = get_container(client, instance)
    if container is not None and container.labels.get(SPEC_LABEL) != wanted:
        # The proxy stays on the overlay network meanwhile: this machine keeps its
        # copy of the network, and the hub's fixed address is free again at once.
        say(f"Replacing the hub container {instance.container} (image or settings changed)")
        container.remove(force=True)
        container = None
    if container is None:
        say(f"Creating the hub container {instance.container}")
        container = create(client, instance, config, wanted, environment, cgroup_parent)
    if container.status != "running":
        if container.status != "created":
            say(f"The hub had stopped ({describe_state(container)}): starting it again")
        container = start_or_recreate(
            container,
            lambda: create(client, instance, config, wanted, environment, cgroup_parent),
            say,
        )
    return container


# What Docker answers, for a while, when this machine's copy of an attachable overlay
# network is new, or was dropped as its last container left (a hub being replaced).
PASSING_NETWORK_ERRORS = ("attaching to network failed", "not found")


class NetworkNotSettled(DeployError):
    """The overlay network still was not usable by the container after every attempt."""


def start(container, attempts=5, what="the hub"):
    """Start a container, again while the overlay network settles on this machine."""
    for attempt in range(1, attempts + 1):
        try:
            container.start()
            return
        except APIError as e:
            explanation = str(e.explanation)
            passing = "network" in explanation and any(
                error in explanation for error in PASSING_NETWORK_ERRORS
            )
            if passing and attempt == attempts:
                raise NetworkNotSettled(f"could not start {what}: {e.explanation}") from None
            if not passing:
                raise DeployError(f"could not start {what}: {e.explanation}") from None
            time.sleep(2)


def start_or_recreate(container, recreate, say):
    """Start the container; if the network it names is still gone, start a new one once.

    A container keeps the id of the network copy it was created with; when
    this machine dropped that copy (the replaced hub was its last container),
    a container created now attaches to the network anew.
    """
    try:
        start(container)
        return container
    except NetworkNotSettled:
        say("The overlay network was not ready for the hub: creating its container again")
        container.remove(force=True)
    container = recreate()
    start(container)
    return container


def wait_until_ready(client, instance, timeout=120):
    """Wait for /hub/api to answer; return JupyterHub's version."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            response = requests.get(f"{instance.url}/hub/api", timeout=2)
            if response.status_code == 200:
                return response.json()["version"]
        except requests.RequestException:
            pass
        container = get_container(client, instance)
        if container is None or container.status in ("exited", "dead"):
            break
        if container.status == "restarting" and container.attrs["RestartCount"] >= 3:
            break  # Docker starts it again and again: it will not get better by itself
        time.sleep(0.5)
    logs = logs_tail(client, instance, 20)
    raise DeployError(f"the hub did not answer on {instance.url}/hub/api; its last logs:\n{logs}")


def describe_state(container):
    """The container's state for an admin: restarts and exit code included."""
    if container is None:
        return "absent"
    if container.status == "restarting":
        return f"restarting, {container.attrs['RestartCount']} restart(s) so far"
    if container.status in ("exited", "dead"):
        state = container.attrs["State"]
        code = state.get("ExitCode")
        how = " (killed)" if code == 137 else ""
        return f"{container.status}, code {code}{how}, at {state.get('FinishedAt', '?')[:19]}"
    return container.status


# JupyterHub's log lines of errors and critical errors: "[E 2026-11-26 ...".
ERROR_LINE = re.compile(r"^\[(E|C) \d{4}-")


def last_error(container, lines=300):
    """The last error line of the container's log, or its last line if none is marked."""
    tail = container.logs(tail=lines).decode(errors="replace").splitlines()
    marked = [line for line in tail if ERROR_LINE.match(line)]
    candidates = marked or [line for line in tail if line.strip()]
    return candidates[-1].strip()[:300] if candidates else ""


# The hub's log line that sums up its start's reconciliation (`mydocker_hub.reconcile`).
REPAIR_LINE = re.compile(r"Reconciled with the Swarm: .*")


def startup_repairs(client, instance):
    """What the hub repaired at its last start, from its log (for `up` to tell)."""
    container = get_container(client, instance)
    if container is None:
        return []
    since = container.attrs["State"].get("StartedAt", "")
    text = container.logs(since=_timestamp(since)).decode(errors="replace")
    return [
        f"The hub at its start: {match.group(0).removeprefix('Reconciled with the Swarm: ')}"
        for match in REPAIR_LINE.finditer(text)
        if "nothing to repair" not in match.group(0)
    ]


def _timestamp(docker_time):
    """Docker's RFC 3339 time (nanoseconds) as a Unix time; 0 when unreadable."""
    from datetime import datetime

    try:
        return int(datetime.fromisoformat(docker_time[:19] + "+00:00").timestamp())
    except ValueError:
        return 0


def logs_tail(client, instance, lines):
    container = get_container(client, instance)
    if container is None:
        return "(no hub container)"
    return container.logs(tail=lines).decode(errors="replace").rstrip()


def exec_admin(client, instance, args):
    """Run `python -m mydocker_hub.admin ARGS` in the hub; return (exit code, output)."""
    container = get_container(client, instance)
    if container is None or container.status != "running":
        raise DeployError(f"the hub ({instance.container}) is not running: run `make up` first")
    result = container.exec_run(["python3", "-m", "mydocker_hub.admin", *args], demux=True)
    out, err = result.output
    return result.exit_code, (out or b"").decode(), (err or b"").decode()

"""The hub killed as the kernel's out-of-memory killer would (SIGKILL of its main process).

Docker's restart policy alone brings it back; at its start it puts the Swarm's
services back in line with its servers: nothing runs that it does not know,
and every server it knows answers. The proxy, in its own container, keeps its
routes meanwhile: a student's kernel computing through the crash keeps its
websocket and its output arrives. A hub killed twice during its own start
still comes back. After a manual `docker kill`, `up` brings it back and says so.
"""

import asyncio
import os
import re
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from deployment import (
    create_user,
    docker_client,
    server_api,
    service_name,
    start_ready,
    stop,
    wait_for_http,
)
from jupyter_client import HubUser

PORTAL = "/services/mydocker/"
CLASS = [f"crash-{i}" for i in range(15)]


@pytest.fixture
def api(platform):
    return platform.admin_api()


def hub_container(platform):
    return docker_client().containers.get(f"{platform.prefix}-hub")


def kill_hub_process(platform):
    """SIGKILL the hub's main process (not the container's init): what an OOM kill does."""
    container = hub_container(platform)
    top = container.top(ps_args="-eo pid,args")
    [pid] = [
        int(pid) for pid, args in top["Processes"] if args.startswith("python3 -m mydocker_hub.app")
    ]
    os.kill(pid, signal.SIGKILL)
    return container.attrs["RestartCount"]


def wait_for_restart(platform, restarts_before, timeout=60):
    """Until Docker has started the hub's container again; the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        container = hub_container(platform)
        if container.attrs["RestartCount"] > restarts_before and container.status == "running":
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"Docker did not restart the hub within {timeout} s")


def reconciled(platform, timeout=240):
    """The hub's summary line of its start's reconciliation (after its last start)."""
    container = hub_container(platform)
    since = container.attrs["State"]["StartedAt"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        logs = hub_container(platform).logs(since=_unix(since)).decode(errors="replace")
        found = re.search(r"Reconciled with the Swarm: (.*)", logs)
        if found:
            return found.group(1)
        time.sleep(1)
    raise AssertionError("the hub did not reconcile the Swarm with its servers")


def _unix(docker_time):
    from datetime import datetime

    return int(datetime.fromisoformat(docker_time[:19] + "+00:00").timestamp())


def class_services(platform):
    return {
        service.name
        for service in docker_client().services.list(
            filters={"label": f"mydocker.instance={platform.prefix}"}
        )
        if (service.attrs["Spec"].get("Labels") or {}).get("mydocker.user") in CLASS
    }


def servers_of_the_class(platform, api, timeout=240):
    """{user: model of their server} once the hub has no start of the class under way."""
    deadline = time.monotonic() + timeout
    while True:
        servers, pending = {}, []
        for user in CLASS:
            model = api.get(f"{platform.url}/hub/api/users/{user}").json()
            server = model["servers"].get("jupyterlab")
            if server:
                servers[user] = server
                if server["pending"]:
                    pending.append(user)
        if not pending:
            return servers
        assert time.monotonic() < deadline, f"starts still under way: {pending}"
        time.sleep(2)


def test_a_hub_killed_during_a_class_start_comes_back_alone_with_no_orphan(platform, api):
    for user in CLASS:
        create_user(platform, api, user)
    pool = ThreadPoolExecutor(len(CLASS))
    try:
        for user in CLASS:
            # The answers do not matter: the hub dies under most of them.
            pool.submit(api.post, server_api(platform, user, "jupyterlab"), timeout=60)
        deadline = time.monotonic() + 120
        while len(class_services(platform)) < 5:
            assert time.monotonic() < deadline, "the class's starts did not begin"
            time.sleep(0.2)
        restarts = kill_hub_process(platform)
        killed_at = time.monotonic()
        wait_for_restart(platform, restarts)
        wait_for_http(f"{platform.url}/hub/health", "the hub after its crash", timeout=60)
        back_after = time.monotonic() - killed_at
        print(f"\nthe hub answered again {back_after:.1f} s after its main process was killed")
        assert back_after <= 60

        summary = reconciled(platform)
        print(f"reconciliation: {summary}")
        servers = servers_of_the_class(platform, api)
        running = {user for user, server in servers.items() if server["ready"]}
        # Exactly the servers the hub reports running have a service, no more.
        assert class_services(platform) == {
            service_name(platform.prefix, user, "jupyterlab") for user in running
        }
        for user in running:
            token = api.post(f"{platform.url}/hub/api/users/{user}/tokens").json()["token"]
            answer = requests.get(
                f"{platform.url}/user/{user}/jupyterlab/api/contents",
                headers={"Authorization": f"token {token}"},
                timeout=30,
            )
            assert answer.status_code == 200, (user, answer.status_code)
        # Each student whose start the crash cut short is told so (My environments).
        events = api.get(
            f"{platform.url}{PORTAL}api/activity", params={"event": "interrupted"}, timeout=30
        ).json()["events"]
        told = {event["user"] for event in events}
        assert set(CLASS) - running <= told, events
    finally:
        pool.shutdown(wait=True)
        for user in CLASS:
            api.delete(f"{platform.url}/hub/api/users/{user}/servers/jupyterlab", timeout=60)
        deadline = time.monotonic() + 120
        while class_services(platform) and time.monotonic() < deadline:
            time.sleep(1)


def poll_server(platform, user, token, until):
    """GET the server's /api through the proxy every 0.2 s until `until` is set;
    the number of requests and the failed ones.

    Not /api/status: it lists the kernels, and jupyter_server answers it with a
    500 while a kernel starts (the kernel has no `last_activity` yet).
    """
    url = f"{platform.url}/user/{user}/jupyterlab/api"
    done, failed = 0, []
    while not until.is_set():
        try:
            answer = requests.get(url, headers={"Authorization": f"token {token}"}, timeout=5)
            if answer.status_code != 200:
                failed.append(answer.status_code)
        except requests.RequestException as e:
            failed.append(type(e).__name__)
        done += 1
        time.sleep(0.2)
    return done, failed


@pytest.mark.parametrize("disruption", ["kill", "upgrade"])
async def test_a_kernel_computing_through_a_hub_crash_or_upgrade_keeps_its_websocket(
    platform, disruption
):
    user = f"kernel-{disruption}"
    password = platform.add_user(user)
    student = HubUser(platform.url, user)
    assert student.login(password).status_code == 302
    assert student.start("jupyterlab").status_code in (201, 202)
    student.wait_ready("jupyterlab")
    student.open_server("jupyterlab")
    api = platform.admin_api()
    token = api.post(f"{platform.url}/hub/api/users/{user}/tokens").json()["token"]
    polled = threading.Event()
    poller = ThreadPoolExecutor(1).submit(poll_server, platform, user, token, polled)
    disrupted = {}

    def disrupt_while_computing():
        time.sleep(4)  # the first cell is running in the kernel by now
        if disruption == "kill":
            restarts = kill_hub_process(platform)
            disrupted["at"] = time.monotonic()
            wait_for_restart(platform, restarts)
        else:  # an upgrade: `up` replaces the hub's container
            disrupted["at"] = time.monotonic()
            replaced = platform.up(MYDOCKER_BUILDS_KEPT="5")
            assert "Replacing the hub container" in replaced.stdout
        wait_for_http(f"{platform.url}/hub/health", "the hub", timeout=60)
        disrupted["back"] = time.monotonic()

    try:
        disrupting = asyncio.get_running_loop().run_in_executor(None, disrupt_while_computing)
        outcomes = await student.run_cells(
            ["import time\nfor i in range(4):\n    time.sleep(6)\nprint('computed', 6 * 7)", "6*7"],
            "jupyterlab",
            timeout=180,
        )
        await disrupting
        polled.set()
        done, failed = poller.result()
    finally:
        polled.set()
        platform.env.pop("MYDOCKER_BUILDS_KEPT", None)
        if disruption == "upgrade":
            platform.cli("up")
    print(
        f"\n{disruption}: the hub was away {disrupted['back'] - disrupted['at']:.1f} s; "
        f"{len(failed)} of {done} requests to the server through the proxy failed"
    )
    # The cell's output came over the websocket opened before the hub went away, and
    # the same websocket then ran the next cell; the server answered all along.
    assert outcomes[0].streams.strip() == "computed 42", outcomes
    assert outcomes[1].result == "42", outcomes
    assert failed == []
    stop(platform, platform.admin_api(), user, "jupyterlab")


def test_a_hub_killed_twice_during_its_start_comes_back(platform, api):
    restarts = kill_hub_process(platform)
    wait_for_restart(platform, restarts)
    # Again, while it starts (its database, its spawners, its routes): before it answers.
    time.sleep(1)
    restarts = kill_hub_process(platform)
    killed_at = time.monotonic()
    wait_for_restart(platform, restarts)
    wait_for_http(f"{platform.url}/hub/health", "the hub after two crashes", timeout=60)
    assert time.monotonic() - killed_at <= 60
    start_ready(platform, platform.admin_api(), "after-crashes", "jupyterlab")
    stop(platform, platform.admin_api(), "after-crashes", "jupyterlab")


def test_up_brings_back_a_hub_stopped_by_docker_kill_and_says_so(platform, api):
    start_ready(platform, api, "killed-by-hand", "jupyterlab")
    hub_container(platform).kill()
    time.sleep(3)
    assert hub_container(platform).status == "exited", "Docker restarts a manual kill"
    status = platform.cli("status", check=False)
    assert status.returncode == 3
    assert "(exited, code 137 (killed)" in status.stdout
    up = platform.cli("up")
    assert "The hub had stopped (exited, code 137 (killed)" in up.stdout, up.stdout
    api = platform.admin_api()
    model = api.get(f"{platform.url}/hub/api/users/killed-by-hand").json()
    assert model["servers"]["jupyterlab"]["ready"]
    stop(platform, api, "killed-by-hand", "jupyterlab")

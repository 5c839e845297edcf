"""SwarmCourseSpawner on the real Swarm: limits, volumes, failures, progress, restarts."""

import io
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from deployment import (
    EXITING_IMAGE,
    IMAGE,
    NAMED_ROOT_IMAGE,
    ROOT_IMAGE,
    TEST_ENVIRONMENTS,
    docker_client,
    progress,
    run_in,
    running_task,
    server_answers,
    service_name,
    start,
    start_ready,
    stop,
    task_container,
    wait_for_http,
    wait_until_gone,
)
from jupyter_client import HubUser

# The server of a "stop at end" session is ready about 10 s after the session is planned.
ENDING_SESSION_SECONDS = 25
CGROUP_CPU_MAX = (
    "cat /sys/fs/cgroup/cpu.max 2>/dev/null || echo "
    "$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)"
)


def cgroup_file(v2_name, v1_path):
    """A shell command that prints a cgroup file, on cgroup v2 or v1 hosts."""
    return f"cat /sys/fs/cgroup/{v2_name} 2>/dev/null || cat /sys/fs/cgroup/{v1_path}"


@pytest.fixture(scope="module")
def api(platform):
    return platform.admin_api()


def test_limits_mounts_and_progress(platform, api):
    # Follow the progress while the start request is still going on.
    events = start_ready(platform, api, "spec-student", "limited")

    # Progress events arrive in order and tell the real phases.
    values = [e["progress"] for e in events if "progress" in e]
    assert values == sorted(values)
    messages = [e["message"] for e in events]
    assert any("Creating" in m for m in messages), messages
    assert any(m.startswith("Task running on ") for m in messages), messages
    assert any("waiting for it to answer" in m for m in messages), messages

    name = service_name(platform.prefix, "spec-student", "limited")
    spec = docker_client().api.inspect_service(name)["Spec"]
    task = spec["TaskTemplate"]
    assert task["Resources"]["Limits"] == {
        "NanoCPUs": 500_000_000,
        "MemoryBytes": 512 * 1024**2,
        "Pids": 256,
    }
    assert spec["EndpointSpec"]["Mode"] == "dnsrr"
    container_spec = task["ContainerSpec"]
    assert container_spec["CapabilityDrop"] == ["ALL"]
    assert container_spec["Healthcheck"] == {"Test": ["NONE"]}
    mounts = {m["Target"]: m for m in container_spec["Mounts"]}
    assert set(mounts) == {"/home/student", "/home/student/work"}
    assert {m["Type"] for m in mounts.values()} == {"volume"}
    assert mounts["/home/student"]["Source"] == f"{platform.prefix}-home-spec-2Dstudent"
    assert (
        mounts["/home/student/work"]["Source"] == f"{platform.prefix}-work-spec-2Dstudent--limited"
    )

    container = task_container(name)
    checks = {
        CGROUP_CPU_MAX: "50000 100000",
        cgroup_file("memory.max", "memory/memory.limit_in_bytes"): str(512 * 1024**2),
        cgroup_file("pids.max", "pids/pids.max"): "256",
        "id -u": "1000",
        "grep CapEff /proc/self/status | cut -f2": "0000000000000000",
        "grep NoNewPrivs /proc/self/status | cut -f2": "1",
        "test -e /var/run/docker.sock && echo socket || echo none": "none",
        "touch /home/student/a /home/student/work/b && echo writable": "writable",
    }
    for command, expected in checks.items():
        code, output = run_in(container, command)
        assert (code, output) == (0, expected), command
    stop(platform, api, "spec-student", "limited")


def test_files_survive_stop_and_start(platform, api):
    user, env = "persistent-student", "limited"
    start_ready(platform, api, user, env)
    name = service_name(platform.prefix, user, env)
    code, _ = run_in(task_container(name), "echo home > ~/notes.txt && echo work > ~/work/tp.py")
    assert code == 0
    stop(platform, api, user, env)

    start_ready(platform, api, user, env)
    code, output = run_in(task_container(name), "cat ~/notes.txt ~/work/tp.py")
    assert (code, output) == (0, "home\nwork")
    stop(platform, api, user, env)


async def test_memory_hog_is_killed_alone_and_the_student_is_told(platform, api):
    env = "limited"
    student = HubUser(platform.url, "hog-student")
    assert student.login(platform.add_user("hog-student")).status_code == 302
    assert student.start(env).status_code in (201, 202)
    student.wait_ready(env)
    student.open_server(env)
    name = service_name(platform.prefix, "hog-student", env)
    task_before = running_task(name)["ID"]

    hog, after = await student.run_cells(["x = bytearray(2 * 1024**3)", "1 + 1"], env)
    assert hog.died, hog  # the kernel, killed by the OOM killer
    oom_counter = cgroup_file("memory.events", "memory/memory.oom_control") + " | grep oom_kill"
    code, events = run_in(task_container(name), oom_counter)
    assert code == 0 and int(events.split()[-1]) >= 1
    # The server lives on, in the same task.
    assert running_task(name)["ID"] == task_before
    assert server_answers(platform, api, "hog-student", env)
    # The next cell, in the kernel restarted for the notebook, says what happened.
    assert after.result == "2"
    assert "used more memory than this environment allows (512 MB)" in after.streams
    assert "plus de mémoire que cet environnement" in after.streams
    stop(platform, api, "hog-student", env)


def test_cpu_burn_is_throttled_not_killed(platform, api):
    user, env = "burn-student", "limited"
    start_ready(platform, api, user, env)
    name = service_name(platform.prefix, user, env)
    task_before = running_task(name)["ID"]
    container = task_container(name)
    container.exec_run(["python3", "-c", "while True: pass"], user="1000", detach=True)

    def throttled_periods():
        _, stat = run_in(container, cgroup_file("cpu.stat", "cpu/cpu.stat"))
        return int(dict(line.split() for line in stat.splitlines())["nr_throttled"])

    # The burn keeps going: throttled period after period, the task still the same
    deadline = time.monotonic() + 120
    while throttled_periods() < 20:
        assert time.monotonic() < deadline, "the CPU burn was not throttled in 120 s"
        time.sleep(0.5)
    assert running_task(name)["ID"] == task_before
    assert server_answers(platform, api, user, env)
    stop(platform, api, user, env)


@pytest.mark.parametrize(
    "environment, message",
    [
        ("nowhere", "No machine of the kind this environment needs"),
        ("gpu", "No machine has enough free CPU, memory or GPUs"),
    ],
    ids=["no-node-with-label", "no-gpu-left"],
)
def test_impossible_placement_fails_in_seconds_with_its_reason(platform, api, environment, message):
    user = f"placement-{environment}"
    started = time.monotonic()
    response = start(platform, api, user, environment)
    if response.status_code == 202:
        events = progress(platform, api, user, environment)
        assert events[-1].get("failed"), events
        text = events[-1]["message"]
    else:
        text = response.json()["message"]
    elapsed = time.monotonic() - started
    assert message in text
    assert elapsed < 15, f"took {elapsed:.1f} s"
    wait_until_gone(service_name(platform.prefix, user, environment), timeout=10)


def built_image(tag, dockerfile):
    docker_client().images.build(fileobj=io.BytesIO(dockerfile.encode()), tag=tag, rm=True)
    yield tag
    docker_client().images.remove(tag, force=True)


@pytest.fixture
def exiting_image():
    yield from built_image(
        EXITING_IMAGE, 'FROM debian:bookworm-slim\nUSER 1000\nCMD ["sh", "-c", "sleep 2; exit 3"]\n'
    )


@pytest.fixture
def root_image():  # no USER line: root
    yield from built_image(ROOT_IMAGE, 'FROM debian:bookworm-slim\nCMD ["sleep", "infinity"]\n')


@pytest.fixture
def named_root_image():  # USER admin, where admin has uid 0
    yield from built_image(
        NAMED_ROOT_IMAGE,
        "FROM debian:bookworm-slim\n"
        "RUN echo 'admin:x:0:0:another root:/root:/bin/sh' >> /etc/passwd\n"
        'USER admin\nCMD ["sleep", "infinity"]\n',
    )


def failed_start_message(platform, api, user, environment):
    """The message of a start that fails, whether before or after the hub's 10 s."""
    response = start(platform, api, user, environment)
    if response.status_code == 202:
        events = progress(platform, api, user, environment)
        assert events[-1].get("failed"), events
        return events[-1]["message"]
    assert response.status_code == 503, response.text
    return response.json()["message"]


def test_a_server_that_exits_while_starting_fails_at_once(platform, api, exiting_image):
    started = time.monotonic()
    message = failed_start_message(platform, api, "broken-student", "broken")
    assert "stopped while starting (exit code 3)" in message, message
    assert time.monotonic() - started < 20
    wait_until_gone(service_name(platform.prefix, "broken-student", "broken"), timeout=10)


def test_an_image_that_runs_as_root_is_refused(platform, api, root_image):
    message = failed_start_message(platform, api, "root-student", "as-root")
    assert "runs as the administrator (root)" in message, message
    assert not docker_client().services.list(
        filters={"name": service_name(platform.prefix, "root-student", "as-root")}
    )


def test_an_image_whose_user_is_a_name_with_uid_0_is_refused(platform, api, named_root_image):
    message = failed_start_message(platform, api, "named-root-student", "as-named-root")
    assert "runs as the administrator (root)" in message, message
    assert not docker_client().services.list(
        filters={"name": service_name(platform.prefix, "named-root-student", "as-named-root")}
    )
    # The image's /etc/passwd was read from a container that was never started, and is gone.
    image_id = docker_client().images.get(NAMED_ROOT_IMAGE).id
    assert not docker_client().containers.list(all=True, filters={"ancestor": image_id})


def test_the_default_server_and_the_jupyterlab_server_run_side_by_side(platform, api):
    """The default server runs the environment "jupyterlab" too (LTI opens the named one)."""
    user = "twin-student"
    start_ready(platform, api, user, "")
    start_ready(platform, api, user, "jupyterlab")
    default, named = (
        service_name(platform.prefix, user),
        service_name(platform.prefix, user, "jupyterlab"),
    )
    assert default != named
    services = {s.name for s in docker_client().services.list()}
    assert {default, named} <= services
    assert server_answers(platform, api, user, "")
    assert server_answers(platform, api, user, "jupyterlab")
    servers = api.get(f"{platform.url}/hub/api/users/{user}").json()["servers"]
    assert servers[""]["ready"] and servers["jupyterlab"]["ready"]

    stop(platform, api, user, "")
    assert named in {s.name for s in docker_client().services.list()}
    assert running_task(named)
    assert server_answers(platform, api, user, "jupyterlab")
    servers = api.get(f"{platform.url}/hub/api/users/{user}").json()["servers"]
    assert "" not in servers and servers["jupyterlab"]["ready"]
    stop(platform, api, user, "jupyterlab")


@pytest.mark.parametrize(
    "environment, options, status, message",
    [
        ("jupyterlab", {"image": "attacker/miner"}, 400, "cannot be chosen"),
        ("jupyterlab", {"cpu_limit": 8}, 400, "cannot be chosen"),
        ("private", None, 403, "not enrolled"),
        ("later", None, 403, "opens on Monday 05 January 2099 at 14:00 (Europe/Paris)"),
        ("absent", None, 404, "There is no environment"),
    ],
    ids=["own-image", "own-limits", "not-enrolled", "session-not-open", "unknown"],
)
def test_refused_starts_are_4xx_with_a_clear_message(
    platform, api, environment, options, status, message
):
    response = start(platform, api, "refused-student", environment, **(options or {}))
    assert response.status_code == status, response.text
    assert message in response.json()["message"]
    assert not any(
        s.name.startswith(f"{platform.prefix}-refused-2Dstudent")
        for s in docker_client().services.list()
    )


def test_hub_restart_resumes_running_servers(platform, api):
    for user in ("restart-a", "restart-b"):
        start_ready(platform, api, user, "jupyterlab")
    # A teacher has logged in: the hub restarts with the managed teacher role in use.
    teacher = HubUser(platform.url, "restart-teacher")
    assert teacher.login(platform.add_user("restart-teacher", role="teacher")).status_code == 302
    roles = api.get(f"{platform.url}/hub/api/users/restart-teacher").json()["roles"]
    assert "teacher" in roles
    hub = docker_client().containers.get(f"{platform.prefix}-hub")
    hub.stop(timeout=20)
    # A server that dies while the hub is down must show as stopped afterwards.
    docker_client().api.remove_service(service_name(platform.prefix, "restart-b", "jupyterlab"))
    hub.start()
    wait_for_http(f"{platform.url}/hub/api", "the restarted hub")
    assert server_answers(platform, api, "restart-a", "jupyterlab")
    roles = api.get(f"{platform.url}/hub/api/users/restart-teacher").json()["roles"]
    assert "teacher" in roles
    servers_b = api.get(f"{platform.url}/hub/api/users/restart-b").json()["servers"]
    assert "jupyterlab" not in servers_b
    stop(platform, api, "restart-a", "jupyterlab")


def test_a_stop_at_end_session_stops_the_server_when_it_ends(platform, api):
    now = datetime.now(UTC)
    ending = {
        "name": "ending",
        "image": IMAGE,
        "public": True,
        "sessions": [
            {
                "start": (now - timedelta(hours=1)).isoformat(),
                "end": (now + timedelta(seconds=ENDING_SESSION_SECONDS)).isoformat(),
                "stop_at_end": True,
            }
        ],
    }
    platform.up(MYDOCKER_ENVIRONMENTS=json.dumps([*TEST_ENVIRONMENTS, ending]))
    user = "session-student"
    start_ready(platform, api, user, "ending")
    print(f"\nready {(datetime.now(UTC) - now).total_seconds():.0f} s into the session")
    assert datetime.now(UTC) < now + timedelta(seconds=ENDING_SESSION_SECONDS), (
        "the start took the whole session"
    )
    wait_until_gone(
        service_name(platform.prefix, user, "ending"), timeout=ENDING_SESSION_SECONDS + 40
    )
    assert datetime.now(UTC) >= now + timedelta(seconds=ENDING_SESSION_SECONDS)
    servers = api.get(f"{platform.url}/hub/api/users/{user}").json()["servers"]
    assert "ending" not in servers


def test_a_start_warns_before_the_disk_quota_is_reached(platform, api):
    user, env = "quota-student", "quota"
    assert start(platform, api, user, env).status_code in (201, 202)
    events = progress(platform, api, user, env)
    assert events[-1].get("ready") and not any("Warning" in e["message"] for e in events)
    name = service_name(platform.prefix, user, env)
    code, _ = run_in(task_container(name), "head -c 18000000 /dev/zero > ~/work/data.bin")
    assert code == 0
    stop(platform, api, user, env)

    events = start_ready(platform, api, user, env)
    warnings = [e["message"] for e in events if e["message"].startswith("Warning")]
    assert warnings and "of the 20M this environment allows" in warnings[0], events
    stop(platform, api, user, env)

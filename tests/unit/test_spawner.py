"""The spawner's decisions that need no Docker: which environment, and refusals."""

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from docker.errors import APIError, NotFound
from requests.exceptions import ReadTimeout

from mydocker_hub.spawner import SpawnError, SwarmCourseSpawner, runs_as_root

ENVIRONMENTS = [
    {"name": "jupyterlab", "image": "img:1", "public": True},
    {"name": "private", "image": "img:2"},
    {"name": "old", "image": "img:3", "public": True, "status": "ARCHIVED"},
]


def spawner(server_name="", user_options=None, admin=False):
    user = SimpleNamespace(name="alice", admin=admin, url="/user/alice/", settings={})
    orm_spawner = SimpleNamespace(name=server_name, server=None, state=None)
    s = SwarmCourseSpawner(user=user, orm_spawner=orm_spawner)
    s.user_options = user_options or {}
    SwarmCourseSpawner._catalogs = {}
    s.config.StaticEnvironmentCatalog.environments = ENVIRONMENTS
    return s


async def test_default_server_runs_the_default_environment(database):
    assert (await spawner().resolve_environment()).image == "img:1"


async def test_named_server_is_its_environment(database):
    s = spawner("jupyterlab")
    assert (await s.resolve_environment()).name == "jupyterlab"
    assert s._object_name_default() == "mydocker-alice--jupyterlab"


def test_the_default_server_and_its_environment_s_named_server_are_two_services():
    default, named = spawner(""), spawner("jupyterlab")
    assert default.environment_name == named.environment_name == "jupyterlab"
    assert default._object_name_default() == "mydocker-alice"
    assert named._object_name_default() != default._object_name_default()


async def test_the_enrolment_query_runs_off_the_event_loop(database):
    s = spawner("private")
    loop_thread = threading.current_thread()
    seen = []

    def refusal(environment, user_name, *, is_admin=False, lang="en"):
        seen.append(threading.current_thread())
        return "You are not enrolled in the environment “private”."

    s.catalog.refusal = refusal
    with pytest.raises(SpawnError, match="not enrolled") as error:
        await s.resolve_environment()
    assert seen and seen[0] is not loop_thread
    assert error.value.status_code == 403


@pytest.mark.parametrize(
    "server_name, options, message, status",
    [
        ("", {"image": "evil/miner"}, "cannot be chosen", 400),
        ("", {"environment": "jupyterlab", "mem_limit": "64G"}, "cannot be chosen", 400),
        ("jupyterlab", {"environment": "private"}, "belongs to the environment", 400),
        ("nothere", {}, "There is no environment", 404),
        ("private", {}, "not enrolled", 403),
        ("old", {}, "archived", 403),
    ],
    ids=["image", "limits", "other-environment", "unknown", "not-enrolled", "archived"],
)
async def test_students_never_choose_image_or_limits(
    database, server_name, options, message, status
):
    with pytest.raises(SpawnError, match=message) as error:
        await spawner(server_name, options).resolve_environment()
    assert message in error.value.jupyterhub_message
    assert error.value.status_code == status


async def test_user_options_may_name_the_environment(database):
    s = spawner("", {"environment": "jupyterlab"})
    assert (await s.resolve_environment()).name == "jupyterlab"


def test_lms_origins_may_frame_the_servers(database):
    s = spawner()
    assert not any("tornado_settings" in a for a in s.get_args())
    s.frame_ancestors = ["https://moodle.univ.fr"]
    [arg] = [a for a in s.get_args() if "tornado_settings" in a]
    assert arg == (
        "--ServerApp.tornado_settings="
        '{"headers": {"Content-Security-Policy": '
        "\"frame-ancestors 'self' https://moodle.univ.fr\"}}"
    )


PASSWD = "root:x:0:0:root:/root:/bin/bash\nstudent:x:1000:1000::/home/student:/bin/sh\n"


@pytest.mark.parametrize(
    "user, root",
    [("", True), (None, True), ("root", True), ("0", True), ("0:0", True), ("root:staff", True)]
    + [("00", True), ("0:1000", True), (" 0 ", True)]
    + [("1000", False), ("1000:100", False), ("student", False), ("jovyan:users", False)],
)
def test_images_running_as_root_are_recognised(user, root):
    assert runs_as_root(user, PASSWD) is root


class FakeImages:
    """Docker's images as the spawner sees them: `inspect_image`, and pulls that add one."""

    def __init__(self, present):
        self.present = set(present)
        self.calls = []

    async def docker(self, method, image):
        assert method == "inspect_image"
        self.calls.append(("inspect", image))
        if image not in self.present:
            raise NotFound(f"no such image: {image}")
        return {"Config": {"User": "1000", "Cmd": ["jupyterhub-singleuser"]}}

    async def pull(self, image):
        self.calls.append(("pull", image))
        self.present.add(image)


@pytest.mark.parametrize(
    "policy, present, calls",
    [
        ("ifnotpresent", True, ["inspect"]),
        ("ifnotpresent", False, ["inspect", "pull", "inspect"]),
        ("always", True, ["pull", "inspect"]),
        ("never", True, ["inspect"]),
        ("skip", True, ["inspect"]),
    ],
)
async def test_the_image_is_fetched_as_the_pull_policy_says(policy, present, calls):
    s = spawner()
    images = FakeImages(["img:1"] if present else [])
    s.docker, s._pull, s.pull_policy = images.docker, images.pull, policy
    image = await s._inspect_image("img:1")
    assert image["Config"]["User"] == "1000"
    assert [call for call, _ in images.calls] == calls


@pytest.mark.parametrize("policy", ["never", "skip"])
async def test_a_missing_image_that_may_not_be_fetched_is_a_clear_503(policy):
    s = spawner()
    images = FakeImages([])
    s.docker, s._pull, s.pull_policy = images.docker, images.pull, policy
    with pytest.raises(SpawnError) as error:
        await s._inspect_image("img:1")
    assert "must be built again" in error.value.jupyterhub_message
    assert error.value.status_code == 503
    assert ("pull", "img:1") not in images.calls


def test_the_command_comes_from_the_image():
    s = spawner()
    command = s._command({"Config": {"User": "student", "Cmd": ["start-lab"]}})
    assert command[0] == "start-lab"
    assert command[1:] == s.get_args()


@pytest.mark.parametrize(
    "user, passwd_text, refused",
    [
        ("", None, True),
        ("00", None, True),
        ("0:1000", None, True),
        ("1000", None, False),
        ("admin", "admin:x:0:0::/root:/bin/sh\n", True),
        ("student", PASSWD, False),
    ],
    ids=["empty", "00", "0:1000", "1000", "named-uid-0", "named-ordinary"],
)
async def test_root_images_are_refused_by_uid_and_by_name(user, passwd_text, refused):
    s = spawner()
    reads = []

    async def image_passwd(image_id):
        reads.append(image_id)
        return passwd_text

    s._image_passwd = image_passwd
    image = {"Id": "sha256:abc", "Config": {"User": user, "Cmd": ["start-lab"]}}
    if refused:
        with pytest.raises(SpawnError) as error:
            await s._refuse_root_image(image)
        assert "runs as the administrator" in error.value.jupyterhub_message
        assert error.value.status_code == 503
    else:
        await s._refuse_root_image(image)
    # /etc/passwd is read only for a name other than root.
    assert reads == (["sha256:abc"] if passwd_text is not None else [])


class FakeDocker:
    """Docker calls as the spawner makes them, run in a thread like the real ones."""

    def __init__(self, create_seconds=0.0, exec_error=None):
        self.create_seconds = create_seconds
        self.exec_error = exec_error
        self.calls = []

    def __call__(self, method, *args, **kwargs):
        return asyncio.wrap_future(self.pool.submit(self.call, method, *args, **kwargs))

    pool = ThreadPoolExecutor(4)

    def call(self, method, *args, **kwargs):
        self.calls.append((method, args))
        if method == "inspect_service":
            raise NotFound("no such service")
        if method == "create_service":
            time.sleep(self.create_seconds)
            return {"ID": "service-1"}
        if method.startswith("exec_") and self.exec_error:
            raise self.exec_error
        if method == "exec_create":
            return {"Id": "exec-1"}
        if method == "exec_start":
            return b"5000000\t/home/student\n5000000\ttotal\n"
        return None


async def test_a_start_cancelled_while_its_service_is_created_leaves_no_service(
    database, monkeypatch
):
    s = spawner("jupyterlab")
    s.docker = FakeDocker(create_seconds=0.3)
    s.course_environment = environment = await s.resolve_environment()
    monkeypatch.setattr(s, "server_plan", lambda environment, args: None)
    monkeypatch.setattr("mydocker_hub.swarm.specs.service_spec", lambda plan: {"name": "n"})
    start = asyncio.ensure_future(s._run_service(environment, []))
    await asyncio.sleep(0.1)  # the service is being created, in a Docker thread
    start.cancel()
    with pytest.raises(asyncio.CancelledError):
        await start
    await asyncio.sleep(0.5)  # the creation ends in its thread
    assert ("remove_service", ("service-1",)) in s.docker.calls


@pytest.mark.parametrize(
    "error",
    [ReadTimeout("read timed out"), APIError("exec failed"), None],
    ids=["docker-py-timeout", "api-error", "measured"],
)
async def test_a_slow_or_failing_disk_measure_only_skips_the_warning(error):
    s = spawner()
    s.docker = FakeDocker(exec_error=error)
    environment = SimpleNamespace(disk_quota="5M", home_volume=True, work_volume=False)
    task = {"Status": {"ContainerStatus": {"ContainerID": "c1"}}}
    await s._warn_about_disk_usage(environment, task)
    command = s.docker.calls[0][1][1]
    assert command[:2] == ["timeout", "5"] and "du" in command
    warned = [e for e in getattr(s, "_events", []) if "5.0 MB" in e["message"]]
    assert bool(warned) is (error is None)


def test_the_wait_in_line_and_the_pull_do_not_count_against_start_timeout():
    s = spawner()
    assert s.ready_timeout == 60  # JupyterHub's default start_timeout, as configured
    assert s.start_timeout == 60 + s.max_queue_wait + s.pull_timeout
    s.config.Spawner.start_timeout = 20
    s.config.SwarmCourseSpawner.max_queue_wait = 100
    s.config.SwarmCourseSpawner.pull_timeout = 30
    configured = SwarmCourseSpawner(
        user=s.user, orm_spawner=SimpleNamespace(name="", server=None, state=None), config=s.config
    )
    assert (configured.ready_timeout, configured.start_timeout) == (20, 150)


async def test_a_service_removed_while_its_task_is_followed_ends_its_start_at_once(
    database, monkeypatch
):
    """Docker refuses a task list naming a removed service: each service is asked alone,
    and the removed one's start fails now, with the others' tasks still seen."""

    async def docker(method, filters):
        assert method == "tasks"
        if filters["service"] == "gone" or "gone" in filters["service"]:
            raise NotFound("service gone not found")
        return [{"ServiceID": "kept", "Status": {"State": "running"}}]

    s = spawner("jupyterlab")
    s.docker = docker
    s.course_environment = await s.resolve_environment()
    tasks = await s._list_tasks(["gone", "kept"])
    assert [(t["ServiceID"], t["Status"]["State"]) for t in tasks] == [
        ("gone", "remove"),
        ("kept", "running"),
    ]
    monkeypatch.setattr(SwarmCourseSpawner, "_task_watch", None)
    s.object_id = "gone"
    with pytest.raises(SpawnError) as refused:
        await asyncio.wait_for(s._wait_for_task(), 5)
    assert "its service was removed" in refused.value.message

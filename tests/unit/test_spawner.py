"""The spawner's decisions that need no Docker: which environment, and refusals."""

from types import SimpleNamespace

import pytest
from docker.errors import NotFound

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


def test_default_server_runs_the_default_environment(database):
    assert spawner().resolve_environment().image == "img:1"


def test_named_server_is_its_environment(database):
    s = spawner("jupyterlab")
    assert s.resolve_environment().name == "jupyterlab"
    assert s._object_name_default() == "mydocker-alice--jupyterlab"


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
def test_students_never_choose_image_or_limits(database, server_name, options, message, status):
    with pytest.raises(SpawnError, match=message) as error:
        spawner(server_name, options).resolve_environment()
    assert message in error.value.jupyterhub_message
    assert error.value.status_code == status


def test_user_options_may_name_the_environment(database):
    s = spawner("", {"environment": "jupyterlab"})
    assert s.resolve_environment().name == "jupyterlab"


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


@pytest.mark.parametrize(
    "user, root",
    [("", True), (None, True), ("root", True), ("0", True), ("0:0", True), ("root:staff", True)]
    + [("1000", False), ("1000:100", False), ("student", False), ("jovyan:users", False)],
)
def test_images_running_as_root_are_recognised(user, root):
    assert runs_as_root(user) is root


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


def test_the_command_comes_from_the_image_and_root_images_are_refused():
    s = spawner()
    command = s._command({"Config": {"User": "student", "Cmd": ["start-lab"]}})
    assert command[0] == "start-lab"
    assert command[1:] == s.get_args()
    with pytest.raises(SpawnError) as error:
        s._command({"Config": {"User": "", "Cmd": ["start-lab"]}})
    assert "runs as the administrator" in error.value.jupyterhub_message
    assert error.value.status_code == 503

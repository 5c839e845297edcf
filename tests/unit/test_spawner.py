"""The spawner's decisions that need no Docker: which environment, and refusals."""

from types import SimpleNamespace

import pytest

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

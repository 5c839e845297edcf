"""Teachers' images in the database: who sees and changes what, builds, tests, followers.

On a throw-away SQLite database, each call in its own transaction as the
handlers run them. No Docker here: the build queue records outcomes with the
same functions (`mark_running`, `mark_finished`) that these tests call.
"""

import pytest

from mydocker_hub import db
from mydocker_hub.environments import DatabaseEnvironmentCatalog
from mydocker_hub.portal import image_forms, image_store, permissions, store
from mydocker_hub.portal.errors import InvalidInput, PortalError, VersionConflict
from mydocker_hub.portal.forms import parse_environment
from mydocker_hub.portal.image_models import CANCELLED, ERROR, OK, QUEUED, RUNNING
from mydocker_hub.portal.permissions import Access, Reader

ADMIN = Reader("root", admin=True)
OWNER = Reader("olivia", teacher=True)
VIEWER = Reader("victor", teacher=True)
EDITOR = Reader("edith", teacher=True)
OTHER = Reader("oscar", teacher=True)
STUDENT = Reader("sam")

BASE = "mydocker/jupyterlab:1"
DOCKERFILE = f"FROM {BASE}\nUSER root\nRUN pip install cowsay\nUSER student\n"


@pytest.fixture(autouse=True)
def _database(database):
    yield database


def run(function, *args, **kwargs):
    with db.session() as session:
        return function(session, *args, **kwargs)


def make(name="data", reader=OWNER, *, public=False, dockerfile=DOCKERFILE):
    values, errors = image_forms.parse_image(
        {"name": name, "dockerfile": dockerfile, "public": public, "description": "Pandas"}
    )
    assert errors == {}
    run(image_store.create, reader, values)
    run(image_store.set_collaborator, reader, name, "victor", "view")
    run(image_store.set_collaborator, reader, name, "edith", "edit")


def build_ok(name="data", reader=OWNER):
    """A build of `name` run to OK, as the queue records it; its number."""
    build = run(image_store.start_build, reader, name, [BASE])
    assert run(image_store.mark_running, build.id) is not None
    run(image_store.mark_finished, build.id, OK, docker_id="sha256:1", log="Step 1/4\n")
    return build.number


def refusal(excinfo):
    return excinfo.value.status_code, excinfo.value.key


# The rules, as a table


TABLE = {  # action: admin owner view edit other student (a private image)
    "view": "ok ok ok ok 404 404",
    "test": "ok ok ok ok 404 404",
    "edit": "ok ok 403 ok 404 404",
    "build": "ok ok 403 ok 404 404",
    "cancel": "ok ok 403 ok 404 404",
    "collaborators": "ok ok 403 403 404 404",
    "delete": "ok ok 403 403 404 404",
}
READERS = (ADMIN, OWNER, VIEWER, EDITOR, OTHER, STUDENT)
COLLABORATORS = {"victor": "view", "edith": "edit"}


@pytest.mark.parametrize("action", sorted(TABLE))
def test_who_may_do_what_with_a_private_image(action):
    for reader, expected in zip(READERS, TABLE[action].split(), strict=True):
        level = permissions.image_access(reader, "olivia", COLLABORATORS, False)
        answer = permissions.image_refusal(action, level)
        assert (answer[0] if answer else "ok") == ("ok" if expected == "ok" else int(expected)), (
            action,
            reader.name,
        )


def test_a_public_image_is_seen_by_every_teacher_but_changed_by_none_more():
    level = permissions.image_access(OTHER, "olivia", {}, True)
    assert level == Access.VIEW
    assert permissions.image_refusal("test", level) is None
    assert permissions.image_refusal("build", level) == (403, "error_image_not_allowed")
    # a student sees no image, public or not
    assert permissions.image_access(STUDENT, "olivia", {}, True) == Access.NONE


# The form


def test_the_form_refuses_bad_names_reserved_names_and_an_empty_dockerfile():
    _, errors = image_forms.parse_image({"name": "Bad Name!", "dockerfile": ""})
    assert errors == {"name": "field_image_name", "dockerfile": "field_dockerfile_empty"}
    _, errors = image_forms.parse_image({"name": "jupyterlab", "dockerfile": DOCKERFILE})
    assert errors == {"name": "field_image_name_reserved"}
    _, errors = image_forms.parse_image({"name": "a" * 26, "dockerfile": DOCKERFILE})
    assert errors == {"name": "field_image_name"}


def test_the_form_wants_a_port_for_a_custom_interface_and_keeps_the_dockerfile_as_typed():
    values, errors = image_forms.parse_image(
        {"name": "web", "dockerfile": "FROM x\r\n  RUN a\r\n", "interfaces": ["custom"]}
    )
    assert errors == {"custom_port": "field_custom_port"}
    assert values["dockerfile"] == "FROM x\n  RUN a\n"
    values, errors = image_forms.parse_image(
        {"name": "web", "dockerfile": "FROM x", "interfaces": ["custom"], "custom_port": "8050"}
    )
    assert errors == {} and values["custom_port"] == 8050


# Images and their sharing


def test_a_teacher_sees_their_images_the_shared_and_the_public_ones_a_student_none():
    make("mine")
    make("open", reader=OTHER, public=True)
    make("closed", reader=OTHER)
    seen = {row.name: level for row, level in run(image_store.visible, OWNER)}
    assert seen == {"mine": Access.OWN, "open": Access.VIEW}
    assert run(image_store.visible, STUDENT) == []
    assert {row.name for row, _ in run(image_store.visible, ADMIN)} == {"mine", "open", "closed"}


def test_a_student_may_not_create_an_image():
    values, _ = image_forms.parse_image({"name": "x", "dockerfile": DOCKERFILE})
    with pytest.raises(PortalError) as excinfo:
        run(image_store.create, STUDENT, values)
    assert refusal(excinfo) == (403, "error_teachers_only")


def test_two_images_may_not_share_a_name():
    make()
    values, _ = image_forms.parse_image({"name": "data", "dockerfile": DOCKERFILE})
    with pytest.raises(InvalidInput) as excinfo:
        run(image_store.create, OTHER, values)
    assert excinfo.value.errors == {"name": "field_image_name_taken"}


def test_an_edit_of_an_older_version_is_refused():
    make()
    version = run(lambda s: image_store.load(s, OWNER, "data")[0].version)
    run(image_store.update, EDITOR, "data", {"description": "New"}, version)
    with pytest.raises(VersionConflict):
        run(image_store.update, OWNER, "data", {"description": "Mine"}, version)
    with pytest.raises(PortalError) as excinfo:
        run(image_store.update, VIEWER, "data", {"description": "x"}, version + 1)
    assert refusal(excinfo) == (403, "error_image_not_allowed")


# Builds


def test_a_build_is_numbered_tagged_and_keeps_the_dockerfile_it_built():
    make()
    first = run(image_store.start_build, EDITOR, "data", [BASE])
    assert (first.number, first.status, first.tag) == (1, QUEUED, "mydocker/data:1")
    assert first.dockerfile == DOCKERFILE
    with pytest.raises(PortalError) as excinfo:
        run(image_store.start_build, OWNER, "data", [BASE])
    assert refusal(excinfo) == (409, "error_build_under_way")
    run(image_store.mark_running, first.id)
    run(image_store.mark_finished, first.id, ERROR, error="exit 1")
    second = run(image_store.start_build, OWNER, "data", [BASE], "registry.example.org")
    assert (second.number, second.tag) == (2, "registry.example.org/mydocker/data:2")


def test_a_dockerfile_from_an_image_not_offered_is_refused_with_its_line():
    make(dockerfile="# mine\nFROM ubuntu:24.04\nUSER student\n")
    with pytest.raises(PortalError) as excinfo:
        run(image_store.start_build, OWNER, "data", [BASE])
    assert refusal(excinfo) == (400, "error_dockerfile_refused")
    assert excinfo.value.values["reason"].startswith("Line 2:")
    assert run(image_store.visible, OWNER)[0][0].builds == []  # nothing queued


def test_a_dockerfile_may_start_from_an_ok_build_of_an_image_the_teacher_sees():
    make()
    build_ok()
    make("next", dockerfile="FROM mydocker/data:1\nUSER student\n")
    assert run(image_store.start_build, OWNER, "next", [BASE]).number == 1
    make("other", reader=OTHER, dockerfile="FROM mydocker/data:1\n")
    with pytest.raises(PortalError) as excinfo:  # oscar does not see "data"
        run(image_store.start_build, OTHER, "other", [BASE])
    assert refusal(excinfo) == (400, "error_dockerfile_refused")


def test_a_queued_build_is_cancelled_at_once_a_running_one_by_the_queue():
    make()
    build = run(image_store.start_build, OWNER, "data", [BASE])
    with pytest.raises(PortalError) as excinfo:
        run(image_store.cancel_queued, VIEWER, "data", 1)
    assert refusal(excinfo) == (403, "error_image_not_allowed")
    assert run(image_store.cancel_queued, EDITOR, "data", 1) == (build.id, False)
    assert run(image_store.mark_running, build.id) is None  # the queue skips it
    second = run(image_store.start_build, OWNER, "data", [BASE])
    run(image_store.mark_running, second.id)
    assert run(image_store.cancel_queued, OWNER, "data", 2) == (second.id, True)
    run(image_store.mark_finished, second.id, CANCELLED)
    with pytest.raises(PortalError) as excinfo:
        run(image_store.cancel_queued, OWNER, "data", 2)
    assert refusal(excinfo) == (409, "error_build_ended")


def test_builds_left_under_way_by_a_stopped_portal_end_as_errors_that_say_so():
    make()
    build = run(image_store.start_build, OWNER, "data", [BASE])
    run(image_store.mark_running, build.id)
    assert run(image_store.interrupted) == 1
    _, record = run(image_store.load_build, OWNER, "data", 1)
    assert record.status == ERROR and "restarted" in record.error


# Environments that use an image


def environment(name, image, reader=OWNER):
    images = run(image_store.usable_images, reader) + [BASE]
    values, errors = parse_environment(
        {"name": name, "image": image, "mem_limit": "1G"}, images=images
    )
    assert errors == {}, errors
    run(store.create, reader, values)


def image_of(name):
    catalog = DatabaseEnvironmentCatalog(environments=[], cache_seconds=0)
    return next(e.image for e in catalog.all_environments() if e.name == name)


def test_an_environment_follows_the_latest_ok_build_unless_pinned():
    make()
    assert run(image_store.usable_images, OWNER) == []  # nothing built: nothing to use
    build_ok()
    environment("follows", "mydocker/data")
    environment("pinned", "mydocker/data:1")
    assert image_of("follows") == "mydocker/data:1"
    build_ok()
    failed = run(image_store.start_build, OWNER, "data", [BASE])
    run(image_store.mark_running, failed.id)
    run(image_store.mark_finished, failed.id, ERROR)
    assert image_of("follows") == "mydocker/data:2"  # the failed build 3 is not followed
    assert image_of("pinned") == "mydocker/data:1"


def test_only_the_images_a_teacher_sees_are_offered_to_their_environments():
    make()
    build_ok()
    assert "mydocker/data" in run(image_store.usable_images, VIEWER)
    assert run(image_store.usable_images, OTHER) == []


def test_an_image_in_use_is_not_deleted_and_a_free_one_is_with_its_builds():
    make()
    build_ok()
    environment("course", "mydocker/data")
    with pytest.raises(PortalError) as excinfo:
        run(image_store.delete, OWNER, "data")
    assert refusal(excinfo) == (409, "error_image_in_use")
    with pytest.raises(PortalError) as excinfo:
        run(image_store.delete, EDITOR, "data")
    assert refusal(excinfo) == (403, "error_image_not_allowed")
    make("spare")
    build_ok("spare")
    assert run(image_store.delete, OWNER, "spare") == ["mydocker/spare:1"]
    assert [row.name for row, _ in run(image_store.visible, ADMIN)] == ["data"]


def test_old_builds_are_pruned_but_not_the_pinned_nor_the_followed_one():
    make()
    for _ in range(3):
        build_ok()
    environment("pinned", "mydocker/data:1")
    for _ in range(3):  # builds 4, 5, 6 fail
        failed = run(image_store.start_build, OWNER, "data", [BASE])
        run(image_store.mark_running, failed.id)
        run(image_store.mark_finished, failed.id, ERROR)
    removed = run(image_store.prunable, failed.id, 3)
    assert removed == ["mydocker/data:2"]  # 3 is the latest OK, 1 is pinned
    numbers = [b.number for b in run(image_store.load, OWNER, "data")[0].builds]
    assert numbers == [6, 5, 4, 3, 1]


# The test environment


def test_testing_a_build_makes_a_test_environment_for_the_tester_alone():
    make()
    build_ok()
    name = run(image_store.test_environment, VIEWER, "data", 1)
    assert name == "test-data"
    row, level = run(store.load, VIEWER, "test-data")
    assert (row.status, row.image, row.owner) == ("TEST", "mydocker/data:1", "olivia")
    assert level == Access.VIEW
    build_ok()
    run(image_store.test_environment, OWNER, "data", 2)
    assert run(store.load, OWNER, "test-data")[0].image == "mydocker/data:2"
    # students never see it
    catalog = DatabaseEnvironmentCatalog(environments=[], cache_seconds=0)
    test = next(e for e in catalog.all_environments() if e.name == "test-data")
    assert test.status == "TEST" and not test.public


def test_only_an_ok_build_is_tested():
    make()
    build = run(image_store.start_build, OWNER, "data", [BASE])
    run(image_store.mark_running, build.id)
    with pytest.raises(PortalError) as excinfo:
        run(image_store.test_environment, OWNER, "data", 1)
    assert refusal(excinfo) == (409, "error_build_not_ok")
    assert RUNNING  # the build is still running: nothing was made
    with pytest.raises(PortalError):
        run(store.load, OWNER, "test-data")


def test_an_image_without_a_custom_interface_saves_with_the_port_it_shows():
    # what the API merges into a change: the image as it reads, its port 0
    values, errors = image_forms.parse_image(
        {"dockerfile": DOCKERFILE, "interfaces": ["jupyterlab"], "custom_port": 0},
        creating=False,
    )
    assert errors == {} and values["custom_port"] == 0

"""The portal's database changes, with their permission checks, on a throw-away SQLite database.

Each call runs in its own transaction, as the handlers run them (``in_db``).
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

from mydocker_hub import db
from mydocker_hub.environments import DatabaseEnvironmentCatalog
from mydocker_hub.portal import forms, store
from mydocker_hub.portal.capacity import Node
from mydocker_hub.portal.errors import InvalidInput, PortalError, VersionConflict
from mydocker_hub.portal.models import Collaborator, EnvironmentRecord, JoinLink, SessionRecord
from mydocker_hub.portal.permissions import Access, Reader

ADMIN = Reader("root", admin=True)
OWNER = Reader("olivia", teacher=True)
VIEWER = Reader("victor", teacher=True)
EDITOR = Reader("edith", teacher=True)
OTHER = Reader("oscar", teacher=True)
STUDENT = Reader("sam")

IMAGES = ["mydocker/jupyterlab:1", "mydocker/vscode:1"]
PARIS = ZoneInfo("Europe/Paris")
GIB = 2**30


@pytest.fixture(autouse=True)
def _database(database):
    yield database


def run(function, *args, **kwargs):
    """``function(session, ...)`` in one transaction, like the handlers' ``in_db``."""
    with db.session() as session:
        return function(session, *args, **kwargs)


def values_of(name, **fields):
    data = {"name": name, "image": IMAGES[0], "mem_limit": "2G", "title": name.title()}
    data.update(fields)
    values, errors = forms.parse_environment(data, images=IMAGES, compute_types=("gpu",))
    assert errors == {}
    return values


def make(name="python", reader=OWNER, *, viewers=("victor",), editors=("edith",), **fields):
    run(store.create, reader, values_of(name, **fields))
    for username in viewers:
        run(store.set_collaborator, reader, name, username, "view")
    for username in editors:
        run(store.set_collaborator, reader, name, username, "edit")


def configured(*entries):
    """Environments of ``jupyterhub_config.py``, written to the database as the hub does."""
    DatabaseEnvironmentCatalog(environments=list(entries))


def row_of(name):
    with db.session() as session:
        return session.scalars(store._query().where(EnvironmentRecord.name == name)).first()


def refused(excinfo):
    error = excinfo.value
    return error.status_code, error.key


def count(model, *where):
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def session_values(start, end, zone="Europe/Paris", students="10", **more):
    data = {"start": start, "end": end, "timezone": zone, "expected_students": students}
    data.update(more)
    values, errors = forms.parse_session(data)
    assert errors == {}
    return values


# ---- create -----------------------------------------------------------------------


def test_create_sets_the_owner_and_the_fields():
    row = run(store.create, OWNER, values_of("python", cpu_limit="2", interfaces=["vscode"]))
    assert row.owner == "olivia"
    assert row.managed_by_config is False
    assert row.version == 1
    stored = row_of("python")
    assert (stored.owner, stored.image, stored.cpu_limit) == ("olivia", IMAGES[0], 2.0)
    assert stored.interfaces == ("vscode",)
    assert stored.status == "DRAFT"
    assert stored.pids_limit == 1024  # not in the form: the model's default


def test_an_admin_creates_too():
    assert run(store.create, ADMIN, values_of("adm")).owner == "root"


def test_create_with_a_taken_name():
    make("python")
    with pytest.raises(InvalidInput) as excinfo:
        run(store.create, OTHER, values_of("python"))
    assert excinfo.value.errors == {"name": "field_name_taken"}
    assert excinfo.value.status_code == 400
    assert excinfo.value.submitted["name"] == "python"
    assert row_of("python").owner == "olivia"


def test_create_with_a_name_taken_by_the_configuration():
    configured({"name": "python", "image": "img:1"})
    with pytest.raises(InvalidInput) as excinfo:
        run(store.create, OWNER, values_of("python"))
    assert excinfo.value.errors == {"name": "field_name_taken"}


def test_a_student_cannot_create():
    with pytest.raises(PortalError) as excinfo:
        run(store.create, STUDENT, values_of("python"))
    assert refused(excinfo) == (403, "error_not_allowed")
    assert row_of("python") is None


# ---- update -----------------------------------------------------------------------


def test_update_with_the_right_version_increments_it():
    make("python")
    version = row_of("python").version
    changed = values_of("python", title="New title", cpu_limit="3", interfaces=["desktop"])
    del changed["name"]
    row = run(store.update, EDITOR, "python", changed, version)
    assert row.version == version + 1
    stored = row_of("python")
    assert (stored.version, stored.title, stored.cpu_limit) == (version + 1, "New title", 3.0)
    assert stored.interfaces == ("desktop",)
    assert stored.owner == "olivia"  # an edit does not change the owner


def test_update_with_an_old_version_is_a_conflict():
    make("python")
    version = row_of("python").version
    run(store.update, OWNER, "python", {"title": "First"}, version)
    with pytest.raises(VersionConflict) as excinfo:
        run(store.update, EDITOR, "python", {"title": "Second"}, version)
    assert excinfo.value.status_code == 409
    assert excinfo.value.key == "error_version_conflict"
    assert excinfo.value.current_version == version + 1
    assert row_of("python").title == "First"


def test_update_of_an_environment_of_the_configuration():
    configured({"name": "conf", "image": "img:1", "teachers": ["edith"]})
    version = row_of("conf").version
    for reader in (ADMIN, EDITOR):
        with pytest.raises(PortalError) as excinfo:
            run(store.update, reader, "conf", {"title": "Mine now"}, version)
        assert refused(excinfo) == (409, "error_managed_by_config")
    assert row_of("conf").title == ""


def test_a_view_collaborator_cannot_update():
    make("python")
    with pytest.raises(PortalError) as excinfo:
        run(store.update, VIEWER, "python", {"title": "x"}, 1)
    assert refused(excinfo) == (403, "error_not_allowed")


@pytest.mark.parametrize("reader", [OTHER, STUDENT], ids=["other-teacher", "student"])
def test_others_do_not_see_the_environment(reader):
    make("python")
    with pytest.raises(PortalError) as excinfo:
        run(store.update, reader, "python", {"title": "x"}, 1)
    assert refused(excinfo) == (404, "error_no_environment")
    assert excinfo.value.values == {"name": "python"}


def test_an_unknown_environment_is_404_even_for_an_admin():
    with pytest.raises(PortalError) as excinfo:
        run(store.load, ADMIN, "nothing")
    assert refused(excinfo) == (404, "error_no_environment")


def test_archiving_through_the_status_is_the_owners():
    make("python")
    version = row_of("python").version
    with pytest.raises(PortalError) as excinfo:
        run(store.update, EDITOR, "python", {"status": "ARCHIVED"}, version)
    assert refused(excinfo) == (403, "error_not_allowed")
    assert row_of("python").status == "DRAFT"
    run(store.update, EDITOR, "python", {"status": "READY"}, version)
    assert row_of("python").status == "READY"
    run(store.update, OWNER, "python", {"status": "ARCHIVED"}, version + 1)
    assert row_of("python").status == "ARCHIVED"


def test_archive():
    make("python")
    with pytest.raises(PortalError) as excinfo:
        run(store.archive, EDITOR, "python")
    assert refused(excinfo) == (403, "error_not_allowed")
    run(store.archive, OWNER, "python")
    assert row_of("python").status == "ARCHIVED"


# ---- duplicate --------------------------------------------------------------------


def test_duplicate_is_a_draft_without_sessions_owned_by_who_copies():
    make("python", status="READY", cpu_limit="3", mem_limit="6G", interfaces=["vscode", "ssh"])
    run(store.add_session, OWNER, "python", session_values("2025-03-10T09:00", "2025-03-10T12:00"))
    copy = run(store.duplicate, VIEWER, "python", "python-copy")
    assert copy.name == "python-copy"
    stored = row_of("python-copy")
    assert stored.owner == "victor"
    assert stored.status == "DRAFT"
    assert stored.sessions == []
    assert stored.collaborators == []
    assert stored.join_links == []
    assert stored.title == "Python (2)"
    assert (stored.image, stored.cpu_limit, stored.mem_limit) == (IMAGES[0], 3.0, "6G")
    assert stored.interfaces == ("vscode", "ssh")
    assert stored.managed_by_config is False
    original = row_of("python")
    assert (original.owner, original.status, len(original.sessions)) == ("olivia", "READY", 1)


def test_duplicate_of_the_configuration_is_the_portals():
    configured({"name": "conf", "image": "img:1", "title": "Conf", "status": "READY"})
    run(store.duplicate, ADMIN, "conf", "conf-2")
    stored = row_of("conf-2")
    assert (stored.managed_by_config, stored.owner, stored.status) == (False, "root", "DRAFT")
    assert stored.title == "Conf (2)"


def test_duplicate_refusals():
    make("python")
    make("other", reader=OTHER, viewers=(), editors=())
    with pytest.raises(PortalError) as excinfo:
        run(store.duplicate, OTHER, "python", "mine")
    assert refused(excinfo) == (404, "error_no_environment")
    with pytest.raises(PortalError) as excinfo:
        run(store.duplicate, STUDENT, "python", "mine")
    assert refused(excinfo) == (403, "error_not_allowed")
    with pytest.raises(InvalidInput) as excinfo:
        run(store.duplicate, OWNER, "python", "other")
    assert excinfo.value.errors == {"name": "field_name_taken"}
    assert row_of("mine") is None


# ---- delete -----------------------------------------------------------------------


def test_delete_is_refused_while_servers_run():
    make("python")
    run(db.Enrolment.add, "python", "s1")
    with pytest.raises(PortalError) as excinfo:
        run(store.delete_environment, OWNER, "python", ["zoe", "bob"])
    assert refused(excinfo) == (409, "error_servers_running")
    assert excinfo.value.values == {"users": "bob, zoe"}
    assert row_of("python") is not None
    assert count(db.Enrolment) == 1


def test_delete_removes_the_environment_and_what_hangs_on_it():
    make("python")
    make("kept", viewers=(), editors=())
    run(store.add_session, OWNER, "python", session_values("2025-03-10T09:00", "2025-03-10T12:00"))
    run(store.new_join_link, OWNER, "python")
    for user in ("s1", "s2"):
        run(db.Enrolment.add, "python", user)
    run(db.Enrolment.add, "kept", "s1")
    run(store.delete_environment, OWNER, "python", [])
    assert row_of("python") is None
    with db.session() as session:
        remaining = session.execute(select(db.Enrolment.environment, db.Enrolment.user)).all()
    assert remaining == [("kept", "s1")]
    assert count(SessionRecord) == 0
    assert count(JoinLink) == 0
    assert count(Collaborator) == 0
    assert row_of("kept") is not None


def test_delete_is_the_owners():
    make("python")
    with pytest.raises(PortalError) as excinfo:
        run(store.delete_environment, EDITOR, "python", [])
    assert refused(excinfo) == (403, "error_not_allowed")
    run(store.delete_environment, ADMIN, "python", ())
    assert row_of("python") is None


# ---- sessions ---------------------------------------------------------------------


def test_sessions_are_stored_in_utc_and_shown_in_their_zone():
    make("python")
    values = session_values("2025-03-10T09:00", "2025-03-10T12:30", students="25", stop_at_end="on")
    record = run(store.add_session, EDITOR, "python", values)
    with db.session() as session:
        raw = session.execute(text('SELECT start, "end" FROM mydocker_sessions')).one()
    assert raw[0].startswith("2025-03-10 08:00:00")
    assert raw[1].startswith("2025-03-10 11:30:00")
    [stored] = row_of("python").sessions
    view = store.session_view(stored)
    assert view == {
        "id": record.id,
        "start": datetime(2025, 3, 10, 9, 0, tzinfo=PARIS),
        "end": datetime(2025, 3, 10, 12, 30, tzinfo=PARIS),
        "timezone": "Europe/Paris",
        "expected_students": 25,
        "block_before_start": False,
        "stop_at_end": True,
    }
    assert view["start"].tzinfo == PARIS
    assert (view["start"].hour, view["start"].minute) == (9, 0)


def test_a_session_in_another_zone_keeps_its_zone():
    make("python")
    values = session_values("2025-07-01T09:00", "2025-07-01T10:00", zone="America/New_York")
    run(store.add_session, OWNER, "python", values)
    [stored] = row_of("python").sessions
    view = store.session_view(stored)
    assert view["start"].tzinfo == ZoneInfo("America/New_York")
    assert view["start"].hour == 9
    assert view["start"].astimezone(UTC) == datetime(2025, 7, 1, 13, 0, tzinfo=UTC)


def test_sessions_are_listed_by_start_and_deleted_one_by_one():
    make("python")
    late = run(
        store.add_session, OWNER, "python", session_values("2025-03-12T09:00", "2025-03-12T10:00")
    )
    early = run(
        store.add_session, OWNER, "python", session_values("2025-03-11T09:00", "2025-03-11T10:00")
    )
    assert [s.id for s in row_of("python").sessions] == [early.id, late.id]
    run(store.delete_session, EDITOR, "python", early.id)
    assert [s.id for s in row_of("python").sessions] == [late.id]
    with pytest.raises(PortalError) as excinfo:
        run(store.delete_session, EDITOR, "python", early.id)
    assert refused(excinfo) == (404, "error_no_session")


def test_sessions_refusals():
    make("python")
    configured({"name": "conf", "image": "img:1", "teachers": ["edith"]})
    values = session_values("2025-03-10T09:00", "2025-03-10T12:00")
    with pytest.raises(PortalError) as excinfo:
        run(store.add_session, VIEWER, "python", values)
    assert refused(excinfo) == (403, "error_not_allowed")
    with pytest.raises(PortalError) as excinfo:
        run(store.add_session, EDITOR, "conf", values)
    assert refused(excinfo) == (409, "error_managed_by_config")
    with pytest.raises(PortalError) as excinfo:
        run(store.add_session, OTHER, "python", values)
    assert refused(excinfo) == (404, "error_no_environment")
    assert count(SessionRecord) == 0


# ---- collaborators ----------------------------------------------------------------


def collaborators_of(name):
    return {c.username: c.permission for c in row_of(name).collaborators}


def test_collaborators_set_change_and_remove():
    make("python", viewers=(), editors=())
    run(store.set_collaborator, OWNER, "python", "victor", "view")
    run(store.set_collaborator, OWNER, "python", "edith", "view")
    assert collaborators_of("python") == {"victor": "view", "edith": "view"}
    run(store.set_collaborator, ADMIN, "python", "edith", "edit")
    assert collaborators_of("python") == {"victor": "view", "edith": "edit"}
    assert count(Collaborator) == 2
    run(store.remove_collaborator, OWNER, "python", "victor")
    assert collaborators_of("python") == {"edith": "edit"}
    with pytest.raises(PortalError) as excinfo:
        run(store.remove_collaborator, OWNER, "python", "victor")
    assert refused(excinfo) == (404, "error_no_collaborator")
    assert excinfo.value.values == {"name": "victor"}


def test_the_owner_cannot_be_a_collaborator():
    make("python", viewers=(), editors=())
    with pytest.raises(InvalidInput) as excinfo:
        run(store.set_collaborator, OWNER, "python", "olivia", "view")
    assert excinfo.value.errors == {"username": "field_owner_is_collaborator"}
    assert collaborators_of("python") == {}


def test_collaborators_are_the_owners():
    make("python")
    with pytest.raises(PortalError) as excinfo:
        run(store.set_collaborator, EDITOR, "python", "oscar", "edit")
    assert refused(excinfo) == (403, "error_not_allowed")
    with pytest.raises(PortalError) as excinfo:
        run(store.remove_collaborator, EDITOR, "python", "victor")
    assert refused(excinfo) == (403, "error_not_allowed")
    assert collaborators_of("python") == {"victor": "view", "edith": "edit"}


def test_a_collaborator_gets_its_access():
    make("python")
    assert run(store.load, VIEWER, "python")[1] is Access.VIEW
    assert run(store.load, EDITOR, "python", "edit")[1] is Access.EDIT
    assert run(store.load, OWNER, "python", "delete")[1] is Access.OWN


# ---- join links -------------------------------------------------------------------


def test_a_new_join_link_replaces_the_old_one():
    make("python")
    first = run(store.new_join_link, EDITOR, "python").token
    second = run(store.new_join_link, OWNER, "python").token
    assert first != second
    assert len(second) >= 24
    assert [link.token for link in row_of("python").join_links] == [second]
    with pytest.raises(PortalError) as excinfo:
        run(store.join, "s1", first)
    assert refused(excinfo) == (404, "error_join_unknown")
    assert run(store.join, "s1", second) == "python"


def test_join_enrols_and_returns_the_name():
    make("python")
    token = run(store.new_join_link, OWNER, "python").token
    assert run(store.join, "s1@moodle", token) == "python"
    assert run(store.join, "s1@moodle", token) == "python"  # twice is harmless
    with db.session() as session:
        assert db.Enrolment.exists(session, "python", "s1@moodle")
    assert count(db.Enrolment) == 1
    assert run(store.enrolled_names, "python") == ["s1@moodle"]


def test_a_join_link_expires():
    make("python")
    before = datetime.now(UTC)
    link = run(store.new_join_link, OWNER, "python", expires_in_days=2)
    expiry = store.expiry_of(row_of("python").join_links[0])
    assert expiry.tzinfo is not None
    assert before + timedelta(days=2) <= expiry <= datetime.now(UTC) + timedelta(days=2)
    token = link.token
    assert run(store.join, "s1", token, now=expiry - timedelta(seconds=1)) == "python"
    with pytest.raises(PortalError) as excinfo:
        run(store.join, "s2", token, now=expiry)
    assert refused(excinfo) == (410, "error_join_expired")
    with pytest.raises(PortalError) as excinfo:
        run(store.join, "s3", token, now=expiry + timedelta(days=1))
    assert refused(excinfo) == (410, "error_join_expired")
    assert run(store.enrolled_names, "python") == ["s1"]
    row = row_of("python")
    assert store.current_join_link(row, now=expiry - timedelta(minutes=1)).token == token
    assert store.current_join_link(row, now=expiry) is None


def test_a_join_link_without_expiry():
    make("python")
    link = run(store.new_join_link, OWNER, "python")
    row = row_of("python")
    assert store.expiry_of(row.join_links[0]) is None
    assert store.expiry_of(None) is None
    far = datetime.now(UTC) + timedelta(days=3650)
    assert store.current_join_link(row, now=far).token == link.token
    assert run(store.join, "s1", link.token, now=far) == "python"


@pytest.mark.parametrize("token", ["no-such-token", "", None])
def test_an_unknown_join_link(token):
    make("python")
    run(store.new_join_link, OWNER, "python")
    with pytest.raises(PortalError) as excinfo:
        run(store.join, "s1", token)
    assert refused(excinfo) == (404, "error_join_unknown")
    assert count(db.Enrolment) == 0


def test_a_join_link_of_an_archived_environment():
    make("python", title="Python for all")
    token = run(store.new_join_link, OWNER, "python").token
    run(store.archive, OWNER, "python")
    with pytest.raises(PortalError) as excinfo:
        run(store.join, "s1", token)
    assert refused(excinfo) == (410, "error_archived")
    assert excinfo.value.values == {"name": "Python for all"}
    assert count(db.Enrolment) == 0


def test_join_links_of_the_configuration_are_managed_here():
    configured({"name": "conf", "image": "img:1", "teachers": ["edith"]})
    token = run(store.new_join_link, EDITOR, "conf").token
    assert run(store.join, "s1", token) == "conf"
    with pytest.raises(PortalError) as excinfo:
        run(store.new_join_link, VIEWER, "conf")
    assert refused(excinfo) == (404, "error_no_environment")


# ---- visible, usable_images -------------------------------------------------------


def visible_to(reader):
    return [(row.name, level) for row, level in run(store.visible, reader)]


def test_visible_for_each_kind_of_reader():
    make("b-python", viewers=("victor",), editors=("edith",))
    make("a-oscar", reader=OTHER, viewers=(), editors=("edith",))
    make("c-alone", viewers=(), editors=())
    configured({"name": "conf", "image": "img:1", "teachers": ["victor"]})
    assert visible_to(ADMIN) == [
        ("a-oscar", Access.OWN),
        ("b-python", Access.OWN),
        ("c-alone", Access.OWN),
        ("conf", Access.OWN),
    ]
    assert visible_to(OWNER) == [("b-python", Access.OWN), ("c-alone", Access.OWN)]
    assert visible_to(VIEWER) == [("b-python", Access.VIEW), ("conf", Access.EDIT)]
    assert visible_to(EDITOR) == [("a-oscar", Access.EDIT), ("b-python", Access.EDIT)]
    assert visible_to(OTHER) == [("a-oscar", Access.OWN)]
    assert visible_to(STUDENT) == []
    assert visible_to(Reader("edith")) == []  # a collaborator who is no longer a teacher


def test_environment_view():
    make("python", idle_minutes="90")
    row, level = run(store.load, EDITOR, "python")
    view = store.environment_view(row, level)
    assert view["access"] == "edit"
    assert view["idle_minutes"] == 90
    assert view["idle_timeout"] == 5400
    assert view["collaborators"] == [
        {"username": "edith", "permission": "edit"},
        {"username": "victor", "permission": "view"},
    ]
    assert view["owner"] == "olivia" and view["managed_by_config"] is False
    assert view["updated"].tzinfo is not None


def test_usable_images():
    standard = ["std:1", "std:2"]
    make("mine", image=IMAGES[1], viewers=(), editors=())
    make("same", image=IMAGES[0], viewers=(), editors=())
    make("theirs", reader=OTHER, image=IMAGES[0], viewers=("olivia",), editors=())
    with db.session() as session:
        session.execute(
            text("UPDATE mydocker_environments SET image = 'secret:1' WHERE name = 'theirs'")
        )
    make("hidden", reader=OTHER, image=IMAGES[0], viewers=(), editors=())
    with db.session() as session:
        session.execute(
            text("UPDATE mydocker_environments SET image = 'hidden:1' WHERE name = 'hidden'")
        )
    assert run(store.usable_images, OWNER, standard) == [
        "std:1",
        "std:2",
        IMAGES[1],
        IMAGES[0],
        "secret:1",
    ]
    assert run(store.usable_images, OTHER, standard) == ["std:1", "std:2", "hidden:1", "secret:1"]
    assert run(store.usable_images, STUDENT, standard) == standard
    images = run(store.usable_images, ADMIN, ["hidden:1"])
    assert images == ["hidden:1", IMAGES[1], IMAGES[0], "secret:1"]
    assert standard == ["std:1", "std:2"]  # the caller's list is not changed


# ---- week, session_verdicts -------------------------------------------------------

NODES = [Node("n1", 16.0, 64 * GIB, {})]
MONDAY = datetime(2025, 3, 10, tzinfo=PARIS)
NEXT_MONDAY = datetime(2025, 3, 17, tzinfo=PARIS)


def plan(name, start, end, students="10", reader=OWNER):
    return run(store.add_session, reader, name, session_values(start, end, students=students))


def test_week_keeps_the_sessions_that_overlap_its_bounds():
    make("python", cpu_limit="2", viewers=(), editors=())
    make("other", reader=OTHER, viewers=(), editors=())
    plan("python", "2025-03-09T20:00", "2025-03-10T00:00")  # ends when the week starts
    plan("python", "2025-03-17T00:00", "2025-03-17T02:00")  # starts when it ends
    late = plan("python", "2025-03-14T09:00", "2025-03-14T12:00")
    straddling = plan("python", "2025-03-09T23:00", "2025-03-10T01:00")
    last = plan("python", "2025-03-16T23:00", "2025-03-17T01:00")
    plan("other", "2025-03-12T09:00", "2025-03-12T12:00", reader=OTHER)
    with db.session() as session:
        week = store.week(session, OWNER, MONDAY, NEXT_MONDAY, NODES)
    assert [item["session"]["id"] for item in week] == [straddling.id, late.id, last.id]
    first = week[0]
    assert first["environment"] == "python"
    assert first["title"] == "Python"
    assert first["session"]["start"] == datetime(2025, 3, 9, 23, 0, tzinfo=PARIS)
    # Sunday 20:00-00:00, outside the week, still competes with it for the nodes.
    assert first["capacity"] == {
        "cpus": 40.0,
        "memory_gb": 40.0,
        "available_cpus": 16.0,
        "available_memory_gb": 64.0,
        "overbooked": True,
        "known": True,
        "overlapping": ["python"],
    }
    assert week[1]["capacity"] == {
        "cpus": 20.0,
        "memory_gb": 20.0,
        "available_cpus": 16.0,
        "available_memory_gb": 64.0,
        "overbooked": True,
        "known": True,
        "overlapping": [],
    }


def test_week_of_an_archived_environment_has_no_capacity():
    make("python", title="", viewers=(), editors=())
    plan("python", "2025-03-11T09:00", "2025-03-11T12:00")
    run(store.archive, OWNER, "python")
    with db.session() as session:
        [item] = store.week(session, OWNER, MONDAY, NEXT_MONDAY, NODES)
    assert item["title"] == "python"
    assert item["capacity"] is None
    with db.session() as session:
        assert store.week(session, STUDENT, MONDAY, NEXT_MONDAY, NODES) == []


def test_session_verdicts_count_the_overlapping_sessions_of_every_environment():
    make("python", cpu_limit="2", cpu_reservation="0.5", mem_limit="4G", mem_reservation="1G")
    make("other", reader=OTHER, cpu_limit="1", mem_limit="2G", viewers=(), editors=())
    make("gone", reader=OTHER, cpu_limit="8", mem_limit="8G", viewers=(), editors=())
    morning = plan("python", "2025-03-10T09:00", "2025-03-10T12:00", students="20")
    evening = plan("python", "2025-03-10T18:00", "2025-03-10T20:00", students="4")
    plan("other", "2025-03-10T11:00", "2025-03-10T13:00", students="10", reader=OTHER)
    plan("gone", "2025-03-10T09:00", "2025-03-10T20:00", students="50", reader=OTHER)
    run(store.archive, OTHER, "gone")  # an archived environment needs nothing
    verdicts = run(store.session_verdicts, "python", NODES)
    assert verdicts == {
        morning.id: {
            "cpus": 20.0,  # 20 × 0.5 + 10 × 1
            "memory_gb": 40.0,  # 20 × 1G + 10 × 2G
            "available_cpus": 16.0,
            "available_memory_gb": 64.0,
            "overbooked": True,
            "known": True,
            "overlapping": ["other"],
        },
        evening.id: {
            "cpus": 2.0,
            "memory_gb": 4.0,
            "available_cpus": 16.0,
            "available_memory_gb": 64.0,
            "overbooked": False,
            "known": True,
            "overlapping": [],
        },
    }
    assert run(store.session_verdicts, "nothing", NODES) == {}
    assert run(store.session_verdicts, "gone", NODES) == {}


# ---- what the hub reads of the portal's changes -----------------------------------


def test_the_hubs_catalog_reads_what_the_portal_wrote():
    make("python", status="READY", cpu_limit="2", interfaces=["vscode"])
    plan("python", "2025-03-10T09:00", "2025-03-10T12:00", students="12")
    catalog = DatabaseEnvironmentCatalog(write_configured=False, cache_seconds=0)
    environment = catalog.get("python")
    assert environment.teachers == frozenset({"olivia", "victor", "edith"})
    assert (environment.status, environment.cpu_limit) == ("READY", 2.0)
    assert environment.interfaces == ("vscode",)
    [session] = environment.sessions
    assert session.start == datetime(2025, 3, 10, 9, 0, tzinfo=PARIS)
    assert session.start.utcoffset() == timedelta(hours=1)
    assert session.expected_students == 12
    run(store.update, OWNER, "python", {"cpu_limit": 4.0}, row_of("python").version)
    assert catalog.get("python").cpu_limit == 4.0  # the next start sees the edit


def test_the_configuration_never_overwrites_an_environment_of_the_portal():
    make("python", viewers=(), editors=())
    configured({"name": "python", "image": "img:conf", "teachers": ["mallory"]})
    row = row_of("python")
    assert (row.image, row.owner, row.managed_by_config) == (IMAGES[0], "olivia", False)
    assert collaborators_of("python") == {}

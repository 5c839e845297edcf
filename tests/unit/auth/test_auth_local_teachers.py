"""One definition of a teacher: a local teacher (or admin) account is what an LMS teacher is.

At login (`RoleMapping.kind`), in the admin CLI's user model (the groups it sets
through the REST API) and when the hub creates the user (`add_user` gives the
``teacher`` role, which the REST API cannot).
"""

from datetime import UTC, datetime

import pytest
from jupyterhub import orm, scopes
from jupyterhub.roles import create_role, get_default_roles
from jupyterhub.utils import maybe_future  # how JupyterHub calls `add_user`

from mydocker_hub import accounts, authenticator
from mydocker_hub.auth.identity import Identity
from mydocker_hub.auth.roles import (
    CUSTOM_SCOPES,
    TEACHER_ROLE,
    RoleMapping,
    groups_and_roles,
    kind_of_local_role,
)

LMS_TEACHER = Identity("lti11", "moodle", "t1", lti_roles=("Instructor",))


@pytest.mark.parametrize(
    "role, kind", [("teacher", "teacher"), ("admin", "teacher"), ("student", "student")]
)
def test_a_local_role_is_the_kind_its_logins_get(role, kind):
    assert kind_of_local_role(role) == kind
    local = Identity("local", "local", "x", local_role=role)
    assert RoleMapping().kind("x", local) == kind


def test_nothing_but_a_local_teacher_or_admin_role_is_a_teacher():
    for role in ("", None, "Teacher", "teachers", "instructor"):
        assert kind_of_local_role(role) == "student"


def test_a_local_teacher_logs_in_with_exactly_an_lms_teachers_groups_and_roles():
    mapping = RoleMapping()
    local = Identity("local", "local", "prof", local_role="teacher")
    as_local = groups_and_roles(mapping.kind("prof", local), admin=False)
    as_lms = groups_and_roles(mapping.kind("t1@moodle", LMS_TEACHER), admin=False)
    assert as_local == as_lms
    assert as_local[0] == ["teachers"]
    assert [role["name"] for role in as_local[1]] == ["user", "teacher"]


@pytest.mark.parametrize(
    "role, groups, admin",
    [
        ("teacher", ["teachers"], False),
        ("admin", ["teachers"], True),
        ("student", ["students"], False),
    ],
)
def test_the_admin_clis_user_model_has_the_groups_of_the_accounts_logins(role, groups, admin):
    model = authenticator.user_model("x", role)
    assert model == {"name": "x", "admin": admin, "groups": groups}
    local = Identity("local", "local", "x", local_role=role)
    assert model["groups"] == groups_and_roles(RoleMapping().kind("x", local), admin)[0]


def test_role_of_matches_only_the_exact_account(database):
    accounts.create("prof", "teacher", password="p" * 12)
    assert accounts.role_of("prof") == "teacher"
    assert accounts.role_of("Prof") is None
    assert accounts.role_of(" prof") is None
    assert accounts.role_of("~50rof@moodle") is None
    assert accounts.role_of("nobody") is None


# -- the role given when the hub creates the user ------------------------------------


@pytest.fixture
def hub_db():
    """JupyterHub's own database, in memory, with its default roles and the teacher role."""
    missing = {k: v for k, v in CUSTOM_SCOPES.items() if k not in scopes.scope_definitions}
    if missing:
        scopes.define_custom_scopes(missing)
    session = orm.new_session_factory("sqlite://")()
    for role in get_default_roles():
        create_role(session, role)
    create_role(session, {**TEACHER_ROLE, "managed_by_auth": True})
    yield session
    session.close()


def new_hub_user(session, name, last_activity=None):
    user = orm.User(name=name, last_activity=last_activity)
    session.add(user)
    session.commit()
    return user


def role_names(user):
    return {role.name for role in user.roles}


async def test_a_new_local_teacher_or_admin_gets_the_teacher_role_from_the_hub(database, hub_db):
    accounts.create("prof", "teacher", password="p" * 12)
    accounts.create("boss", "admin", password="p" * 12)
    auth = authenticator.MyDockerAuthenticator()
    for name in ("prof", "boss"):
        user = new_hub_user(hub_db, name)
        await maybe_future(auth.add_user(user))
        assert "teacher" in role_names(user), name
        association = hub_db.query(orm._role_associations["user"]).filter_by(user_id=user.id)
        # managed by the authenticator, like a login's: a later login may take it back
        assert [a.managed_by_auth for a in association] == [True]
    await maybe_future(auth.add_user(hub_db.get(orm.User, user.id)))  # twice: nothing more
    assert len(user.roles) == 1


async def test_students_lms_users_and_users_who_logged_in_get_no_role_from_the_hub(
    database, hub_db
):
    accounts.create("eleve", "student", password="p" * 12)
    accounts.create("prof", "teacher", password="p" * 12)
    auth = authenticator.MyDockerAuthenticator()
    student = new_hub_user(hub_db, "eleve")
    lms_user = new_hub_user(hub_db, "t1@moodle")
    # a teacher account that logged in: its logins decide (a linked federation login
    # as a student took the role back)
    logged_in = new_hub_user(hub_db, "prof", last_activity=datetime.now(UTC))
    for user in (student, lms_user, logged_in):
        await maybe_future(auth.add_user(user))
        assert role_names(user) == set(), user.name


async def test_a_hub_without_the_teacher_role_still_creates_the_user(database):
    accounts.create("prof", "teacher", password="p" * 12)
    session = orm.new_session_factory("sqlite://")()
    user = new_hub_user(session, "prof")
    await maybe_future(authenticator.MyDockerAuthenticator().add_user(user))
    assert role_names(user) == set()


async def test_an_unreadable_account_database_does_not_prevent_creating_the_user(
    hub_db, monkeypatch
):
    def broken(name):
        raise OSError("database is locked")

    monkeypatch.setattr(accounts, "role_of", broken)
    user = new_hub_user(hub_db, "prof")
    await maybe_future(authenticator.MyDockerAuthenticator().add_user(user))
    assert role_names(user) == set()

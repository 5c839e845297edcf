"""What a launch costs the hub: queries on the event loop, statements of the nonce check,
the login's records and the enrolment."""

from types import SimpleNamespace

from sqlalchemy import event
from traitlets.config import Config

from mydocker_hub import accounts, db
from mydocker_hub.auth import nonces, store
from mydocker_hub.auth.identity import Identity
from mydocker_hub.auth.nonces import DatabaseNonceStore
from mydocker_hub.auth.roles import groups_and_roles
from mydocker_hub.authenticator import MyDockerAuthenticator

USER_ROLE = {"name": "user", "description": "as the hub has it", "scopes": ["self", "read:groups"]}


class Handler:
    """What `authenticate` uses of an LTI launch's handler, counting the user lookups."""

    identity_source = "lti11"
    db = None

    def __init__(self, users=()):
        self.users = {user.name: user for user in users}
        self.lookups = 0

    def find_user(self, name):
        self.lookups += 1
        return self.users.get(name)


def hub_user(name, roles, groups=()):
    """A hub user as `auth_model` reads it (roles granted by logins)."""
    role_rows = [SimpleNamespace(name=r, managed_by_auth=True) for r in roles]
    group_rows = [SimpleNamespace(name=g) for g in groups]
    return SimpleNamespace(
        name=name, admin=False, orm_user=SimpleNamespace(roles=role_rows, groups=group_rows)
    )


def authenticator():
    """Ours, counting the reads of the user role's definition (a query on the event loop)."""
    auth = MyDockerAuthenticator()
    auth.role_reads = 0

    def role_definition(_db, name):
        auth.role_reads += 1
        return dict(USER_ROLE)

    auth.role_definition = role_definition
    return auth


def student_launch(subject):
    return {"identity": Identity("lti11", "moodle", subject, lti_roles=("Learner",))}


async def test_a_new_student_is_looked_up_once_and_no_role_is_read():
    auth, handler = authenticator(), Handler()
    model = await auth.authenticate(handler, student_launch("s1"))
    assert (model["name"], model["groups"], model["roles"]) == ("s1@moodle", ["students"], None)
    assert handler.lookups == 1
    assert auth.role_reads == 0
    # its own login created it: `add_user` need not read a local account
    assert "s1@moodle" in auth._logging_in


async def test_the_user_role_is_read_only_when_the_login_syncs_roles():
    auth = authenticator()
    # a former teacher: the login strips the teacher role, so roles are synced
    handler = Handler([hub_user("s2@moodle", ["user", "teacher"], ["teachers"])])
    model = await auth.authenticate(handler, student_launch("s2"))
    assert handler.lookups == 1
    assert auth.role_reads == 1
    assert model["roles"] == groups_and_roles("student", False, user_role=USER_ROLE)[1]
    assert model["roles"][0] == USER_ROLE
    assert "s2@moodle" not in auth._logging_in
    # a student already: nothing to grant or strip, nothing read
    handler = Handler([hub_user("s3@moodle", ["user"], ["students"])])
    assert (await auth.authenticate(handler, student_launch("s3")))["roles"] is None
    assert auth.role_reads == 1


def listening(engine, name, record, function):
    """`function`'s result, with `record` listening to `engine`'s event `name` meanwhile."""
    event.listen(engine, name, record)
    try:
        return function()
    finally:
        event.remove(engine, name, record)


def statements_of(engine, function):
    """The SQL statements `function` runs on the platform's database (`engine`)."""
    seen = []

    def record(conn, cursor, statement, *args):
        seen.append(statement.split()[0].upper())

    return listening(engine, "before_cursor_execute", record, function), seen


def test_a_nonce_check_is_one_insert_and_forgets_expired_ones_every_interval(database, clock):
    store = DatabaseNonceStore("lti11", size=10, ttl=60, clock=clock, prune_interval=30)
    # the first check also forgets the expired ones and counts against the bound
    assert statements_of(database, lambda: store.use("n1")) == (
        True,
        ["DELETE", "INSERT", "SELECT"],
    )
    # then, until the interval is over, a check is one insert, with no lookup first
    assert statements_of(database, lambda: store.use("n2")) == (True, ["INSERT"])
    # a replay fails on the key, and is not an expired nonce
    assert statements_of(database, lambda: store.use("n1")) == (False, ["INSERT", "DELETE"])
    clock.now += 31
    assert statements_of(database, lambda: store.use("n3"))[1] == ["DELETE", "INSERT", "SELECT"]
    assert len(store) == 3


def test_an_expired_nonce_not_yet_forgotten_is_accepted_again(database, clock):
    store = DatabaseNonceStore("lti11", ttl=60, clock=clock, prune_interval=3600)
    assert store.use("n1")
    clock.now += 61
    # still in the table (no pruning for an hour), but expired: not a replay
    assert statements_of(database, lambda: store.use("n1")) == (
        True,
        ["INSERT", "DELETE", "INSERT"],
    )
    assert not store.use("n1")
    assert len(store) == 1


def executed(engine, function):
    """`function`'s result and the statement objects it ran on the platform's database."""
    seen = []

    def record(conn, statement, *args):
        seen.append(statement)

    return listening(engine, "before_execute", record, function), seen


# What a launch runs, each statement built once (building one, and its cache key, costs
# SQLAlchemy more than running it; so does an ORM lookup's bookkeeping).
BUILT_ONCE = {
    "nonce": nonces._USE_NONCE,
    "link of the identity": store._USERNAME_OF,
    "links of the name": store._KEYS_OF,
    "local account": accounts._ROLE_OF,
    "new link": store._ADD_LINK,
    "person": store._PERSON,
    "new person": store._ADD_PERSON,
    "admin grant": store._ADMIN_GRANT,
    "enrolled": db._ENROLLED,
    "enrolment": db._ENROL,
    "lms link": store._LMS_LINK,
}


def names_of(statements):
    by_id = {id(statement): name for name, statement in BUILT_ONCE.items()}
    return [by_id.get(id(statement), str(statement).split()[0]) for statement in statements]


def launching_authenticator():
    config = Config()
    config.StaticEnvironmentCatalog.environments = [
        {"name": "intro", "image": "img:1", "public": True}
    ]
    return MyDockerAuthenticator(config=config)


def class_launch(subject):
    return Identity(
        "lti11",
        "moodle",
        subject,
        lti_roles=("Learner",),
        environment="intro",
        activity="lti11:moodle:activity-1",
        display_name=f"Student {subject}",
    )


def test_a_new_and_a_returning_student_launch_with_statements_built_once(database):
    auth = launching_authenticator()
    nonce_store = DatabaseNonceStore("lti11")
    nonce_store.use("the first check also forgets expired ones")
    auth.record_lms_link(class_launch("s0"), "intro")  # the activity's first launch

    def launch(subject, nonce):
        identity = class_launch(subject)
        assert nonce_store.use(nonce)
        name, admin = db.one_transaction(auth.record_login, identity)
        return db.one_transaction(auth.enrol_from_launch, name, bool(admin), identity)

    enrolled, new = executed(database, lambda: launch("s1", "n1"))
    assert enrolled == "intro"
    assert names_of(new) == [
        "nonce",
        "link of the identity",
        "links of the name",
        "local account",
        "new link",
        "person",
        "new person",
        "admin grant",
        "enrolled",
        "enrolment",
        "lms link",
    ]
    _, returning = executed(database, lambda: launch("s1", "n2"))
    assert names_of(returning) == [
        "nonce",
        "link of the identity",
        "person",
        "admin grant",
        "enrolled",
        "lms link",
    ]

"""A login looks its user up once; a new user joins its login's groups without a commit."""

import asyncio

from jupyterhub import orm
from jupyterhub.utils import maybe_future  # how JupyterHub calls `add_user`
from sqlalchemy import event

from mydocker_hub.auth.login_lookup import OneUserLookupPerLogin, find_user_for_login
from mydocker_hub.authenticator import MyDockerAuthenticator


class HubHandler:
    """JupyterHub's `find_user`, counting the lookups (each a query on the event loop)."""

    def __init__(self, users):
        self.users = users
        self.lookups = 0

    def find_user(self, name):
        self.lookups += 1
        return self.users.get(name)


class LoginHandler(OneUserLookupPerLogin, HubHandler):
    pass


def test_jupyterhub_gets_the_user_that_authenticate_found_once():
    ada = object()
    handler = LoginHandler({"ada": ada})
    assert find_user_for_login(handler, "ada") is ada
    # auth_to_user's lookup: the same user, no query
    assert handler.find_user("ada") is ada
    assert handler.lookups == 1
    # only once: a later lookup reads the hub again
    assert handler.find_user("ada") is ada
    assert handler.lookups == 2


def test_a_new_user_is_looked_up_twice_not_three_times():
    handler = LoginHandler({})
    assert find_user_for_login(handler, "new") is None
    assert handler.find_user("new") is None  # auth_to_user: kept
    assert handler.find_user("new") is None  # user_from_username, before creating it
    assert handler.lookups == 2


def test_another_name_is_looked_up():
    handler = LoginHandler({"ada": "A", "bob": "B"})
    find_user_for_login(handler, "ada")
    assert handler.find_user("bob") == "B"
    assert handler.lookups == 2


def test_a_handler_without_the_mixin_looks_up_as_usual():
    handler = HubHandler({"ada": "A"})
    assert find_user_for_login(handler, "ada") == "A"
    assert handler.find_user("ada") == "A"
    assert handler.lookups == 2


def hub_session():
    return orm.new_session_factory("sqlite://")()


def statements(session, function):
    seen = []
    engine = session.get_bind()
    listener = lambda *args: seen.append(" ".join(args[2].split()))  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        function()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seen


def test_a_new_user_joins_its_groups_without_a_commit_and_later_ones_without_a_query():
    session = hub_session()
    session.add(orm.Group(name="students"))
    first, second = orm.User(name="s1"), orm.User(name="s2")
    session.add_all([first, second])
    session.commit()
    auth = MyDockerAuthenticator()
    commits = []
    event.listen(session, "after_commit", lambda s: commits.append(1))

    auth.join_groups(first, ["students"])
    assert [g.name for g in first.groups] == ["students"]
    assert commits == []
    # the group is known now: the next new user's join does not look it up
    seen = statements(session, lambda: auth.join_groups(second, ["students"]))
    assert [s for s in seen if "groups.name" in s.split(" WHERE ")[-1]] == []
    # only the user's own (empty) groups, before they are replaced, and the first
    # user's membership flushed before that query
    assert [s.split()[0] for s in seen] == ["INSERT", "SELECT"]
    session.commit()
    students = orm.Group.find(session, "students")
    assert sorted(u.name for u in students.users) == ["s1", "s2"]


def test_a_group_that_does_not_exist_yet_is_left_to_jupyterhubs_sync():
    session = hub_session()
    user = orm.User(name="t1")
    session.add(user)
    session.commit()
    MyDockerAuthenticator().join_groups(user, ["teachers"])
    assert user.groups == []
    assert orm.Group.find(session, "teachers") is None


async def test_a_new_user_joins_its_groups_with_no_other_request_running_before_the_commit():
    """JupyterHub awaits `add_user` through ``maybe_future``, then commits. Were the
    groups set in a coroutine, another request could end in between, and its
    ``finish`` would roll back the hub's session, these groups with it."""
    session = hub_session()
    session.add(orm.Group(name="students"))
    user = orm.User(name="s1")
    session.add(user)
    session.commit()
    auth = MyDockerAuthenticator()
    auth._logging_in["s1"] = ["students"]
    other_requests = []

    async def another_request():
        other_requests.append("ran")

    other = asyncio.ensure_future(another_request())
    await maybe_future(auth.add_user(user))
    assert [g.name for g in user.groups] == ["students"]
    assert other_requests == [], "another request ran while the groups were not committed"
    await other
    assert other_requests == ["ran"]

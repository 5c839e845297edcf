"""`db.one_transaction`: a request's steps in one transaction, run again after a conflict;
`db.run_short`: where a request's few statements run."""

import threading

import pytest
from sqlalchemy import create_engine, event, select
from sqlalchemy.exc import IntegrityError

from mydocker_hub import db
from mydocker_hub.auth.store import IdentityLink, LinkStore


def commits_of(engine, function):
    """`function`'s result and the number of commits it made."""
    commits = []
    listener = lambda conn: commits.append(1)  # noqa: E731
    event.listen(engine, "commit", listener)
    try:
        return function(), len(commits)
    finally:
        event.remove(engine, "commit", listener)


def usernames():
    with db.session() as session:
        return sorted(session.scalars(select(IdentityLink.username)))


def test_the_steps_of_a_request_share_one_commit(database):
    links = LinkStore()

    def login():
        links.link("lti11:moodle:1", "ada")
        links.record_person("ada", "Ada Lovelace")
        links.record_admin_grant("ada", True)
        return links.username_of("lti11:moodle:1")

    assert commits_of(database, lambda: db.one_transaction(login)) == ("ada", 1)
    # the same steps, each on its own
    assert commits_of(database, lambda: links.link("lti11:moodle:2", "bob"))[1] == 1
    assert usernames() == ["ada", "bob"]


def test_a_step_that_fails_leaves_nothing_of_the_request(database):
    links = LinkStore()

    def login():
        links.link("lti11:moodle:1", "ada")
        raise RuntimeError("refused after the link")

    with pytest.raises(RuntimeError):
        db.one_transaction(login)
    assert usernames() == []


def test_a_conflict_with_a_concurrent_request_runs_the_request_once_more(database):
    """The other request links the same identity between our lookup and our insert:
    our step swallows the conflict (as `LinkStore.link` does), the request runs again,
    sees the row and writes nothing twice."""
    runs = []

    def concurrent_link():
        with db._sessionmaker() as other, other.begin():
            other.add(IdentityLink(key="lti11:moodle:1", username="ada"))

    def login():
        runs.append(1)
        try:
            with db.session() as session:
                known = session.get(IdentityLink, "lti11:moodle:1")
                if known is None:
                    if len(runs) == 1:
                        concurrent_link()
                    session.add(IdentityLink(key="lti11:moodle:1", username="ada"))
        except IntegrityError:
            pass
        with db.session() as session:
            return session.get(IdentityLink, "lti11:moodle:1").username

    assert db.one_transaction(login) == "ada"
    assert len(runs) == 2
    assert usernames() == ["ada"]


async def test_a_requests_short_work_runs_on_the_event_loop_with_sqlite(database):
    loop_thread = threading.get_ident()
    assert await db.run_short(threading.get_ident) == loop_thread


async def test_a_requests_short_work_runs_in_a_thread_with_a_server_database(monkeypatch):
    # Not connected: creating the engine reaches no server.
    monkeypatch.setattr(db, "_engine", create_engine("postgresql+psycopg://hub@db.invalid/hub"))
    loop_thread = threading.get_ident()
    assert await db.run_short(threading.get_ident) != loop_thread

"""My environments as a pure function of environments, enrolments, servers and the user."""

from datetime import UTC, datetime

import pytest

from mydocker_hub.environments import Environment
from mydocker_hub.portal import listing
from mydocker_hub.sessions import Session

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
URLS = {"base_url": "/", "hub_prefix": "/hub/", "portal": "/services/mydocker/"}


def env(name, **kw):
    return Environment(name=name, image="img:1", **kw)


CATALOG = [
    env("public", public=True),
    env("enrolled-only"),
    env("private", teachers={"other-teacher"}),
    env("own-draft", status="DRAFT", teachers={"teacher"}),
    env("own-test", status="TEST", teachers={"teacher"}),
    env("others-draft", status="DRAFT", teachers={"other-teacher"}),
    env("archived", public=True, status="ARCHIVED", teachers={"teacher"}),
]


@pytest.mark.parametrize(
    "user, is_admin, enrolled, expected",
    [
        pytest.param("student", False, set(), ["public"], id="student-not-enrolled"),
        pytest.param(
            "student", False, {"enrolled-only"}, ["public", "enrolled-only"], id="enrolled-student"
        ),
        pytest.param(
            "student", False, {"own-draft", "archived"}, ["public"], id="enrolled-in-draft-archived"
        ),
        pytest.param(
            "teacher", False, set(), ["public", "own-draft", "own-test"], id="teacher-owner"
        ),
        pytest.param(
            "other-teacher", False, set(), ["public", "private", "others-draft"], id="other-teacher"
        ),
        pytest.param(
            "root",
            True,
            set(),
            ["public", "enrolled-only", "private", "own-draft", "own-test", "others-draft"],
            id="admin",
        ),
    ],
)
def test_startable_follows_access_refusal(user, is_admin, enrolled, expected):
    chosen = listing.startable(CATALOG, user, is_admin=is_admin, enrolled=enrolled)
    assert [e.name for e in chosen] == expected


@pytest.mark.parametrize(
    "server, state",
    [
        pytest.param(None, "stopped", id="no-server"),
        pytest.param({"ready": False, "pending": None}, "stopped", id="stopped"),
        pytest.param({"ready": False, "pending": "spawn"}, "starting", id="spawn-pending"),
        pytest.param({"ready": True, "pending": None}, "running", id="ready"),
        pytest.param({"ready": True, "pending": "stop"}, "stopping", id="stop-pending"),
    ],
)
def test_server_state(server, state):
    assert listing.server_state(server) == state


def slot(start, end, **kw):
    return Session(start=start, end=end, timezone="Europe/Paris", **kw)


def test_the_current_session_is_shown_before_the_next():
    now_slot = slot("2026-03-02T09:00", "2026-03-02T12:00")
    later = slot("2026-03-09T09:00", "2026-03-09T12:00")
    past = slot("2026-02-23T09:00", "2026-02-23T12:00")
    assert listing.session_to_show((past, later, now_slot), NOW) == ("now", now_slot)
    assert listing.session_to_show((past, later), NOW) == ("next", later)
    assert listing.session_to_show((past,), NOW) is None


def test_cards_carry_state_session_and_the_hub_urls():
    blocked = slot("2026-03-09T09:00", "2026-03-09T12:00", block_before_start=True)
    environments = [
        env("a", title="A <b>", description="first", public=True),
        env("b", public=True, sessions=(blocked,)),
        env("c", public=True),
    ]
    servers = {"a": {"ready": True, "pending": None}, "c": {"ready": False, "pending": "spawn"}}
    cards = listing.cards(
        environments, "id 7@moodle", servers=servers, urls=URLS, now=NOW, enrolled=set()
    )
    assert [(c.name, c.state, c.blocked) for c in cards] == [
        ("a", "running", False),
        ("b", "stopped", True),
        ("c", "starting", False),
    ]
    first = cards[0]
    assert first.title == "A <b>"  # escaped by the template, not here
    assert first.start_url == "/hub/spawn/id%207@moodle/a"
    assert first.open_url == "/user/id%207@moodle/a/"
    assert cards[1].session == ("next", blocked)


def test_a_title_defaults_to_the_name():
    [card] = listing.cards([env("plain", public=True)], "s", servers={}, urls=URLS, now=NOW)
    assert card.title == "plain"


def test_enrolments_of_reads_one_users_enrolments(database):
    from mydocker_hub import db
    from mydocker_hub.environments import StaticEnvironmentCatalog

    with db.session() as session:
        db.Enrolment.add(session, "python-l1", "eleve")
        db.Enrolment.add(session, "intro", "eleve")
        db.Enrolment.add(session, "python-l1", "autre")
    catalog = StaticEnvironmentCatalog()
    assert catalog.enrolments_of("eleve") == {"python-l1", "intro"}
    assert catalog.enrolments_of("nobody") == frozenset()

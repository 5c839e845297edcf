from datetime import UTC, datetime, timedelta

import pytest

from mydocker_hub.environments import Environment
from mydocker_hub.sessions import Session, start_refusal, stop_time

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a Monday, 13:00 in Paris


def session(start_hours, end_hours, **kw):
    return Session(
        start=NOW + timedelta(hours=start_hours), end=NOW + timedelta(hours=end_hours), **kw
    )


def test_blocked_before_start_says_when_in_the_session_time_zone():
    sessions = [session(2, 4, block_before_start=True)]
    assert start_refusal(sessions, NOW) == (
        "This environment opens on Monday 23 November 2026 at 15:00 (Europe/Paris). Come back then."
    )


@pytest.mark.parametrize(
    "sessions",
    [
        [],
        [session(2, 4)],
        [session(-1, 1, block_before_start=True)],
        [session(-1, 1), session(2, 4, block_before_start=True)],
        [session(-5, -4, block_before_start=True)],
    ],
    ids=["no-session", "not-blocking", "during", "during-another", "after"],
)
def test_starts_allowed(sessions):
    assert start_refusal(sessions, NOW) is None


def test_stop_at_end_only_for_the_current_session():
    assert stop_time([session(-1, 1, stop_at_end=True)], NOW) == NOW + timedelta(hours=1)
    assert stop_time([session(-1, 1)], NOW) is None
    assert stop_time([session(1, 2, stop_at_end=True)], NOW) is None


def test_sessions_come_from_plain_dicts_with_naive_local_times():
    environment = Environment.from_dict(
        {
            "name": "tp",
            "image": "img",
            "sessions": [{"start": "2026-11-23T14:00", "end": "2026-11-23T16:00"}],
        }
    )
    [s] = environment.sessions
    assert s.start == datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "data, error",
    [
        ({"start": "2026-11-23T14:00", "end": "2026-11-23T13:00"}, "must end after"),
        ({"start": "yesterday", "end": "2026-11-23T13:00"}, "Invalid isoformat"),
        (
            {"start": "2026-11-23T14:00", "end": "2026-11-23T15:00", "timezone": "Mars/Olympus"},
            "Mars",
        ),
    ],
    ids=["end-before-start", "bad-date", "bad-zone"],
)
def test_bad_sessions_are_refused(data, error):
    with pytest.raises(Exception, match=error):
        Session.from_dict(data)

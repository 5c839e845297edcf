"""Sessions: planned slots of an environment, and what they allow right now.

A session may block starts before it begins ("block before start") and stop
the servers when it ends ("stop at end"). Times are stored with their zone
and told to students in the session's time zone.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Europe/Paris"


def parse_time(value, timezone):
    """An aware datetime from an ISO string or datetime (naive ones are in `timezone`)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment


@dataclass(frozen=True)
class Session:
    """One planned slot of an environment."""

    start: datetime
    end: datetime
    expected_students: int = 0
    block_before_start: bool = False
    stop_at_end: bool = False
    timezone: str = DEFAULT_TIMEZONE

    def __post_init__(self):
        ZoneInfo(self.timezone)  # raises on an unknown zone
        object.__setattr__(self, "start", parse_time(self.start, self.timezone))
        object.__setattr__(self, "end", parse_time(self.end, self.timezone))
        if self.end <= self.start:
            raise ValueError(f"a session must end after it starts ({self.start} - {self.end})")

    @classmethod
    def from_dict(cls, data):
        return cls(**data)

    def contains(self, now):
        return self.start <= now < self.end

    def local(self, moment):
        return moment.astimezone(ZoneInfo(self.timezone))


def current_session(sessions, now=None):
    """The session going on at `now`, or None."""
    now = now or datetime.now(UTC)
    return next((s for s in sessions if s.contains(now)), None)


def start_refusal(sessions, now=None, lang="en"):
    """Why a server may not start at `now` because of its sessions (in `lang`), or None.

    Starts are refused only before a session that blocks them, when no other
    session is going on.
    """
    from .refusals import opening_time, say

    now = now or datetime.now(UTC)
    if current_session(sessions, now):
        return None
    upcoming = sorted((s for s in sessions if s.start > now), key=lambda s: s.start)
    if upcoming and upcoming[0].block_before_start:
        session = upcoming[0]
        when = opening_time(session.local(session.start), lang)
        return say("opens_on", lang, when=when, zone=session.timezone)
    return None


def stop_time(sessions, now=None):
    """When a server started at `now` must stop (end of a "stop at end" session), or None."""
    session = current_session(sessions, now)
    if session and session.stop_at_end:
        return session.end
    return None

"""The activity log as the administrator sees it: filtered, newest first, and as CSV.

The hub writes the events (`mydocker_hub.swarm.activity`); here they are read.
Times are UTC: SQLite keeps them without their zone, so the bounds of a
query are turned to UTC before they are compared.
"""

import csv
import io
from datetime import UTC

from sqlalchemy import select

from ..swarm.activity import INTERRUPTED
from .models import ActivityEvent

COLUMNS = ("time", "user", "environment", "server", "event", "node", "detail")

# A cell starting with one of these is a formula to a spreadsheet (CSV injection);
# tab and carriage return too, which some spreadsheets skip before one.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _utc(moment):
    """`moment` in UTC; a naive one is taken as UTC already (as the database keeps them)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def query(session, *, user=None, environment=None, event=None, since=None, until=None, limit=500):
    """The events matching every filter given, newest first, at most `limit` of them.

    `since` is included and `until` is not: consecutive periods never count an
    event twice. `event` is one name or a collection of names.
    """
    statement = select(ActivityEvent)
    if user:
        statement = statement.where(ActivityEvent.user == user)
    if environment:
        statement = statement.where(ActivityEvent.environment == environment)
    if event:
        events = [event] if isinstance(event, str) else list(event)
        statement = statement.where(ActivityEvent.event.in_(events))
    if since is not None:
        statement = statement.where(ActivityEvent.time >= _utc(since))
    if until is not None:
        statement = statement.where(ActivityEvent.time < _utc(until))
    statement = statement.order_by(ActivityEvent.time.desc(), ActivityEvent.id.desc())
    if limit:
        statement = statement.limit(limit)
    return list(session.scalars(statement))


def interrupted(session, user, since):
    """The environments whose last event for `user` since `since` is an interrupted start.

    "My environments" tells the student so, next to the Start button.
    """
    statement = (
        select(ActivityEvent.environment, ActivityEvent.event)
        .where(ActivityEvent.user == user, ActivityEvent.time >= _utc(since))
        .order_by(ActivityEvent.time, ActivityEvent.id)
    )
    last = dict(session.execute(statement).all())
    return {environment for environment, event in last.items() if event == INTERRUPTED}


def iso_time(moment):
    """ISO 8601 in UTC, to the second: ``2025-03-01T09:30:00Z``."""
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def safe_cell(value):
    """The value as text, with a leading apostrophe if a spreadsheet would run it."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def to_csv(rows):
    """CSV text of the events `rows`, with a header line."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [iso_time(row.time)] + [safe_cell(getattr(row, column)) for column in COLUMNS[1:]]
        )
    return out.getvalue()

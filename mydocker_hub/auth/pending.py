"""Choices a teacher is about to make (which environment a link opens).

`DatabasePendingChoices` keeps them in the platform's database, so that a
picker opened before a hub restart can still be submitted after it. Payloads are
JSON values (the deep-linking request is kept as its platform's issuer and
client_id plus its claims, see `lti13_handlers`).
"""

import json
import secrets
import time

from sqlalchemy import Float, String, Text, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column
from traitlets import Integer, validate
from traitlets.config import LoggingConfigurable

from .. import db

PENDING_TTL = 3600


class PendingChoice(db.Base):
    """A choice waiting for a teacher: who, of what kind, with what, until when."""

    __tablename__ = "mydocker_pending_choices"

    request_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)
    expires: Mapped[float] = mapped_column(Float, index=True)


class DatabasePendingChoices(LoggingConfigurable):
    """Choices waiting for one user, each usable once, in the platform's database.

    Its calls block on the database: handlers make them in a thread
    (``asyncio.to_thread``).
    """

    ttl = Integer(
        PENDING_TTL,
        config=True,
        help="""
        How long (seconds) a teacher has to make a choice (deep-linking
        picker, environment of a new activity) before starting again from
        the LMS. The choice survives a hub restart within that time.

        .. versionadded:: 0.2
        """,
    )

    max_pending = Integer(
        10000,
        config=True,
        help="""
        How many choices may wait at once; past it, the oldest are dropped
        (their teachers start again from the LMS). Bounds the table when
        launches are replayed in bulk.

        .. versionadded:: 0.2
        """,
    )

    @validate("ttl", "max_pending")
    def _validate_positive(self, proposal):
        if proposal.value < 1:
            raise ValueError(f"DatabasePendingChoices.{proposal.trait.name} must be at least 1")
        return proposal.value

    def __init__(self, clock=time.time, **kwargs):
        super().__init__(**kwargs)
        # Wall-clock time: expiries outlive the process.
        self.clock = clock

    def add(self, user_name, kind, payload):
        """Keep `payload` (a JSON value, a choice of `kind`) for `user_name`; return its id."""
        now = self.clock()
        request_id = secrets.token_urlsafe(24)
        with db.session() as session:
            session.execute(delete(PendingChoice).where(PendingChoice.expires < now))
            session.add(
                PendingChoice(
                    request_id=request_id,
                    user_name=user_name,
                    kind=kind,
                    payload=json.dumps(payload),
                    expires=now + self.ttl,
                )
            )
            session.flush()
            excess = session.scalar(select(func.count()).select_from(PendingChoice))
            excess -= self.max_pending
            if excess > 0:
                oldest = select(PendingChoice.request_id).order_by(PendingChoice.expires)
                oldest = oldest.limit(excess).scalar_subquery()
                session.execute(delete(PendingChoice).where(PendingChoice.request_id.in_(oldest)))
        return request_id

    def _find(self, session, request_id, user_name, kind):
        entry = session.get(PendingChoice, request_id)
        if entry is None or entry.expires < self.clock():
            return None
        if (entry.user_name, entry.kind) != (user_name, kind):
            return None
        return entry

    def peek(self, request_id, user_name, kind):
        with db.session() as session:
            entry = self._find(session, request_id, user_name, kind)
            return None if entry is None else json.loads(entry.payload)

    def pop(self, request_id, user_name, kind):
        with db.session() as session:
            entry = self._find(session, request_id, user_name, kind)
            if entry is None:
                return None
            # Only the request that deletes the row gets it (a double submit gets None).
            deleted = session.execute(
                delete(PendingChoice).where(PendingChoice.request_id == request_id)
            )
            return json.loads(entry.payload) if deleted.rowcount == 1 else None

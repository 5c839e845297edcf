"""Bounded, expiring memories of the nonces already seen: a replayed launch is refused.

`DatabaseNonceStore` keeps them in the platform's database, so that a launch
captured before a hub restart is still refused after it.
"""

import hashlib
import json
import time

from sqlalchemy import Float, String, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from .. import db


class UsedNonce(db.Base):
    """A launch nonce already used, until it is too old to be accepted anyway."""

    __tablename__ = "mydocker_used_nonces"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    namespace: Mapped[str] = mapped_column(String(16), index=True)
    expires: Mapped[float] = mapped_column(Float, index=True)


def nonce_key(namespace, nonce):
    """A fixed-size key for any JSON-able nonce (e.g. ``(issuer, nonce)``)."""
    return hashlib.sha256(json.dumps([namespace, nonce]).encode()).hexdigest()


class DatabaseNonceStore:
    """Remembers up to `size` nonces for `ttl` seconds each (blocking: call it in a thread).

    Each source has its `namespace` (``lti11``, ``lti13``) in the shared
    table; past `size` nonces in a namespace, those that expire first are
    dropped.
    """

    def __init__(self, namespace, size=100000, ttl=600, clock=time.time):
        self.namespace = namespace
        self.size = size
        self.ttl = ttl
        # Wall-clock time: expiries outlive the process.
        self.clock = clock

    def use(self, nonce):
        """Record `nonce`; False when it was already used (a replay)."""
        now = self.clock()
        key = nonce_key(self.namespace, nonce)
        try:
            with db.session() as session:
                session.execute(delete(UsedNonce).where(UsedNonce.expires < now))
                seen = session.get(UsedNonce, key)
                if seen is not None:
                    return False
                session.add(UsedNonce(key=key, namespace=self.namespace, expires=now + self.ttl))
                session.flush()
                self._bound(session)
        except IntegrityError:
            # The same launch posted twice at once: the other one used it.
            return False
        return True

    def _count(self, session):
        query = select(func.count()).where(UsedNonce.namespace == self.namespace)
        return session.scalar(query)

    def _bound(self, session):
        excess = self._count(session) - self.size
        if excess > 0:
            oldest = (
                select(UsedNonce.key)
                .where(UsedNonce.namespace == self.namespace)
                .order_by(UsedNonce.expires)
                .limit(excess)
            )
            session.execute(delete(UsedNonce).where(UsedNonce.key.in_(oldest.scalar_subquery())))

    def __len__(self):
        with db.session() as session:
            return self._count(session)

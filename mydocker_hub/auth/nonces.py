"""Bounded, expiring memories of the nonces already seen: a replayed launch is refused.

`DatabaseNonceStore` keeps them in the platform's database, so that a launch
captured before a hub restart is still refused after it.
"""

import hashlib
import json
import time

from sqlalchemy import Float, String, delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from .. import db


class UsedNonce(db.Base):
    """A launch nonce already used, until it is too old to be accepted anyway."""

    __tablename__ = "mydocker_used_nonces"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    namespace: Mapped[str] = mapped_column(String(16), index=True)
    expires: Mapped[float] = mapped_column(Float, index=True)


# Built once: building it costs as much as running it.
_USE_NONCE = insert(UsedNonce)


def nonce_key(namespace, nonce):
    """A fixed-size key for any JSON-able nonce (e.g. ``(issuer, nonce)``)."""
    return hashlib.sha256(json.dumps([namespace, nonce]).encode()).hexdigest()


class DatabaseNonceStore:
    """Remembers about `size` nonces for `ttl` seconds each (blocking: call it in a thread).

    Each source has its `namespace` (``lti11``, ``lti13``) in the shared
    table. Every `prune_interval` seconds, a check also forgets the expired
    nonces and, past `size` in its namespace, those that expire first.
    """

    def __init__(self, namespace, size=100000, ttl=600, clock=time.time, prune_interval=30):
        self.namespace = namespace
        self.size = size
        self.ttl = ttl
        # Wall-clock time: expiries outlive the process.
        self.clock = clock
        self.prune_interval = prune_interval
        self._next_prune = 0

    def use(self, nonce):
        """Record `nonce`; False when it was already used (a replay).

        Core statements on the transaction's connection, and no lookup first: the
        key is the table's primary key, so a nonce still remembered fails to insert.
        The ORM's lookup and unit of work cost more than the rest of a launch's
        nonce check, and so would forgetting and counting at every launch.
        """
        now = self.clock()
        key = nonce_key(self.namespace, nonce)
        row = {"key": key, "namespace": self.namespace, "expires": now + self.ttl}
        try:
            with db.session() as session:
                connection = session.connection()
                prune = now >= self._next_prune
                if prune:
                    connection.execute(delete(UsedNonce).where(UsedNonce.expires < now))
                connection.execute(_USE_NONCE, row)
                if prune:
                    self._bound(connection)
                    self._next_prune = now + self.prune_interval
            return True
        except IntegrityError:
            pass
        # Remembered: a replay (or the same launch posted twice at once), unless it
        # expired since the last pruning.
        with db.session() as session:
            expired = delete(UsedNonce).where(UsedNonce.key == key, UsedNonce.expires < now)
            if not session.connection().execute(expired).rowcount:
                return False
        return self.use(nonce)

    def _count(self, connection):
        query = select(func.count()).where(UsedNonce.namespace == self.namespace)
        return connection.scalar(query)

    def _bound(self, connection):
        excess = self._count(connection) - self.size
        if excess > 0:
            oldest = (
                select(UsedNonce.key)
                .where(UsedNonce.namespace == self.namespace)
                .order_by(UsedNonce.expires)
                .limit(excess)
            )
            connection.execute(delete(UsedNonce).where(UsedNonce.key.in_(oldest.scalar_subquery())))

    def __len__(self):
        with db.session() as session:
            return self._count(session.connection())

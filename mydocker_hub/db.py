"""The platform's own tables, kept beside JupyterHub's in the same database.

Every table is prefixed with ``mydocker_`` so that it never clashes with
JupyterHub's, and is created and upgraded by the platform's own Alembic
revisions (`mydocker_hub.migrations`) when the database is configured. The URL
defaults to ``MYDOCKER_DB_URL``, then to a SQLite file in the working
directory, like JupyterHub's own default.
"""

import asyncio
import os
import sqlite3
import threading
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import (
    DateTime,
    String,
    UniqueConstraint,
    bindparam,
    create_engine,
    event,
    insert,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from . import migrations

DEFAULT_URL = "sqlite:///jupyterhub.sqlite"

_engine = None
_sessionmaker = None
# The transaction of the `one_transaction` running in this thread, if any.
_current = threading.local()


def _now():
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class LocalAccount(Base):
    """An account with a password, for workshops and administrators."""

    __tablename__ = "mydocker_local_accounts"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(512))
    role: Mapped[str] = mapped_column(String(32))
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Enrolment(Base):
    """A user enrolled in an environment (by an LMS launch or a join link)."""

    __tablename__ = "mydocker_enrolments"
    __table_args__ = (UniqueConstraint("environment", "user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    environment: Mapped[str] = mapped_column(String(64), index=True)
    user: Mapped[str] = mapped_column(String(255), index=True)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    @classmethod
    def exists(cls, session, environment, user):
        params = {"environment": environment, "user": user}
        return session.connection().execute(_ENROLLED, params).first() is not None

    @classmethod
    def add(cls, session, environment, user):
        if not cls.exists(session, environment, user):
            session.connection().execute(_ENROL, {"environment": environment, "user": user})


# Every launch asks, and most launches of a new student write: statements built once
# and run on the transaction's connection cost a quarter of the ORM's way (a query
# built in place, the unit of work at the flush).
_ENROLLED = select(Enrolment.id).where(
    Enrolment.environment == bindparam("environment"), Enrolment.user == bindparam("user")
)
_ENROL = insert(Enrolment)


def configure(url=None):
    """Connect to the database at `url` and bring the platform's tables up to date."""
    global _engine, _sessionmaker
    url = url or os.environ.get("MYDOCKER_DB_URL") or DEFAULT_URL
    if _engine is not None and str(_engine.url) == url:
        return _engine
    kwargs = {"connect_args": {"timeout": 30}} if url.startswith("sqlite") else {}
    # A SQLite file is never dropped by a server: no ping before each transaction.
    _engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"), **kwargs)
    if url.startswith("sqlite") and not event.contains(Engine, "connect", sqlite_pragmas):
        # Every engine of the process: JupyterHub's own writes the same file.
        event.listen(Engine, "connect", sqlite_pragmas)
    event.listen(_engine, "handle_error", _note_conflict)
    migrations.upgrade(_engine)
    _sessionmaker = sessionmaker(_engine, expire_on_commit=False)
    return _engine


def sqlite_pragmas(connection, _record):
    """How the platform uses a SQLite database, set on each new connection.

    WAL lets the admin command line and the portal write while the hub reads.
    In WAL mode, ``synchronous=NORMAL`` writes each commit to the log without
    waiting for the disk and syncs at checkpoints: a killed process loses no
    commit, a power cut may lose the last ones but never breaks the database
    (SQLite's documented guarantee). With the default (FULL), every commit
    waits for the disk, on the hub's event loop, while a class's servers start
    and write around it.
    """
    if not isinstance(connection, sqlite3.Connection):
        return  # another engine of the process (PostgreSQL, MySQL)
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def session():
    """A transaction: committed when the block ends, rolled back on error.

    Inside `one_transaction`, the block is part of that transaction instead.
    """
    outer = getattr(_current, "session", None)
    if outer is not None:
        yield outer
        return
    if _sessionmaker is None:
        configure()
    with _sessionmaker() as s, s.begin():
        yield s


def one_transaction(function, *args, **kwargs):
    """``function(*args, **kwargs)`` with every `session` it opens in one transaction.

    For the work of one request (a login's records, a launch's enrolment): one
    commit instead of one per step, and nothing of it written when a step fails.
    When a concurrent request wrote the same row first (the same person's two
    launches at once), the whole function runs once more and finds that row.
    Blocking; not reentrant.
    """
    if _sessionmaker is None:
        configure()
    for attempt in (1, 2):
        _current.conflict = False
        with _sessionmaker() as s:
            _current.session = s
            try:
                with s.begin():
                    return function(*args, **kwargs)
            except Exception:
                # A step may catch the conflict and go on: the transaction it broke
                # fails later, with another error.
                if attempt == 2 or not _current.conflict:
                    raise
            finally:
                _current.session = None


def _note_conflict(context):
    """Remember that a statement of this thread's `one_transaction` met a unique key."""
    if getattr(_current, "session", None) is not None and isinstance(
        context.sqlalchemy_exception, IntegrityError
    ):
        _current.conflict = True


def is_local_file():
    """Whether the platform's database is a SQLite file (connecting if need be)."""
    if _engine is None:
        configure()
    return _engine.dialect.name == "sqlite"


async def run_short(function, *args, **kwargs):
    """``function(*args, **kwargs)``: a request's few statements (blocking), awaited.

    With SQLite, on the event loop. The database is a local file, a transaction
    takes well under a millisecond (WAL, ``synchronous=NORMAL``), and a login
    already commits JupyterHub's own rows on the event loop, three times. A trip
    to a thread costs more than the work it carries: the thread waits for the
    event loop to let go of the GIL, up to 5 ms at a time under load, and the
    switches cost CPU too (a class's launches spent 3 to 4 ms of CPU each on
    their three trips). With a server database, where every statement may wait
    on the network, in a thread.
    """
    if is_local_file():
        return function(*args, **kwargs)
    return await asyncio.to_thread(function, *args, **kwargs)


async def in_thread(function, *args, **kwargs):
    """``function(session, *args, **kwargs)`` in one transaction, in a thread: a Tornado
    process's event loop never waits on the database."""

    def run():
        with session() as s:
            return function(s, *args, **kwargs)

    return await asyncio.to_thread(run)

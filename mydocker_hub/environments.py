"""Environments: what a student may start, decided by teachers, never by the student.

An environment is an image plus resources, persistence, timers and interfaces.
The spawner and the authenticator only use the `EnvironmentCatalog` interface.
The environments come from the platform's database (`DatabaseEnvironmentCatalog`,
where the teacher portal keeps them and where those of ``jupyterhub_config.py``
are written at start), or from the configuration alone
(`StaticEnvironmentCatalog`).
"""

import re
import time
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from traitlets import Bool, Float, List
from traitlets.config import LoggingConfigurable

from . import db, refusals
from .portal.image_store import latest_tags
from .portal.models import EDIT, Collaborator, EnvironmentRecord, SessionRecord
from .sessions import Session

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,29}$")

DRAFT, TEST, READY, ARCHIVED = "DRAFT", "TEST", "READY", "ARCHIVED"
STATUSES = (DRAFT, TEST, READY, ARCHIVED)


@dataclass(frozen=True)
class Environment:
    """One environment of a course, as a teacher defined it."""

    name: str
    image: str
    title: str = ""
    description: str = ""
    status: str = READY
    public: bool = False
    teachers: frozenset = field(default_factory=frozenset)
    cpu_limit: float = 1.0
    cpu_reservation: float = 0.0
    mem_limit: str = "2G"
    mem_reservation: str = ""
    gpus: int = 0
    pids_limit: int = 1024
    compute_type: str = ""
    home_volume: bool = True
    work_volume: bool = False
    disk_quota: str = ""
    idle_timeout: int = 3600
    interfaces: tuple = ("jupyterlab",)
    sessions: tuple = ()

    def __post_init__(self):
        if not NAME_PATTERN.match(self.name or ""):
            raise ValueError(
                f"environment name {self.name!r} must be 1 to 30 characters of a-z, 0-9 and '-'"
            )
        if self.status not in STATUSES:
            raise ValueError(f"environment {self.name}: status must be one of {STATUSES}")
        if not self.image:
            raise ValueError(f"environment {self.name}: an image is required")
        if self.cpu_limit <= 0 or self.cpu_reservation < 0:
            raise ValueError(f"environment {self.name}: CPU values must be positive")
        if self.gpus < 0 or self.pids_limit < 0:
            raise ValueError(f"environment {self.name}: gpus and pids_limit must be >= 0")
        object.__setattr__(self, "teachers", frozenset(self.teachers))
        object.__setattr__(self, "interfaces", tuple(self.interfaces))
        object.__setattr__(
            self,
            "sessions",
            tuple(s if isinstance(s, Session) else Session.from_dict(s) for s in self.sessions),
        )

    @classmethod
    def from_dict(cls, data):
        """Build an environment from a plain dict, refusing unknown keys."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"environment {data.get('name')!r}: unknown keys {sorted(unknown)}")
        return cls(**data)

    @property
    def display_name(self):
        return self.title or self.name


def access_refusal(environment, user_name, *, is_admin=False, enrolled=False, lang="en"):
    """Why `user_name` may not start `environment`, or None when they may.

    The message is shown to the student as it is, in `lang`.
    """
    title = environment.display_name
    if environment.status == ARCHIVED:
        return refusals.say("archived", lang, title=title)
    is_teacher = is_admin or user_name in environment.teachers
    if environment.status in (DRAFT, TEST):
        if is_teacher:
            return None
        return refusals.say("not_open", lang, title=title)
    if environment.public or enrolled or is_teacher:
        return None
    return refusals.say("not_enrolled", lang, title=title)


class EnvironmentCatalog(LoggingConfigurable):
    """Where the spawner and the authenticator find environments and enrolments.

    Subclasses provide `all_environments`; enrolments are kept in the
    platform's database, so that they survive a restart of the hub.
    """

    def all_environments(self):
        """Every environment, in display order."""
        raise NotImplementedError

    def get(self, name):
        """The environment called `name`, or None."""
        for environment in self.all_environments():
            if environment.name == name:
                return environment
        return None

    def is_enrolled(self, environment_name, user_name):
        with db.session() as session:
            return db.Enrolment.exists(session, environment_name, user_name)

    def enrolments_of(self, user_name):
        """The names of the environments `user_name` is enrolled in (one query)."""
        query = select(db.Enrolment.environment).where(db.Enrolment.user == user_name)
        with db.session() as session:
            return frozenset(session.scalars(query))

    def enrol(self, environment_name, user_name):
        """Enrol a user (an LMS launch, a join link); enrolling twice is harmless."""
        with db.session() as session:
            db.Enrolment.add(session, environment_name, user_name)

    def refusal(self, environment, user_name, *, is_admin=False, lang="en"):
        """Why `user_name` may not start `environment` (in `lang`), or None."""
        enrolled = self.is_enrolled(environment.name, user_name)
        return access_refusal(
            environment, user_name, is_admin=is_admin, enrolled=enrolled, lang=lang
        )

    def for_user(self, user_name, *, is_admin=False):
        """The environments a user may start."""
        return [
            environment
            for environment in self.all_environments()
            if self.refusal(environment, user_name, is_admin=is_admin) is None
        ]


class StaticEnvironmentCatalog(EnvironmentCatalog):
    """Environments listed in ``jupyterhub_config.py``."""

    environments = List(
        config=True,
        help="""
        The environments, as a list of dicts with the fields of
        `mydocker_hub.environments.Environment`. For example::

            c.StaticEnvironmentCatalog.environments = [
                {"name": "python-l1", "title": "Python (L1)",
                 "image": "mydocker/jupyterlab:0.1.0", "public": True,
                 "cpu_limit": 2, "mem_limit": "4G", "teachers": ["alice"]},
            ]

        .. versionadded:: 0.1
        """,
    )

    def all_environments(self):
        return [Environment.from_dict(dict(data)) for data in self.environments]


class DatabaseEnvironmentCatalog(StaticEnvironmentCatalog):
    """Environments in the platform's database: the portal's, and those of the config.

    The environments of the configuration (`StaticEnvironmentCatalog.environments`,
    ``MYDOCKER_ENVIRONMENTS``: the same setting as before the database, so that
    existing configurations keep working) are created or updated in the
    database at start, marked as managed by the configuration (the portal shows
    them read-only); one that leaves the list is archived, keeping its
    enrolments.
    """

    cache_seconds = Float(
        1.0,
        config=True,
        help="""
        How long (seconds) the environments read from the database are
        reused. Starts read them at each start; a class starting at once
        then reads the database once, and a teacher's edit is seen by the
        next start after at most this long.

        .. versionadded:: 0.2
        """,
    )

    write_configured = Bool(
        True,
        config=True,
        help="""
        Whether this catalog writes `environments` to the database when it is
        made. The hub's does; a process that only reads environments (the
        portal's service) does not, so that it never archives them.

        .. versionadded:: 0.2
        """,
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._snapshot = (float("-inf"), [])
        if self.write_configured:
            self.sync_configured(self.environments)

    def sync_configured(self, entries):
        """Write the configuration's environments; archive those it no longer lists."""
        wanted = [Environment.from_dict(dict(data)) for data in entries]
        names = {environment.name for environment in wanted}
        with db.session() as session:
            rows = {row.name: row for row in session.scalars(select(EnvironmentRecord))}
            for environment in wanted:
                row = rows.get(environment.name)
                if row is None:
                    row = EnvironmentRecord(name=environment.name, managed_by_config=True)
                    session.add(row)
                elif not row.managed_by_config:
                    self.log.warning(
                        "Environment %s is defined in the portal: the configuration's "
                        "definition of the same name is ignored",
                        environment.name,
                    )
                    continue
                write_record(row, environment)
            for name, row in rows.items():
                if row.managed_by_config and name not in names and row.status != ARCHIVED:
                    self.log.info("Environment %s left the configuration: archived", name)
                    row.status = ARCHIVED
        self._snapshot = (float("-inf"), [])

    def all_environments(self):
        read_at, environments = self._snapshot
        if time.monotonic() - read_at < self.cache_seconds:
            return environments
        query = select(EnvironmentRecord).order_by(EnvironmentRecord.id)
        query = query.options(
            selectinload(EnvironmentRecord.sessions), selectinload(EnvironmentRecord.collaborators)
        )
        with db.session() as session:
            latest = latest_tags(session)
            environments = [environment_of(row, latest) for row in session.scalars(query)]
        self._snapshot = (time.monotonic(), environments)
        return environments


def _local(moment, timezone):
    # Stored in UTC (SQLite gives them back naive); shown in the session's zone.
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(timezone))


def environment_of(row, latest_builds=None):
    """The `Environment` a database row describes.

    An environment that names a teacher's image by its repository runs the
    image's latest OK build (`latest_builds`: repository → tag).
    """
    teachers = {row.owner} | {c.username for c in row.collaborators}
    return Environment(
        name=row.name,
        image=(latest_builds or {}).get(row.image, row.image),
        title=row.title,
        description=row.description,
        status=row.status,
        public=row.public,
        teachers=frozenset(teachers - {""}),
        cpu_limit=row.cpu_limit,
        cpu_reservation=row.cpu_reservation,
        mem_limit=row.mem_limit,
        mem_reservation=row.mem_reservation,
        gpus=row.gpus,
        pids_limit=row.pids_limit,
        compute_type=row.compute_type,
        home_volume=row.home_volume,
        work_volume=row.work_volume,
        disk_quota=row.disk_quota,
        idle_timeout=row.idle_timeout,
        interfaces=row.interfaces,
        sessions=tuple(
            Session(
                start=_local(s.start, s.timezone),
                end=_local(s.end, s.timezone),
                expected_students=s.expected_students,
                block_before_start=s.block_before_start,
                stop_at_end=s.stop_at_end,
                timezone=s.timezone,
            )
            for s in row.sessions
        ),
    )


def write_record(row, environment):
    """Make `row` describe `environment` (its teachers become edit collaborators)."""
    for name in RECORD_FIELDS:
        setattr(row, name, getattr(environment, name))
    row.interfaces = environment.interfaces
    row.updated = datetime.now(UTC)
    kept = {c.username: c for c in row.collaborators}
    row.collaborators = [
        kept.get(name) or Collaborator(username=name, permission=EDIT)
        for name in sorted(environment.teachers)
    ]
    row.sessions = [
        SessionRecord(
            start=s.start.astimezone(UTC),
            end=s.end.astimezone(UTC),
            timezone=s.timezone,
            expected_students=s.expected_students,
            block_before_start=s.block_before_start,
            stop_at_end=s.stop_at_end,
        )
        for s in environment.sessions
    ]


RECORD_FIELDS = (
    "image",
    "title",
    "description",
    "status",
    "public",
    "cpu_limit",
    "cpu_reservation",
    "mem_limit",
    "mem_reservation",
    "gpus",
    "pids_limit",
    "compute_type",
    "home_volume",
    "work_volume",
    "disk_quota",
    "idle_timeout",
)

"""Environments: what a student may start, decided by teachers, never by the student.

An environment is an image plus resources, persistence, timers and interfaces.
The spawner and the authenticator only use the `EnvironmentCatalog` interface;
today the environments come from ``jupyterhub_config.py``
(`StaticEnvironmentCatalog`), later from the teacher portal's database through
the same interface.
"""

import re
from dataclasses import dataclass, field, fields

from traitlets import List
from traitlets.config import LoggingConfigurable

from . import db
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


def access_refusal(environment, user_name, *, is_admin=False, enrolled=False):
    """Why `user_name` may not start `environment`, or None when they may.

    The message is shown to the student as it is.
    """
    if environment.status == ARCHIVED:
        return (
            f"The environment “{environment.display_name}” is archived "
            "and can no longer be started."
        )
    is_teacher = is_admin or user_name in environment.teachers
    if environment.status in (DRAFT, TEST):
        if is_teacher:
            return None
        return f"The environment “{environment.display_name}” is not open to students yet."
    if environment.public or enrolled or is_teacher:
        return None
    return (
        f"You are not enrolled in the environment “{environment.display_name}”. "
        "Use the link or the activity your teacher gave you."
    )


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

    def enrol(self, environment_name, user_name):
        """Enrol a user (an LMS launch, a join link); enrolling twice is harmless."""
        with db.session() as session:
            db.Enrolment.add(session, environment_name, user_name)

    def refusal(self, environment, user_name, *, is_admin=False):
        """Why `user_name` may not start `environment`, or None."""
        enrolled = self.is_enrolled(environment.name, user_name)
        return access_refusal(environment, user_name, is_admin=is_admin, enrolled=enrolled)

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

"""The portal's tables: environments as teachers define them, and what hangs on them.

An environment row holds every field of `mydocker_hub.environments.Environment`;
`version` counts its edits, so that two teachers editing at once cannot
silently overwrite each other (an edit names the version it started from).
Environments listed in ``jupyterhub_config.py`` are rows too, marked
`managed_by_config`: the portal shows them but does not change them.
"""

import json
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import db

VIEW, EDIT = "view", "edit"
PERMISSIONS = (VIEW, EDIT)


def _now():
    return datetime.now(UTC)


class EnvironmentRecord(db.Base):
    """One environment, with its limits, persistence and status."""

    __tablename__ = "mydocker_environments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    image: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="DRAFT")
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    owner: Mapped[str] = mapped_column(String(255), default="")
    managed_by_config: Mapped[bool] = mapped_column(Boolean, default=False)
    cpu_limit: Mapped[float] = mapped_column(Float, default=1.0)
    cpu_reservation: Mapped[float] = mapped_column(Float, default=0.0)
    mem_limit: Mapped[str] = mapped_column(String(16), default="2G")
    mem_reservation: Mapped[str] = mapped_column(String(16), default="")
    gpus: Mapped[int] = mapped_column(Integer, default=0)
    pids_limit: Mapped[int] = mapped_column(Integer, default=1024)
    compute_type: Mapped[str] = mapped_column(String(64), default="")
    home_volume: Mapped[bool] = mapped_column(Boolean, default=True)
    work_volume: Mapped[bool] = mapped_column(Boolean, default=False)
    disk_quota: Mapped[str] = mapped_column(String(16), default="")
    idle_timeout: Mapped[int] = mapped_column(Integer, default=3600)
    interfaces_json: Mapped[str] = mapped_column(Text, default='["jupyterlab"]')
    version: Mapped[int] = mapped_column(Integer, default=1)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    sessions: Mapped[list["SessionRecord"]] = relationship(
        back_populates="environment", cascade="all, delete-orphan", order_by="SessionRecord.start"
    )
    collaborators: Mapped[list["Collaborator"]] = relationship(
        back_populates="environment", cascade="all, delete-orphan"
    )
    join_links: Mapped[list["JoinLink"]] = relationship(
        back_populates="environment", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def interfaces(self):
        return tuple(json.loads(self.interfaces_json or "[]"))

    @interfaces.setter
    def interfaces(self, value):
        self.interfaces_json = json.dumps(list(value))


class SessionRecord(db.Base):
    """A planned slot of an environment (see `mydocker_hub.sessions.Session`)."""

    __tablename__ = "mydocker_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    environment_id: Mapped[int] = mapped_column(
        ForeignKey("mydocker_environments.id", ondelete="CASCADE"), index=True
    )
    start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    timezone: Mapped[str] = mapped_column(String(64))
    expected_students: Mapped[int] = mapped_column(Integer, default=0)
    block_before_start: Mapped[bool] = mapped_column(Boolean, default=False)
    stop_at_end: Mapped[bool] = mapped_column(Boolean, default=False)

    environment: Mapped[EnvironmentRecord] = relationship(back_populates="sessions")


class Collaborator(db.Base):
    """A teacher who may see (``view``) or change (``edit``) another's environment."""

    __tablename__ = "mydocker_collaborators"

    environment_id: Mapped[int] = mapped_column(
        ForeignKey("mydocker_environments.id", ondelete="CASCADE"), primary_key=True
    )
    username: Mapped[str] = mapped_column(String(255), primary_key=True)
    permission: Mapped[str] = mapped_column(String(8), default=VIEW)

    environment: Mapped[EnvironmentRecord] = relationship(back_populates="collaborators")


class JoinLink(db.Base):
    """``/join/<token>``: whoever opens it is enrolled in the environment (until it expires)."""

    __tablename__ = "mydocker_join_links"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    environment_id: Mapped[int] = mapped_column(
        ForeignKey("mydocker_environments.id", ondelete="CASCADE"), index=True
    )
    created_by: Mapped[str] = mapped_column(String(255))
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    expires: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    environment: Mapped[EnvironmentRecord] = relationship(back_populates="join_links")


class ActivityEvent(db.Base):
    """What happened to a server: started, ready, failed (why), stopped, culled, session end."""

    __tablename__ = "mydocker_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    user: Mapped[str] = mapped_column(String(255), index=True)
    environment: Mapped[str] = mapped_column(String(30), index=True)
    server: Mapped[str] = mapped_column(String(255), default="")
    event: Mapped[str] = mapped_column(String(32))
    node: Mapped[str] = mapped_column(String(255), default="")
    detail: Mapped[str] = mapped_column(Text, default="")

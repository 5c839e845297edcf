"""The portal's tables for images that teachers build: the image, who shares it, its builds.

An image row holds what the teacher edits (its Dockerfile, description,
interfaces, who may use it); its build context is a folder of the hub's data
directory (see `mydocker_hub.portal.builds.contexts`), not a column. Each
build is numbered within its image and tagged ``mydocker/IMAGE:NUMBER``; its
log is kept in the row once it ends, so that it can be read later.
"""

import json
from datetime import UTC, datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import db
from .models import VIEW

QUEUED, RUNNING, OK, ERROR, CANCELLED = "QUEUED", "RUNNING", "OK", "ERROR", "CANCELLED"
UNDER_WAY = (QUEUED, RUNNING)
BUILD_STATUSES = (QUEUED, RUNNING, OK, ERROR, CANCELLED)


def _now():
    return datetime.now(UTC)


class ImageRecord(db.Base):
    """An image a teacher builds: its Dockerfile, its interfaces, its owner and sharing."""

    __tablename__ = "mydocker_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    dockerfile: Mapped[str] = mapped_column(Text, default="")
    interfaces_json: Mapped[str] = mapped_column(Text, default='["jupyterlab"]')
    custom_port: Mapped[int] = mapped_column(Integer, default=0)
    owner: Mapped[str] = mapped_column(String(255))
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    collaborators: Mapped[list["ImageCollaborator"]] = relationship(
        back_populates="image", cascade="all, delete-orphan"
    )
    builds: Mapped[list["BuildRecord"]] = relationship(
        back_populates="image", cascade="all, delete-orphan", order_by="BuildRecord.number.desc()"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def interfaces(self):
        return tuple(json.loads(self.interfaces_json or "[]"))

    @interfaces.setter
    def interfaces(self, value):
        self.interfaces_json = json.dumps(list(value))


class ImageCollaborator(db.Base):
    """A teacher who may use (``view``) or also change and build (``edit``) another's image."""

    __tablename__ = "mydocker_image_collaborators"

    image_id: Mapped[int] = mapped_column(
        ForeignKey("mydocker_images.id", ondelete="CASCADE"), primary_key=True
    )
    username: Mapped[str] = mapped_column(String(255), primary_key=True)
    permission: Mapped[str] = mapped_column(String(8), default=VIEW)

    image: Mapped[ImageRecord] = relationship(back_populates="collaborators")


class BuildRecord(db.Base):
    """One build of an image: who started it, its state, its tag and its log."""

    __tablename__ = "mydocker_builds"
    __table_args__ = (UniqueConstraint("image_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    image_id: Mapped[int] = mapped_column(
        ForeignKey("mydocker_images.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=QUEUED, index=True)
    started_by: Mapped[str] = mapped_column(String(255))
    tag: Mapped[str] = mapped_column(String(255))
    dockerfile: Mapped[str] = mapped_column(Text, default="")
    docker_id: Mapped[str] = mapped_column(String(80), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    root_warning: Mapped[str] = mapped_column(Text, default="")
    log: Mapped[str] = mapped_column(Text, default="")
    queued: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    started: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    image: Mapped[ImageRecord] = relationship(back_populates="builds")

"""The portal's changes to environments, sessions, collaborators and join links.

Every function takes a database session (one transaction: the caller's
``with db.session()``) and the `Reader`; it checks the reader's access with
`mydocker_hub.portal.permissions` before reading or changing anything, and
raises `PortalError` (404, 403, 409) or `InvalidInput` (400) instead.
Handlers run these functions in a thread (``asyncio.to_thread``): the
portal's event loop never waits on the database.

An edit names the version it started from; an edit of an older version is
refused with `VersionConflict` (409), so that two teachers never silently
overwrite each other. An edit never touches a running server: the spawner
reads the environment at the next start.
"""

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from .. import db
from ..environments import ARCHIVED, RECORD_FIELDS, _local
from . import capacity, collaboration, permissions
from .errors import InvalidInput, PortalError, VersionConflict
from .models import Collaborator, EnvironmentRecord, JoinLink, SessionRecord
from .permissions import Access

JOIN_TOKEN_BYTES = 18


def _now():
    return datetime.now(UTC)


def _aware(moment):
    # SQLite gives datetimes back naive; they were stored in UTC.
    return None if moment is None else (moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def _query():
    return select(EnvironmentRecord).options(
        selectinload(EnvironmentRecord.sessions),
        selectinload(EnvironmentRecord.collaborators),
        selectinload(EnvironmentRecord.join_links),
    )


def access_of(reader, row):
    collaborators = {c.username: c.permission for c in row.collaborators}
    return permissions.access(reader, row.owner, collaborators)


def visible(session, reader):
    """The environments `reader` may see as a teacher, with their access, by name."""
    if not (reader.teacher or reader.admin):
        return []
    rows = session.scalars(_query().order_by(EnvironmentRecord.name))
    pairs = ((row, access_of(reader, row)) for row in rows)
    return [(row, level) for row, level in pairs if level >= Access.VIEW]


def load(session, reader, name, action="view"):
    """The environment `name`, if `reader` may do `action` on it; else a `PortalError`."""
    row = session.scalars(_query().where(EnvironmentRecord.name == name)).first()
    level = access_of(reader, row) if row is not None else Access.NONE
    refused = permissions.refusal(
        action, level, managed_by_config=bool(row and row.managed_by_config)
    )
    if refused:
        status, key = refused
        raise PortalError(status, key, name=name)
    return row, level


def _write_fields(row, values):
    for field in RECORD_FIELDS:
        if field in values:
            setattr(row, field, values[field])
    if "interfaces" in values:
        row.interfaces = values["interfaces"]
    row.updated = _now()


def create(session, reader, values):
    """A new environment owned by `reader` (`values` from `forms.parse_environment`)."""
    if not reader.may_create:
        raise PortalError(403, "error_not_allowed")
    if session.scalars(
        select(EnvironmentRecord.id).where(EnvironmentRecord.name == values["name"])
    ).first():
        raise InvalidInput({"name": "field_name_taken"}, values)
    row = EnvironmentRecord(name=values["name"], owner=reader.name, managed_by_config=False)
    _write_fields(row, values)
    session.add(row)
    session.flush()
    return row


def update(session, reader, name, values, version):
    """Change the environment `name`, if nobody saved it since `version`."""
    row, _ = load(session, reader, name, "edit")
    if version != row.version:
        raise VersionConflict(row.version)
    if "status" in values and (ARCHIVED in (values["status"], row.status)):
        if values["status"] != row.status:
            load(session, reader, name, "archive")  # archiving, or bringing back, is the owner's
    _write_fields(row, values)
    try:
        session.flush()  # the row's version check: a concurrent save fails here
    except StaleDataError:
        raise VersionConflict(version + 1) from None
    return row


def duplicate(session, reader, name, new_name):
    """A DRAFT copy of `name` called `new_name`, owned by `reader`, without sessions."""
    if not reader.may_create:
        raise PortalError(403, "error_not_allowed")
    row, _ = load(session, reader, name, "duplicate")
    values = {field: getattr(row, field) for field in RECORD_FIELDS}
    values.update(name=new_name, status="DRAFT", interfaces=row.interfaces)
    if row.title:
        values["title"] = f"{row.title} (2)"[:200]
    return create(session, reader, values)


def archive(session, reader, name):
    row, _ = load(session, reader, name, "archive")
    row.status = ARCHIVED
    row.updated = _now()
    return row


def delete_environment(session, reader, name, running):
    """Delete `name`, refused while servers run (`running`: their users' names)."""
    row, _ = load(session, reader, name, "delete")
    if running:
        raise PortalError(409, "error_servers_running", users=", ".join(sorted(running)))
    session.execute(delete(db.Enrolment).where(db.Enrolment.environment == name))
    session.delete(row)


# Sessions


def add_session(session, reader, name, values):
    row, _ = load(session, reader, name, "sessions")
    record = SessionRecord(
        start=values["start"].astimezone(UTC),
        end=values["end"].astimezone(UTC),
        timezone=values["timezone"],
        expected_students=values["expected_students"],
        block_before_start=values["block_before_start"],
        stop_at_end=values["stop_at_end"],
    )
    row.sessions.append(record)
    row.updated = _now()
    session.flush()
    return record


def delete_session(session, reader, name, session_id):
    row, _ = load(session, reader, name, "sessions")
    record = next((s for s in row.sessions if s.id == session_id), None)
    if record is None:
        raise PortalError(404, "error_no_session")
    row.sessions.remove(record)
    row.updated = _now()


# Collaborators


def set_collaborator(session, reader, name, username, permission):
    row, _ = load(session, reader, name, "collaborators")
    return collaboration.share(row, username, permission, Collaborator)


def remove_collaborator(session, reader, name, username):
    row, _ = load(session, reader, name, "collaborators")
    collaboration.unshare(row, username)


# Join links


def new_join_link(session, reader, name, expires_in_days=None):
    """A fresh join link for `name`; the previous ones stop working (regenerate)."""
    row, _ = load(session, reader, name, "join_link")
    row.join_links.clear()
    expires = _now() + timedelta(days=expires_in_days) if expires_in_days else None
    link = JoinLink(
        token=secrets.token_urlsafe(JOIN_TOKEN_BYTES), created_by=reader.name, expires=expires
    )
    row.join_links.append(link)
    session.flush()
    return link


def join(session, user_name, token, now=None):
    """Enrol `user_name` with the join link `token`: the environment's name."""
    link = session.get(JoinLink, token) if token else None
    if link is None:
        raise PortalError(404, "error_join_unknown")
    expires = _aware(link.expires)
    if expires is not None and expires <= (now or _now()):
        raise PortalError(410, "error_join_expired")
    environment = link.environment
    if environment.status == ARCHIVED:
        raise PortalError(410, "error_archived", name=environment.title or environment.name)
    db.Enrolment.add(session, environment.name, user_name)
    return environment.name


def current_join_link(row, now=None):
    """The environment's join link that still works, or None."""
    now = now or _now()
    for link in row.join_links:
        expires = _aware(link.expires)
        if expires is None or expires > now:
            return link
    return None


# Reading


def enrolled_users(session, name):
    query = select(db.Enrolment).where(db.Enrolment.environment == name).order_by(db.Enrolment.user)
    return list(session.scalars(query))


def session_view(record):
    """A session as pages and the API show it: in its own time zone."""
    return {
        "id": record.id,
        "start": _local(record.start, record.timezone),
        "end": _local(record.end, record.timezone),
        "timezone": record.timezone,
        "expected_students": record.expected_students,
        "block_before_start": record.block_before_start,
        "stop_at_end": record.stop_at_end,
    }


def environment_view(row, level):
    """An environment as pages and the API show it (JSON-ready but for datetimes)."""
    values = {field: getattr(row, field) for field in RECORD_FIELDS}
    values.update(
        name=row.name,
        owner=row.owner,
        interfaces=list(row.interfaces),
        idle_minutes=row.idle_timeout // 60,
        version=row.version,
        managed_by_config=row.managed_by_config,
        access=level.name.lower(),
        collaborators=[
            {"username": c.username, "permission": c.permission}
            for c in sorted(row.collaborators, key=lambda c: c.username)
        ],
        sessions=[session_view(s) for s in row.sessions],
        updated=_aware(row.updated),
    )
    return values


def enrolled_names(session, name):
    """The users enrolled in the environment `name`, by name."""
    query = select(db.Enrolment.user).where(db.Enrolment.environment == name)
    return sorted(session.scalars(query))


def expiry_of(link):
    return _aware(link.expires) if link is not None else None


def usable_images(session, reader, standard):
    """The images `reader` may give an environment: the platform's, and those of
    the environments they see (a colleague's image, shared with them)."""
    images = list(standard)
    for row, _ in visible(session, reader):
        if row.image not in images:
            images.append(row.image)
    return images


# Capacity


def _demands(session):
    """Every planned session of an environment still in use, as a `capacity.Demand`."""
    query = select(EnvironmentRecord).options(selectinload(EnvironmentRecord.sessions))
    query = query.where(EnvironmentRecord.status != ARCHIVED)
    result = {}
    for row in session.scalars(query):
        for record in row.sessions:
            result[record.id] = capacity.demand(row, record)
    return result


def session_verdicts(session, name, nodes):
    """For each session of `name` (by id): its capacity verdict, as shown on pages."""
    demands = _demands(session)
    row = session.scalars(select(EnvironmentRecord).where(EnvironmentRecord.name == name)).first()
    others = list(demands.values())
    return {
        record.id: capacity.verdict(demands[record.id], others, nodes).as_view()
        for record in (row.sessions if row else ())
        if record.id in demands
    }


def week(session, reader, start, end, nodes):
    """The sessions between `start` and `end` of the environments `reader` sees."""
    demands = _demands(session)
    others = list(demands.values())
    result = []
    for row, _ in visible(session, reader):
        for record in row.sessions:
            if _aware(record.end) <= start or _aware(record.start) >= end:
                continue
            verdict = demands.get(record.id)
            result.append(
                {
                    "environment": row.name,
                    "title": row.title or row.name,
                    "session": session_view(record),
                    "capacity": capacity.verdict(verdict, others, nodes).as_view()
                    if verdict
                    else None,
                }
            )
    return sorted(result, key=lambda item: item["session"]["start"])

"""The portal's changes to images, their sharing and their builds.

Like `store` for environments: each function takes a database session and the
`Reader`, checks the reader's access to the image first
(`permissions.image_access`), and raises `PortalError` or `InvalidInput`.
The build queue (`builds.queue`) records what happens to a build with the
functions at the end, which act for the platform rather than for a reader.

An environment names a teacher's image by its repository
(``mydocker/IMAGE``): it then follows the image's latest OK build; or by one
build's tag (``mydocker/IMAGE:3``): it is pinned to that build.
"""

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from . import collaboration, permissions
from .builds import plan
from .errors import InvalidInput, PortalError, VersionConflict
from .image_models import (
    CANCELLED,
    ERROR,
    OK,
    QUEUED,
    RUNNING,
    UNDER_WAY,
    BuildRecord,
    ImageCollaborator,
    ImageRecord,
)
from .models import VIEW, Collaborator, EnvironmentRecord
from .permissions import Access

EDITABLE = ("description", "dockerfile", "custom_port", "public")


def _now():
    return datetime.now(UTC)


def _query():
    return select(ImageRecord).options(
        selectinload(ImageRecord.collaborators), selectinload(ImageRecord.builds)
    )


def access_of(reader, row):
    collaborators = {c.username: c.permission for c in row.collaborators}
    return permissions.image_access(reader, row.owner, collaborators, row.public)


def visible(session, reader):
    """The images `reader` may see (owned, shared, public; all for admins), by name."""
    if not (reader.teacher or reader.admin):
        return []
    rows = session.scalars(_query().order_by(ImageRecord.name))
    pairs = ((row, access_of(reader, row)) for row in rows)
    return [(row, level) for row, level in pairs if level >= Access.VIEW]


def load(session, reader, name, action="view"):
    """The image `name`, if `reader` may do `action` on it; else a `PortalError`."""
    row = session.scalars(_query().where(ImageRecord.name == name)).first()
    level = access_of(reader, row) if row is not None else Access.NONE
    refused = permissions.image_refusal(action, level)
    if refused:
        status, key = refused
        raise PortalError(status, key, name=name)
    return row, level


def create(session, reader, values):
    """A new image owned by `reader` (`values` from `image_forms.parse_image`)."""
    if not reader.may_create:
        raise PortalError(403, "error_teachers_only")
    if session.scalars(select(ImageRecord.id).where(ImageRecord.name == values["name"])).first():
        raise InvalidInput({"name": "field_image_name_taken"}, values)
    row = ImageRecord(name=values["name"], owner=reader.name)
    _write(row, values)
    session.add(row)
    session.flush()
    return row


def _write(row, values):
    for field in EDITABLE:
        if field in values:
            setattr(row, field, values[field])
    if "interfaces" in values:
        row.interfaces = values["interfaces"]
    row.updated = _now()


def update(session, reader, name, values, version):
    """Change the image `name`, if nobody saved it since `version`."""
    row, _ = load(session, reader, name, "edit")
    if version != row.version:
        raise VersionConflict(row.version)
    _write(row, values)
    session.flush()
    return row


def users_of(session, row, registry=""):
    """The names of the environments that use the image `row` (any of its builds)."""
    repository = plan.image_repository(row.name, registry)
    query = select(EnvironmentRecord.name).where(
        (EnvironmentRecord.image == repository)
        | EnvironmentRecord.image.startswith(f"{repository}:")
    )
    return sorted(session.scalars(query))


def delete(session, reader, name, registry=""):
    """Delete the image `name` and its builds; refused while an environment uses it or
    a build is under way. Returns the Docker tags of its builds, to remove."""
    row, _ = load(session, reader, name, "delete")
    environments = [e for e in users_of(session, row, registry) if e != test_environment_name(name)]
    if environments:
        raise PortalError(409, "error_image_in_use", environments=", ".join(environments))
    if any(b.status in UNDER_WAY for b in row.builds):
        raise PortalError(409, "error_build_under_way")
    session.execute(
        EnvironmentRecord.__table__.delete().where(
            EnvironmentRecord.name == test_environment_name(name)
        )
    )
    tags = [b.tag for b in row.builds if b.status == OK]
    session.delete(row)
    return tags


# Collaborators


def set_collaborator(session, reader, name, username, permission):
    row, _ = load(session, reader, name, "collaborators")
    return collaboration.share(row, username, permission, ImageCollaborator)


def remove_collaborator(session, reader, name, username):
    row, _ = load(session, reader, name, "collaborators")
    collaboration.unshare(row, username)


# Builds


def base_images(session, reader, standard):
    """What `reader`'s Dockerfiles may start from: the platform's images and the OK
    builds of the images they see."""
    result = list(standard)
    for row, _ in visible(session, reader):
        result.extend(b.tag for b in row.builds if b.status == OK)
    return result


def start_build(session, reader, name, standard, registry=""):
    """Queue a build of the image's current Dockerfile; refused when its Dockerfile
    is refused (400, with the line) or a build of it is already under way (409)."""
    row, _ = load(session, reader, name, "build")
    try:
        plan.check_dockerfile(row.dockerfile, base_images(session, reader, standard))
    except plan.DockerfileRefused as e:
        raise PortalError(400, "error_dockerfile_refused", reason=str(e)) from None
    if any(b.status in UNDER_WAY for b in row.builds):
        raise PortalError(409, "error_build_under_way")
    last = session.scalar(
        select(func.max(BuildRecord.number)).where(BuildRecord.image_id == row.id)
    )
    number = (last or 0) + 1
    build = BuildRecord(
        number=number,
        status=QUEUED,
        started_by=reader.name,
        tag=plan.image_tag(name, number, registry),
        dockerfile=row.dockerfile,
    )
    row.builds.append(build)
    session.flush()
    return build


def load_build(session, reader, name, number, action="view"):
    row, level = load(session, reader, name, action)
    build = next((b for b in row.builds if b.number == number), None)
    if build is None:
        raise PortalError(404, "error_no_build", number=number)
    return row, build


def cancel_queued(session, reader, name, number):
    """Cancel a build: done here when it still waits; the queue stops a running one.

    Returns the build's id and whether the queue must stop it."""
    _, build = load_build(session, reader, name, number, "cancel")
    if build.status == QUEUED:
        build.status, build.error, build.finished = CANCELLED, "Cancelled.", _now()
        return build.id, False
    if build.status == RUNNING:
        return build.id, True
    raise PortalError(409, "error_build_ended")


# The test environment of an image


def test_environment_name(image_name):
    return f"test-{image_name}"


def test_environment(session, reader, name, number):
    """Make the TEST environment of the image run its OK build `number` for `reader`.

    Only teachers see a TEST environment; the image's owner owns it and
    whoever tests becomes one of its teachers. Returns its name.
    """
    row, build = load_build(session, reader, name, number, "test")
    if build.status != OK:
        raise PortalError(409, "error_build_not_ok", number=number)
    env_name = test_environment_name(name)
    environment = session.scalars(
        select(EnvironmentRecord)
        .options(selectinload(EnvironmentRecord.collaborators))
        .where(EnvironmentRecord.name == env_name)
    ).first()
    if environment is None:
        environment = EnvironmentRecord(
            name=env_name,
            owner=row.owner,
            title=f"Test of {name}",
            description=row.description,
            managed_by_config=False,
            status="TEST",
        )
        session.add(environment)
    elif environment.status != "TEST" or environment.owner != row.owner:
        raise PortalError(409, "error_test_name_taken", name=env_name)
    environment.image = build.tag
    environment.interfaces = [i for i in row.interfaces if i != "custom"] or ["jupyterlab"]
    environment.updated = _now()
    if reader.name != row.owner and reader.name not in {
        c.username for c in environment.collaborators
    }:
        environment.collaborators.append(Collaborator(username=reader.name, permission=VIEW))
    session.flush()
    return env_name


# Reading


def _aware(moment):
    return None if moment is None else (moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def build_view(build, *, with_log=False):
    view = {
        "number": build.number,
        "status": build.status,
        "started_by": build.started_by,
        "tag": build.tag,
        "error": build.error,
        "root_warning": build.root_warning,
        "queued": _aware(build.queued),
        "started": _aware(build.started),
        "finished": _aware(build.finished),
    }
    if with_log:
        view["log"] = build.log
        view["dockerfile"] = build.dockerfile
    return view


def image_view(row, level, registry=""):
    latest = latest_ok(row)
    return {
        "name": row.name,
        "description": row.description,
        "dockerfile": row.dockerfile,
        "interfaces": list(row.interfaces),
        "custom_port": row.custom_port,
        "owner": row.owner,
        "public": row.public,
        "version": row.version,
        "access": level.name.lower(),
        "repository": plan.image_repository(row.name, registry),
        "latest_ok": latest.number if latest else None,
        "collaborators": [
            {"username": c.username, "permission": c.permission}
            for c in sorted(row.collaborators, key=lambda c: c.username)
        ],
        "builds": [build_view(b) for b in row.builds],
        "updated": _aware(row.updated),
    }


def image_detail(session, reader, name, registry="", action="view"):
    """The image `name` as its page and the API show it, with the environments using it."""
    row, level = load(session, reader, name, action)
    view = image_view(row, level, registry)
    view["used_by"] = users_of(session, row, registry)
    return view


def latest_ok(row):
    return next((b for b in row.builds if b.status == OK), None)  # builds: newest first


def usable_images(session, reader, registry=""):
    """What `reader` may give an environment of the images teachers build: for each
    image with an OK build, its repository (its latest OK build) and each OK build."""
    result = []
    for row, _ in visible(session, reader):
        ok = [b for b in row.builds if b.status == OK]
        if ok:
            result.append(plan.image_repository(row.name, registry))
            result.extend(b.tag for b in ok)
    return result


def latest_tags(session):
    """{repository: tag of its latest OK build}: what an environment that follows an
    image runs."""
    query = (
        select(BuildRecord.tag, BuildRecord.number, BuildRecord.image_id)
        .where(BuildRecord.status == OK)
        .order_by(BuildRecord.image_id, BuildRecord.number)
    )
    result = {}
    for tag, _number, _image in session.execute(query):
        result[tag.rsplit(":", 1)[0]] = tag  # the last one, by number, wins
    return result


# What the build queue records (for the platform, not for a reader)


def next_queued(session):
    """The ids of the builds waiting, oldest first."""
    query = select(BuildRecord.id).where(BuildRecord.status == QUEUED).order_by(BuildRecord.id)
    return list(session.scalars(query))


def mark_running(session, build_id):
    """The build's job, now that it starts; None when it was cancelled meanwhile."""
    build = session.get(BuildRecord, build_id)
    if build is None or build.status != QUEUED:
        return None
    build.status, build.started = RUNNING, _now()
    return {
        "image": build.image.name,
        "tag": build.tag,
        "dockerfile": build.dockerfile,
        "number": build.number,
    }


def mark_finished(session, build_id, status, *, docker_id="", error="", root_warning="", log=""):
    build = session.get(BuildRecord, build_id)
    if build is None:
        return
    build.status, build.finished = status, _now()
    build.docker_id, build.error, build.root_warning, build.log = (
        docker_id,
        error,
        root_warning,
        log,
    )


def interrupted(session):
    """Builds left under way by a stopped portal: ended as ERROR, saying why."""
    builds = session.scalars(select(BuildRecord).where(BuildRecord.status.in_(UNDER_WAY)))
    count = 0
    for build in builds:
        build.status, build.finished = ERROR, _now()
        build.error = "The platform restarted during this build. Start it again."
        count += 1
    return count


def prunable(session, build_id, keep, registry=""):
    """The OK builds of the image of `build_id` beyond the `keep` newest, that no
    environment is pinned to: their rows are removed, their tags returned."""
    build = session.get(BuildRecord, build_id)
    if build is None:
        return []
    row = build.image
    pinned = set(
        session.scalars(
            select(EnvironmentRecord.image).where(
                EnvironmentRecord.image.startswith(f"{plan.image_repository(row.name, registry)}:")
            )
        )
    )
    ended = [b for b in row.builds if b.status not in UNDER_WAY]  # newest first
    latest = latest_ok(row)  # what environments that follow the image run
    removed = []
    for old in ended[keep:]:
        if old.tag in pinned or old is latest:
            continue
        removed.append(old.tag)
        row.builds.remove(old)
    return removed

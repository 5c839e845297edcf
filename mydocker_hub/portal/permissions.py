"""Who may see and change what in the portal: pure functions, tested as a matrix.

A `Reader` is the person behind a request, as the hub knows them: their name,
whether they are an admin, and whether they hold the ``teacher`` role (the
role that carries the ``custom:mydocker:*`` scopes, whatever the way in: an
LMS, the federation or a local account). The portal's own token reads these
from the hub's REST API; nothing here trusts the request itself.

What a reader may do with one environment follows from their `Access`:

- ``NONE``: the environment does not exist for them (404, so that a teacher
  cannot probe the names of other teachers' environments);
- ``VIEW``: its page, sessions, students and servers (a ``view`` collaborator);
- ``EDIT``: change it, plan its sessions, its join link, stop its servers
  (an ``edit`` collaborator);
- ``OWN``: also its collaborators, archive and delete (its owner, an admin).

An environment of ``jupyterhub_config.py`` is read-only here (its definition
and sessions come from the file) but its join link and servers are managed
like any other.
"""

from dataclasses import dataclass
from enum import IntEnum

from ..auth.roles import TEACHER
from .models import EDIT, VIEW


class Access(IntEnum):
    NONE = 0
    VIEW = 1
    EDIT = 2
    OWN = 3


# What each action on an environment needs.
NEEDS = {
    "view": Access.VIEW,
    "duplicate": Access.VIEW,
    "edit": Access.EDIT,
    "sessions": Access.EDIT,
    "join_link": Access.EDIT,
    "stop_servers": Access.EDIT,
    "collaborators": Access.OWN,
    "archive": Access.OWN,
    "delete": Access.OWN,
}

# Actions that change the definition: refused on an environment of the configuration.
DEFINITION = frozenset({"edit", "sessions", "collaborators", "archive", "delete"})

COLLABORATOR_ACCESS = {VIEW: Access.VIEW, EDIT: Access.EDIT}

TEACHER_TOKEN_SCOPE = "custom:mydocker:environments:write"
ADMIN_TOKEN_SCOPE = "admin:users"


@dataclass(frozen=True)
class Reader:
    """The person behind a request."""

    name: str
    admin: bool = False
    teacher: bool = False

    @classmethod
    def from_model(cls, model, token_scopes=None):
        """From the hub's user model (read with ``read:users`` and ``read:roles:users``).

        `token_scopes` are those of the API token of a request made with one
        (a script): it then acts as a teacher only if the token holds a
        teacher's scope, as an admin only with ``admin:users``.
        """
        admin = bool(model.get("admin"))
        teacher = admin or TEACHER in set(model.get("roles") or ())
        if token_scopes is not None:
            admin = admin and ADMIN_TOKEN_SCOPE in token_scopes
            teacher = teacher and (admin or TEACHER_TOKEN_SCOPE in token_scopes)
        return cls(name=model["name"], admin=admin, teacher=teacher)

    @property
    def may_create(self):
        """Teachers and admins create environments; students never choose an image."""
        return self.teacher or self.admin


def access(reader, owner, collaborators):
    """The `Access` of `reader` to an environment of `owner` with `collaborators`.

    `collaborators` maps user names to ``view`` or ``edit``.
    """
    if reader.admin or (owner and reader.name == owner):
        return Access.OWN
    if not reader.teacher:
        return Access.NONE
    return COLLABORATOR_ACCESS.get(collaborators.get(reader.name), Access.NONE)


def refusal(action, level, *, managed_by_config=False):
    """Why `action` is refused at `level` (`Access`), or None when it is allowed.

    The answer is a message key of `mydocker_hub.portal.i18n` and the HTTP
    status: 404 when the reader may not even see the environment, 403 when
    they see it but may not do this, 409 for an environment of the configuration.
    """
    if level < Access.VIEW:
        return 404, "error_no_environment"
    if level < NEEDS[action]:
        return 403, "error_not_allowed"
    if managed_by_config and action in DEFINITION:
        return 409, "error_managed_by_config"
    return None


# Images that teachers build. What a reader may do with one follows from the
# same `Access`: ``VIEW`` (a ``view`` collaborator, or any teacher when the
# image is public) uses it in environments, reads its builds and tries an OK
# build; ``EDIT`` changes its Dockerfile and context, builds and cancels;
# ``OWN`` also shares it and deletes it.
IMAGE_NEEDS = {
    "view": Access.VIEW,
    "test": Access.VIEW,
    "edit": Access.EDIT,
    "build": Access.EDIT,
    "cancel": Access.EDIT,
    "collaborators": Access.OWN,
    "delete": Access.OWN,
}


def image_access(reader, owner, collaborators, public):
    """The `Access` of `reader` to an image; a public one is seen by every teacher."""
    level = access(reader, owner, collaborators)
    if public and reader.teacher and level < Access.VIEW:
        return Access.VIEW
    return level


def image_refusal(action, level):
    """Why `action` on an image is refused at `level`, or None (as `refusal`)."""
    if level < Access.VIEW:
        return 404, "error_no_image"
    if level < IMAGE_NEEDS[action]:
        return 403, "error_image_not_allowed"
    return None

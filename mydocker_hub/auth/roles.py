"""From what a source says about a person to JupyterHub groups, roles and admin flag.

LTI roles are parsed as the LTI specs define them (`parse_lti_role`): a role has a
scope (``context`` for a membership of the course, ``institution`` or
``system``), a principal role and maybe a sub-role. Its three spellings are
LTI 1.1 short names (``Instructor``: a context role), LTI 1.1 URNs
(``urn:lti:role:ims/lis/Instructor``, ``urn:lti:instrole:ims/lis/...``,
``urn:lti:sysrole:ims/lis/...``) and LTI 1.3 URIs
(``http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor``,
``.../membership/Instructor#TeachingAssistant``, ``.../institution/person#...``).
Only a context role makes a teacher, and by its principal role: an institution's
``Instructor`` (which Canvas sends to students who teach elsewhere) or a
``Learner/Instructor`` sub-role is a student here. The LMS can make an admin only
where the admin says so, per LMS (`RoleMapping.admin_lti_roles`).

Federation affiliations (``eduPersonAffiliation``, possibly scoped as
``faculty@univ.fr``) are compared by the part before ``@``.
"""

import re
from dataclasses import dataclass

from jupyterhub.roles import get_default_roles
from traitlets import Dict, List, Set, Unicode, validate
from traitlets.config import LoggingConfigurable

TEACHER, STUDENT, ADMIN = "teacher", "student", "admin"
TEACHERS_GROUP, STUDENTS_GROUP = "teachers", "students"
MANAGED_GROUPS = frozenset({TEACHERS_GROUP, STUDENTS_GROUP})

# The scopes of the teacher portal (a Hub-managed service, later): defined here so that
# the `teacher` role can carry them from the first login on.
CUSTOM_SCOPES = {
    "custom:mydocker:environments:write": {
        "description": "Create and change the environments and images one owns or shares.",
    },
    "custom:mydocker:sessions:write": {
        "description": "Plan the sessions of one's environments.",
    },
    "custom:mydocker:students:read": {
        "description": "See which students use one's environments, and their servers' state.",
    },
}

TEACHER_ROLE = {
    "name": TEACHER,
    "description": "Teachers: prepare images and environments, plan sessions, follow students.",
    "scopes": sorted(CUSTOM_SCOPES),
}

# Roles every user keeps: JupyterHub gives them by default.
DEFAULT_ROLES = frozenset({"user", "admin"})

CONTEXT, INSTITUTION, SYSTEM = "context", "institution", "system"

_LIS_V2 = re.compile(
    r"^https?://purl\.imsglobal\.org/vocab/(?:lis|lti)/v2/"
    r"(?:(membership)(?:/([^#/]+))?#([^#/]+)|(institution|system)/person#([^#/]+))$"
)
_LTI_SYSTEM_V1P3 = re.compile(r"^https?://purl\.imsglobal\.org/vocab/lti/system/person#([^#/]+)$")
_LTI11_URN = re.compile(r"^urn:lti:(role|instrole|sysrole):ims/lis/([^/]+)(?:/([^/]+))?$")
_SHORT = re.compile(r"^([A-Za-z]+)(?:/([A-Za-z]+))?$")
_URN_SCOPES = {"role": CONTEXT, "instrole": INSTITUTION, "sysrole": SYSTEM}


@dataclass(frozen=True)
class LtiRole:
    """One LTI role: its scope, principal role and sub-role, in lowercase."""

    scope: str
    principal: str
    sub_role: str = ""


def parse_lti_role(role):
    """An `LtiRole` from any of the LTI spellings, or None for what is no LTI role.

    >>> parse_lti_role("http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant")
    LtiRole(scope='context', principal='instructor', sub_role='teachingassistant')
    >>> parse_lti_role("urn:lti:instrole:ims/lis/Administrator")
    LtiRole(scope='institution', principal='administrator', sub_role='')
    >>> parse_lti_role("Learner/Instructor")
    LtiRole(scope='context', principal='learner', sub_role='instructor')
    """
    text = (role or "").strip()
    match = _LIS_V2.match(text)
    if match:
        membership, principal, word, scope, person_role = match.groups()
        if membership:
            # ``membership#Instructor`` or ``membership/Instructor#TeachingAssistant``
            if principal:
                return LtiRole(CONTEXT, principal.lower(), word.lower())
            return LtiRole(CONTEXT, word.lower())
        return LtiRole(scope, person_role.lower())
    match = _LTI_SYSTEM_V1P3.match(text)
    if match:
        return LtiRole(SYSTEM, match.group(1).lower())
    match = _LTI11_URN.match(text)
    if match:
        kind, principal, sub_role = match.groups()
        return LtiRole(_URN_SCOPES[kind], principal.lower(), (sub_role or "").lower())
    match = _SHORT.match(text)
    if match:
        # A simple name is a context role (LTI 1.1, and LTI 1.3 section A.2.2).
        return LtiRole(CONTEXT, match.group(1).lower(), (match.group(2) or "").lower())
    return None


def split_lti_roles(value):
    """LTI 1.1 sends roles as one comma-separated string, LTI 1.3 as a list."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return tuple(str(part).strip() for part in (value or ()) if str(part).strip())


def affiliation_word(affiliation):
    """'Faculty@univ.fr' -> 'faculty'."""
    return (affiliation or "").strip().split("@", 1)[0].lower()


def kind_of_local_role(role):
    """'teacher' or 'student' for a local account's role (``mydocker-hub add-user --role``).

    The one place that says a local ``teacher`` (and ``admin``) is a teacher: its
    logins (`RoleMapping.kind`), the admin CLI's user model and the role the hub
    gives a new local account (`MyDockerAuthenticator.add_user`) all ask it.
    """
    return TEACHER if role in (TEACHER, ADMIN) else STUDENT


class RoleMapping(LoggingConfigurable):
    """Which LTI roles and federation affiliations make a teacher, and who is admin."""

    teacher_lti_roles = Set(
        Unicode(),
        default_value={"instructor", "contentdeveloper", "teachingassistant", "administrator"},
        config=True,
        help="""
        Principal context roles (roles in the course) that make a teacher, in
        any spelling: ``Instructor``, ``urn:lti:role:ims/lis/Instructor`` and
        ``http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor`` are
        all ``instructor``. A sub-role counts as its principal role
        (``membership/Instructor#TeachingAssistant`` is an instructor,
        ``Learner/Instructor`` a learner); institution and system roles never
        make a teacher. Any other role makes a student. For example::

            c.RoleMapping.teacher_lti_roles = {"instructor", "contentdeveloper"}

        .. versionadded:: 0.1
        .. versionchanged:: 0.2
           Only context roles count, by their principal role.
        """,
    )

    admin_lti_roles = Dict(
        key_trait=Unicode(),
        value_trait=List(Unicode()),
        config=True,
        help="""
        Per LMS (an LTI 1.1 consumer key or an LTI 1.3 platform's ``name``),
        the LTI roles that make a JupyterHub admin, in any spelling. Empty by
        default: no LMS makes an admin, and an LMS administrator is only what
        their role in the course makes them. For example, to trust the
        university's own Moodle for its system administrators::

            c.RoleMapping.admin_lti_roles = {
                "moodle.univ.fr": [
                    "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"
                ],
            }

        .. versionadded:: 0.1
        .. versionchanged:: 0.2
           Per LMS, matched on the whole role (scope, role and sub-role).
        """,
    )

    teacher_affiliations = Set(
        Unicode(),
        default_value={"faculty", "staff", "employee"},
        config=True,
        help="""
        ``eduPersonAffiliation`` / ``eduPersonPrimaryAffiliation`` values
        (scoped values like ``faculty@univ.fr`` included) that make a teacher.
        Others (``student``, ``member``, ``affiliate``, ...) make a student.

        .. versionadded:: 0.1
        """,
    )

    teacher_users = Set(
        Unicode(),
        config=True,
        help="""
        Usernames that are teachers whatever their source says, e.g. a
        colleague who logs in through the federation as ``member``::

            c.RoleMapping.teacher_users = {"jean.dupont@univ.fr"}

        .. versionadded:: 0.1
        """,
    )

    @validate("teacher_lti_roles")
    def _validate_teacher_lti_roles(self, proposal):
        words = set()
        for text in proposal.value:
            role = parse_lti_role(text)
            if role is None or role.scope != CONTEXT:
                raise ValueError(
                    f"RoleMapping.teacher_lti_roles: {text!r} is not a context role "
                    "(like Instructor or .../membership#Instructor)"
                )
            words.add(role.principal)
        return words

    @validate("admin_lti_roles")
    def _validate_admin_lti_roles(self, proposal):
        if not isinstance(proposal.value, dict):
            raise ValueError(
                "RoleMapping.admin_lti_roles: expected {LMS name: [roles]}, "
                'e.g. {"moodle.univ.fr": ["urn:lti:sysrole:ims/lis/Administrator"]}'
            )
        for source, roles in proposal.value.items():
            for text in roles:
                if parse_lti_role(text) is None:
                    raise ValueError(
                        f"RoleMapping.admin_lti_roles[{source!r}]: {text!r} is not an LTI role"
                    )
        return proposal.value

    @validate("teacher_affiliations")
    def _validate_affiliations(self, proposal):
        words = {affiliation_word(a) for a in proposal.value}
        if "" in words:
            raise ValueError("RoleMapping.teacher_affiliations: empty affiliation")
        return words

    def is_context_teacher(self, identity):
        """Whether the LMS says `identity` teaches in the course of the launch."""
        roles = filter(None, map(parse_lti_role, identity.lti_roles))
        return any(r.scope == CONTEXT and r.principal in self.teacher_lti_roles for r in roles)

    def kind(self, name, identity):
        """'teacher' or 'student' for the user `name` logging in with `identity`.

        Any source saying teacher is enough: a local account's role (given by
        an admin), `teacher_users`, a context role or an affiliation.
        """
        if kind_of_local_role(identity.local_role) == TEACHER or name in self.teacher_users:
            return TEACHER
        if self.is_context_teacher(identity):
            return TEACHER
        affiliations = {affiliation_word(a) for a in identity.affiliations}
        if affiliations & self.teacher_affiliations:
            return TEACHER
        return STUDENT

    def is_admin(self, name, identity, configured_admins=()):
        """Whether the login makes `name` an admin (configured admins, local role or claim)."""
        if name in configured_admins or identity.local_role == ADMIN or identity.admin_claim:
            return True
        if identity.source not in ("lti11", "lti13"):
            return False
        admin_roles = {
            parse_lti_role(role) for role in self.admin_lti_roles.get(identity.issuer, ())
        }
        roles = {parse_lti_role(role) for role in identity.lti_roles}
        return bool(admin_roles & roles)


def default_role(name):
    """JupyterHub's own definition of a default role (``user``, ``admin``), scopes included."""
    return next(dict(role) for role in get_default_roles() if role["name"] == name)


def groups_and_roles(kind, admin, kept_groups=(), kept_roles=(), user_role=None):
    """The groups and roles of a user after a login.

    `kept_groups` and `kept_roles` (role dicts) are the ones an admin granted
    by hand: a login never removes them. ``teachers`` / ``students`` and the
    ``teacher`` role follow the login. Every role is given whole, with its
    scopes: JupyterHub (re)defines the roles a login names from these dicts,
    so `user_role` is the ``user`` role as the hub defines it now (with
    ``JupyterHub.extra_user_scopes``), JupyterHub's default when not given.
    """
    if admin:
        kind = TEACHER
    group = TEACHERS_GROUP if kind == TEACHER else STUDENTS_GROUP
    groups = sorted({group} | (set(kept_groups) - MANAGED_GROUPS))
    roles = [dict(user_role or default_role("user"))]
    if admin:
        roles.append(default_role("admin"))
    if kind == TEACHER:
        roles.append(dict(TEACHER_ROLE))
    managed = {role["name"] for role in roles} | {TEACHER}
    for role in sorted(kept_roles, key=lambda r: r["name"]):
        if role["name"] not in managed:
            roles.append(dict(role))
    return groups, roles

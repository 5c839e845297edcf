"""From what a source says about a person to JupyterHub groups, roles and admin flag.

LTI roles come in three spellings (LTI 1.1 short names such as ``Instructor``,
LTI 1.1 URNs such as ``urn:lti:role:ims/lis/Instructor`` and LTI 1.3 URIs such
as ``http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor``); they are
compared by their last word, lowercased. Federation affiliations
(``eduPersonAffiliation``, possibly scoped as ``faculty@univ.fr``) are compared
by the part before ``@``.
"""

import re

from traitlets import Set, Unicode, validate
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

_LAST_WORD = re.compile(r"[^#/:]+$")


def lti_role_word(role):
    """The lowercased last word of an LTI role in any of its spellings.

    >>> lti_role_word("http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor")
    'instructor'
    >>> lti_role_word("urn:lti:role:ims/lis/Instructor/TeachingAssistant")
    'teachingassistant'
    """
    match = _LAST_WORD.search((role or "").strip())
    return match.group(0).lower() if match else ""


def split_lti_roles(value):
    """LTI 1.1 sends roles as one comma-separated string, LTI 1.3 as a list."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return tuple(str(part).strip() for part in (value or ()) if str(part).strip())


def affiliation_word(affiliation):
    """'Faculty@univ.fr' -> 'faculty'."""
    return (affiliation or "").strip().split("@", 1)[0].lower()


class RoleMapping(LoggingConfigurable):
    """Which LTI roles and federation affiliations make a teacher, and who is admin."""

    teacher_lti_roles = Set(
        Unicode(),
        default_value={"instructor", "contentdeveloper", "teachingassistant", "administrator"},
        config=True,
        help="""
        LTI roles that make a teacher, by their last word in lowercase (so
        ``Instructor``, ``urn:lti:role:ims/lis/Instructor`` and
        ``http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor`` all
        match ``instructor``). Any other role makes a student. For example::

            c.RoleMapping.teacher_lti_roles = {"instructor", "contentdeveloper"}

        .. versionadded:: 0.1
        """,
    )

    admin_lti_roles = Set(
        Unicode(),
        config=True,
        help="""
        LTI roles that make a JupyterHub admin (same spelling as
        `teacher_lti_roles`). Empty by default: an LMS administrator is a
        teacher here, not an admin. For example ``{"administrator"}``.

        .. versionadded:: 0.1
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

    @validate("teacher_lti_roles", "admin_lti_roles")
    def _validate_lti_roles(self, proposal):
        words = {lti_role_word(role) for role in proposal.value}
        if "" in words:
            raise ValueError(f"RoleMapping.{proposal.trait.name}: empty role name")
        return words

    @validate("teacher_affiliations")
    def _validate_affiliations(self, proposal):
        words = {affiliation_word(a) for a in proposal.value}
        if "" in words:
            raise ValueError("RoleMapping.teacher_affiliations: empty affiliation")
        return words

    def kind(self, name, identity):
        """'teacher' or 'student' for the user `name` logging in with `identity`.

        Any source saying teacher is enough: a local account's role (given by
        an admin), `teacher_users`, an LTI role or an affiliation.
        """
        if identity.local_role in (TEACHER, ADMIN) or name in self.teacher_users:
            return TEACHER
        words = {lti_role_word(role) for role in identity.lti_roles}
        if words & self.teacher_lti_roles:
            return TEACHER
        affiliations = {affiliation_word(a) for a in identity.affiliations}
        if affiliations & self.teacher_affiliations:
            return TEACHER
        return STUDENT

    def is_admin(self, name, identity, configured_admins=()):
        """Whether the login makes `name` an admin (configured admins, local role or claim)."""
        if name in configured_admins or identity.local_role == ADMIN or identity.admin_claim:
            return True
        words = {lti_role_word(role) for role in identity.lti_roles}
        return bool(words & self.admin_lti_roles)


def groups_and_roles(kind, admin, kept_groups=(), kept_roles=()):
    """The groups and roles of a user after a login.

    `kept_groups` and `kept_roles` are the ones an admin granted by hand: a
    login never removes them. ``teachers`` / ``students`` and the ``teacher``
    role follow the login.
    """
    if admin:
        kind = TEACHER
    group = TEACHERS_GROUP if kind == TEACHER else STUDENTS_GROUP
    groups = sorted({group} | (set(kept_groups) - MANAGED_GROUPS))
    roles = [{"name": "user"}]
    if admin:
        roles.append({"name": "admin"})
    if kind == TEACHER:
        roles.append(dict(TEACHER_ROLE))
    names = {role["name"] for role in roles}
    roles.extend({"name": name} for name in sorted(set(kept_roles) - names - {TEACHER}))
    return groups, roles

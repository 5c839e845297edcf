"""The role matrix: LTI roles in every spelling and federation affiliations -> groups and roles."""

import pytest

from mydocker_hub.auth.identity import Identity
from mydocker_hub.auth.roles import (
    TEACHER_ROLE,
    LtiRole,
    RoleMapping,
    groups_and_roles,
    parse_lti_role,
    split_lti_roles,
)

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
INSTITUTION = "http://purl.imsglobal.org/vocab/lis/v2/institution/person"
SYSTEM = "http://purl.imsglobal.org/vocab/lis/v2/system/person"

LTI_ROLE_MATRIX = {
    "lti11-short-instructor": ("Instructor", "teacher"),
    "lti11-short-learner": ("Learner", "student"),
    "lti11-short-content-developer": ("ContentDeveloper", "teacher"),
    "lti11-short-teaching-assistant": ("TeachingAssistant", "teacher"),
    "lti11-short-administrator": ("Administrator", "teacher"),
    "lti11-urn-instructor": ("urn:lti:role:ims/lis/Instructor", "teacher"),
    "lti11-urn-sub-role-teaching-assistant": (
        "urn:lti:role:ims/lis/Instructor/TeachingAssistant",
        "teacher",
    ),
    "lti11-urn-learner": ("urn:lti:role:ims/lis/Learner", "student"),
    "lti11-urn-sysrole-administrator-is-no-teacher": (
        "urn:lti:sysrole:ims/lis/Administrator",
        "student",
    ),
    "lti11-urn-instrole-administrator-is-no-teacher": (
        "urn:lti:instrole:ims/lis/Administrator",
        "student",
    ),
    "lti11-urn-learner-sub-role-instructor-is-student": (
        "urn:lti:role:ims/lis/Learner/Instructor",
        "student",
    ),
    "lti11-short-learner-sub-role-instructor-is-student": ("Learner/Instructor", "student"),
    "lti11-comma-list-learner-and-instructor": ("Learner,Instructor", "teacher"),
    "lti13-uri-instructor": (f"{MEMBERSHIP}#Instructor", "teacher"),
    "lti13-uri-learner": (f"{MEMBERSHIP}#Learner", "student"),
    "lti13-uri-content-developer": (f"{MEMBERSHIP}#ContentDeveloper", "teacher"),
    "lti13-uri-sub-role-teaching-assistant": (
        f"{MEMBERSHIP}/Instructor#TeachingAssistant",
        "teacher",
    ),
    "lti13-uri-institution-administrator-is-no-teacher": (
        f"{INSTITUTION}#Administrator",
        "student",
    ),
    "lti13-uri-institution-instructor-is-no-teacher": (f"{INSTITUTION}#Instructor", "student"),
    "lti13-uri-learner-sub-role-instructor-is-student": (
        f"{MEMBERSHIP}/Learner#Instructor",
        "student",
    ),
    "lti13-uri-context-administrator": (f"{MEMBERSHIP}#Administrator", "teacher"),
    "canvas-student-who-teaches-elsewhere-is-student": (
        [f"{INSTITUTION}#Instructor", f"{INSTITUTION}#Student", f"{MEMBERSHIP}#Learner"],
        "student",
    ),
    "lti13-uri-mentor-is-student": (f"{MEMBERSHIP}#Mentor", "student"),
    "no-role-is-student": ("", "student"),
}


@pytest.mark.parametrize("roles, kind", list(LTI_ROLE_MATRIX.values()), ids=list(LTI_ROLE_MATRIX))
def test_lti_role_matrix(roles, kind):
    identity = Identity("lti11", "moodle", "42", lti_roles=split_lti_roles(roles))
    assert RoleMapping().kind("42@moodle", identity) == kind


AFFILIATION_MATRIX = {
    "faculty": (["faculty"], "teacher"),
    "staff": (["staff"], "teacher"),
    "employee": (["employee"], "teacher"),
    "student": (["student"], "student"),
    "member": (["member"], "student"),
    "affiliate": (["affiliate"], "student"),
    "member-and-faculty": (["member", "faculty"], "teacher"),
    "scoped-faculty": (["Faculty@univ.fr"], "teacher"),
    "scoped-student": (["student@univ.fr"], "student"),
    "none": ([], "student"),
}


@pytest.mark.parametrize(
    "affiliations, kind", list(AFFILIATION_MATRIX.values()), ids=list(AFFILIATION_MATRIX)
)
def test_affiliation_matrix(affiliations, kind):
    identity = Identity("oidc", "federation", "s", affiliations=tuple(affiliations))
    assert RoleMapping().kind("x@univ.fr", identity) == kind


PARSED_ROLES = {
    "short": ("Instructor", LtiRole("context", "instructor")),
    "short-sub-role": ("Learner/Instructor", LtiRole("context", "learner", "instructor")),
    "lti11-urn": ("urn:lti:role:ims/lis/Instructor", LtiRole("context", "instructor")),
    "lti11-urn-sub-role": (
        "urn:lti:role:ims/lis/Instructor/TeachingAssistant",
        LtiRole("context", "instructor", "teachingassistant"),
    ),
    "lti11-instrole": (
        "urn:lti:instrole:ims/lis/Administrator",
        LtiRole("institution", "administrator"),
    ),
    "lti11-sysrole": ("urn:lti:sysrole:ims/lis/SysAdmin", LtiRole("system", "sysadmin")),
    "lti13-membership": (f"{MEMBERSHIP}#Learner", LtiRole("context", "learner")),
    "lti13-membership-sub-role": (
        f"{MEMBERSHIP}/Instructor#TeachingAssistant",
        LtiRole("context", "instructor", "teachingassistant"),
    ),
    "lti13-institution": (f"{INSTITUTION}#Faculty", LtiRole("institution", "faculty")),
    "lti13-system": (f"{SYSTEM}#Administrator", LtiRole("system", "administrator")),
    "lti13-lti-system": (
        "http://purl.imsglobal.org/vocab/lti/system/person#TestUser",
        LtiRole("system", "testuser"),
    ),
    "unknown-uri": ("https://example.org/roles#Instructor", None),
    "blank": ("  ", None),
}


@pytest.mark.parametrize("text, role", list(PARSED_ROLES.values()), ids=list(PARSED_ROLES))
def test_parse_lti_role(text, role):
    assert parse_lti_role(text) == role


ADMIN_MATRIX = {
    "configured-admin-user": (dict(), "boss", {"boss"}, True),
    "lms-administrator-is-not-admin-by-default": (
        dict(lti_roles=("Administrator",)),
        "a",
        set(),
        False,
    ),
    "admin-claim": (dict(admin_claim=True), "a", set(), True),
    "local-admin-role": (dict(local_role="admin"), "a", set(), True),
    "local-teacher-role": (dict(local_role="teacher"), "a", set(), False),
    "local-admin-with-federation-claims": (
        dict(local_role="admin", affiliations=("member",)),
        "a",
        set(),
        True,
    ),
    "plain-student": (dict(lti_roles=("Learner",)), "a", set(), False),
}


@pytest.mark.parametrize(
    "fields, name, admins, admin", list(ADMIN_MATRIX.values()), ids=list(ADMIN_MATRIX)
)
def test_admin_matrix(fields, name, admins, admin):
    identity = Identity("lti13", "lms", name, **fields)
    assert RoleMapping().is_admin(name, identity, admins) is admin


def test_admin_lti_roles_are_per_lms_and_match_the_whole_role():
    mapping = RoleMapping(admin_lti_roles={"moodle": [f"{SYSTEM}#Administrator"]})

    def admin(issuer, role, source="lti13"):
        return mapping.is_admin("a", Identity(source, issuer, "a", lti_roles=(role,)))

    assert admin("moodle", "urn:lti:sysrole:ims/lis/Administrator", source="lti11")
    assert admin("moodle", f"{SYSTEM}#Administrator")
    assert not admin("other-lms", f"{SYSTEM}#Administrator")
    assert not admin("moodle", f"{INSTITUTION}#Administrator")
    assert not admin("moodle", f"{MEMBERSHIP}#Administrator")
    assert not admin("moodle", f"{SYSTEM}#Administrator", source="oidc")


def test_no_lms_makes_an_admin_by_default():
    identity = Identity(
        "lti11", "moodle", "a", lti_roles=("urn:lti:sysrole:ims/lis/Administrator",)
    )
    assert not RoleMapping().is_admin("a", identity)


def test_teacher_users_are_teachers_whatever_the_source_says():
    mapping = RoleMapping(teacher_users={"colleague@univ.fr"})
    identity = Identity("oidc", "federation", "s", affiliations=("member",))
    assert mapping.kind("colleague@univ.fr", identity) == "teacher"


def test_teacher_roles_are_configurable():
    mapping = RoleMapping(teacher_lti_roles={"instructor"})
    identity = Identity("lti11", "m", "1", lti_roles=("TeachingAssistant",))
    assert mapping.kind("1@m", identity) == "student"


@pytest.mark.parametrize(
    "local_role, affiliations, kind",
    [
        ("teacher", ("student",), "teacher"),
        ("admin", (), "teacher"),
        ("student", ("faculty",), "teacher"),
        ("student", ("student",), "student"),
    ],
    ids=["local-teacher-wins", "local-admin", "federation-faculty-wins", "both-student"],
)
def test_a_local_account_role_and_the_federation_add_up(local_role, affiliations, kind):
    identity = Identity("oidc", "f", "x", local_role=local_role, affiliations=affiliations)
    assert RoleMapping().kind("x", identity) == kind


def test_teacher_gets_teachers_group_and_the_teacher_role_with_custom_scopes():
    groups, roles = groups_and_roles("teacher", admin=False)
    assert groups == ["teachers"]
    assert [r["name"] for r in roles] == ["user", "teacher"]
    assert all(scope.startswith("custom:") for scope in roles[1]["scopes"])
    assert roles[1] == TEACHER_ROLE


def test_student_gets_students_group_and_only_the_user_role():
    groups, roles = groups_and_roles("student", admin=False)
    assert groups == ["students"]
    assert [r["name"] for r in roles] == ["user"]


def test_every_role_given_at_login_carries_its_scopes():
    # A role without scopes makes JupyterHub warn "Role user will have no scopes".
    _, roles = groups_and_roles("teacher", admin=True)
    assert {r["name"]: r["scopes"] for r in roles[:2]} == {
        "user": ["self"],
        "admin": roles[1]["scopes"],
    }
    assert all(role["scopes"] for role in roles)


def test_an_admin_is_a_teacher_and_keeps_the_admin_role():
    groups, roles = groups_and_roles("student", admin=True)
    assert groups == ["teachers"]
    assert [r["name"] for r in roles] == ["user", "admin", "teacher"]


def test_hand_granted_groups_and_roles_are_kept_but_managed_ones_follow_the_login():
    groups, roles = groups_and_roles(
        "student",
        admin=False,
        kept_groups=["teachers", "tutors"],
        kept_roles=[{"name": "grader", "scopes": ["read:users"]}, {"name": "teacher"}],
    )
    assert groups == ["students", "tutors"]
    assert [r["name"] for r in roles] == ["user", "grader"]
    assert roles[1]["scopes"] == ["read:users"]


def test_configured_roles_may_be_written_in_any_spelling():
    mapping = RoleMapping(
        teacher_lti_roles={"Instructor", f"{MEMBERSHIP}#Mentor"}, teacher_affiliations={"Staff"}
    )
    assert mapping.teacher_lti_roles == {"instructor", "mentor"}
    assert mapping.teacher_affiliations == {"staff"}
    with pytest.raises(Exception, match="RoleMapping.admin_lti_roles"):
        RoleMapping(admin_lti_roles={"moodle": ["not a role"]})
    with pytest.raises(Exception, match="RoleMapping.teacher_lti_roles"):
        RoleMapping(teacher_lti_roles={f"{INSTITUTION}#Instructor"})

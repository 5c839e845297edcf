"""Who may do what with an environment: the whole table of `permissions.refusal`.

The table is written out by hand (not recomputed from `NEEDS`), so that a change
of any rule shows here as the one cell that moved.
"""

import pytest

from mydocker_hub.portal import i18n, permissions
from mydocker_hub.portal.permissions import Access, Reader, access, refusal

OWNER = "olivia"
COLLABORATORS = {"victor": "view", "edith": "edit"}

READERS = {
    "admin": Reader("root", admin=True),
    "owner": Reader(OWNER, teacher=True),
    "view": Reader("victor", teacher=True),
    "edit": Reader("edith", teacher=True),
    "other": Reader("oscar", teacher=True),
    "student": Reader("sam"),
}
ORDER = ("admin", "owner", "view", "edit", "other", "student")

OK = None
R404 = (404, "error_no_environment")
R403 = (403, "error_not_allowed")
R409 = (409, "error_managed_by_config")
CODES = {"ok": OK, "404": R404, "403": R403, "409": R409}

# action: (readers in ORDER when the portal owns it, the same when the config does)
TABLE = {
    "view": ("ok ok ok ok 404 404", "ok ok ok ok 404 404"),
    "duplicate": ("ok ok ok ok 404 404", "ok ok ok ok 404 404"),
    "edit": ("ok ok 403 ok 404 404", "409 409 403 409 404 404"),
    "sessions": ("ok ok 403 ok 404 404", "409 409 403 409 404 404"),
    "join_link": ("ok ok 403 ok 404 404", "ok ok 403 ok 404 404"),
    "stop_servers": ("ok ok 403 ok 404 404", "ok ok 403 ok 404 404"),
    "collaborators": ("ok ok 403 403 404 404", "409 409 403 403 404 404"),
    "archive": ("ok ok 403 403 404 404", "409 409 403 403 404 404"),
    "delete": ("ok ok 403 403 404 404", "409 409 403 403 404 404"),
}

CASES = [
    pytest.param(who, action, managed, CODES[code], id=f"{who}-{action}-{label}")
    for action, rows in TABLE.items()
    for managed, label, row in ((False, "portal", rows[0]), (True, "config", rows[1]))
    for who, code in zip(ORDER, row.split(), strict=True)
]


def test_the_table_covers_every_action():
    assert set(TABLE) == set(permissions.NEEDS)
    assert len(CASES) == 6 * len(permissions.NEEDS) * 2


@pytest.mark.parametrize(("who", "action", "managed", "expected"), CASES)
def test_refusal(who, action, managed, expected):
    level = access(READERS[who], OWNER, COLLABORATORS)
    assert refusal(action, level, managed_by_config=managed) == expected


@pytest.mark.parametrize(
    ("who", "level"),
    [
        ("admin", Access.OWN),
        ("owner", Access.OWN),
        ("view", Access.VIEW),
        ("edit", Access.EDIT),
        ("other", Access.NONE),
        ("student", Access.NONE),
    ],
)
def test_access_levels(who, level):
    assert access(READERS[who], OWNER, COLLABORATORS) is level


def test_a_collaborator_who_is_no_longer_a_teacher_loses_access():
    assert access(Reader("edith"), OWNER, COLLABORATORS) is Access.NONE
    assert access(Reader("victor"), OWNER, COLLABORATORS) is Access.NONE


def test_an_environment_without_owner_belongs_to_nobody():
    # The configuration's environments have no owner: an empty name is not their owner.
    assert access(Reader("", teacher=True), "", {}) is Access.NONE
    assert access(Reader("", teacher=True), "", {"": "edit"}) is Access.EDIT
    assert access(Reader("root", admin=True), "", {}) is Access.OWN


def test_an_unknown_permission_gives_nothing():
    assert access(Reader("x", teacher=True), OWNER, {"x": "admin"}) is Access.NONE


def test_levels_are_ordered():
    assert Access.NONE < Access.VIEW < Access.EDIT < Access.OWN


def test_every_refusal_key_is_translated():
    for status, key in (R403, R404, R409):
        assert status in (403, 404, 409)
        for lang in i18n.LANGUAGES:
            assert key in i18n.MESSAGES[lang], (lang, key)


# ---- Reader.from_model ------------------------------------------------------------

TEACHER_SCOPE = "custom:mydocker:environments:write"


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        pytest.param(
            {"name": "t", "admin": False, "roles": ["user", "teacher"]},
            Reader("t", admin=False, teacher=True),
            id="teacher-role",
        ),
        pytest.param(
            {"name": "s", "admin": False, "roles": ["user"]},
            Reader("s", admin=False, teacher=False),
            id="student",
        ),
        pytest.param({"name": "n"}, Reader("n"), id="no-roles-key"),
        pytest.param({"name": "n", "roles": None}, Reader("n"), id="roles-null"),
        pytest.param(
            {"name": "a", "admin": True, "roles": ["admin", "user"]},
            Reader("a", admin=True, teacher=True),
            id="admin-is-a-teacher",
        ),
        pytest.param(
            {"name": "x", "roles": ["teachers"]}, Reader("x"), id="group-name-is-not-the-role"
        ),
    ],
)
def test_reader_from_roles(model, expected):
    assert Reader.from_model(model) == expected


@pytest.mark.parametrize(
    ("model", "scopes", "expected"),
    [
        pytest.param(
            {"name": "t", "roles": ["teacher"]},
            {TEACHER_SCOPE, "read:users"},
            Reader("t", teacher=True),
            id="teacher-token-with-teacher-scope",
        ),
        pytest.param(
            {"name": "t", "roles": ["teacher"]},
            {"read:users", "access:services"},
            Reader("t"),
            id="teacher-token-without-teacher-scope",
        ),
        pytest.param(
            {"name": "t", "roles": ["teacher"]},
            set(),
            Reader("t"),
            id="teacher-token-without-any-scope",
        ),
        pytest.param(
            {"name": "s", "roles": ["user"]},
            {TEACHER_SCOPE, "admin:users"},
            Reader("s"),
            id="a-token-never-raises-a-student",
        ),
        pytest.param(
            {"name": "a", "admin": True, "roles": ["admin"]},
            {"admin:users"},
            Reader("a", admin=True, teacher=True),
            id="admin-token-with-admin-users",
        ),
        pytest.param(
            {"name": "a", "admin": True, "roles": ["admin"]},
            {TEACHER_SCOPE},
            Reader("a", admin=False, teacher=True),
            id="admin-token-with-only-teacher-scope",
        ),
        pytest.param(
            {"name": "a", "admin": True, "roles": ["admin"]},
            {"read:users"},
            Reader("a"),
            id="admin-token-with-neither",
        ),
    ],
)
def test_reader_from_a_token(model, scopes, expected):
    assert Reader.from_model(model, token_scopes=scopes) == expected


def test_the_token_scopes_are_the_teacher_roles_and_jupyterhubs():
    from mydocker_hub.auth import roles

    assert permissions.TEACHER_TOKEN_SCOPE == TEACHER_SCOPE
    assert permissions.TEACHER_TOKEN_SCOPE in roles.TEACHER_ROLE["scopes"]
    assert permissions.ADMIN_TOKEN_SCOPE == "admin:users"


@pytest.mark.parametrize(
    ("reader", "may"),
    [
        (Reader("a", admin=True), True),
        (Reader("t", teacher=True), True),
        (Reader("s"), False),
    ],
)
def test_who_may_create(reader, may):
    assert reader.may_create is may

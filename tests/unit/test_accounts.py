import pytest

from mydocker_hub import accounts, admin
from mydocker_hub.auth.store import LinkStore


def test_create_then_log_in(database):
    name, password = accounts.create("Alice", "teacher")
    assert name == "alice"
    assert accounts.authenticate("alice", password) == "teacher"
    assert accounts.authenticate("ALICE ", password) == "teacher"
    assert accounts.authenticate("alice", password + "x") is None
    assert accounts.authenticate("nobody", password) is None


@pytest.mark.parametrize(
    "name, role, message",
    [
        ("bob", "king", "unknown role"),
        ("bad name", "student", "invalid user name"),
        ("", "student", "invalid user name"),
    ],
    ids=["unknown-role", "space-in-name", "empty-name"],
)
def test_bad_requests_are_refused_and_write_nothing(database, name, role, message):
    with pytest.raises(accounts.AccountError, match=message):
        accounts.create(name, role)
    assert accounts.get_role("bob") is None


def test_an_existing_user_is_not_overwritten(database):
    _, password = accounts.create("carol", "student")
    with pytest.raises(accounts.AccountError, match="already exists"):
        accounts.create("carol", "admin")
    assert accounts.authenticate("carol", password) == "student"


def test_reset_password_replaces_the_old_one(database):
    _, old = accounts.create("dave", "student")
    new = accounts.reset_password("dave")
    assert accounts.authenticate("dave", new) == "student"
    assert accounts.authenticate("dave", old) is None
    with pytest.raises(accounts.AccountError, match="no local user"):
        accounts.reset_password("erin")


def test_passwords_are_stored_hashed(database):
    from mydocker_hub import db

    _, password = accounts.create("frank", "student")
    with db.session() as session:
        stored = session.get(db.LocalAccount, "frank").password_hash
    assert password not in stored and stored.startswith("scrypt$")


def test_a_name_already_used_by_an_outside_login_cannot_become_a_local_account(database):
    LinkStore().link("oidc:federation:s-1", "jean@univ.fr")
    with pytest.raises(accounts.AccountError, match="already used by a login from oidc"):
        accounts.create("jean@univ.fr", "admin")
    assert not accounts.exists("jean@univ.fr")


def test_an_admin_links_a_local_account_to_a_login_source(database):
    accounts.create("marie@univ.fr", "teacher")
    assert admin.link_login("Marie@univ.fr", "federation") == "marie@univ.fr"
    assert LinkStore().join_allowed("marie@univ.fr", "federation")
    assert not LinkStore().join_allowed("marie@univ.fr", "moodle")
    with pytest.raises(accounts.AccountError, match="no local user"):
        admin.link_login("nobody", "federation")

"""Safe redirects, the authenticator's admin bookkeeping and its traits' help."""

import pytest

from mydocker_hub import authenticator, db
from mydocker_hub.auth import local, lti11, lti13, oidc, roles
from mydocker_hub.auth.identity import Identity
from mydocker_hub.auth.redirects import environment_url, safe_next_url
from mydocker_hub.auth.store import MemoryLinkStore


@pytest.mark.parametrize(
    "next_url, safe",
    [
        ("/hub/home", "/hub/home"),
        ("/hub/spawn/u/python-l1?x=1", "/hub/spawn/u/python-l1?x=1"),
        ("https://evil.example/hub/", ""),
        ("//evil.example/hub/", ""),
        ("/\\evil.example", ""),
        ("\\\\evil.example", ""),
        ("javascript:alert(1)", ""),
        ("/elsewhere", ""),
        ("", ""),
    ],
    ids=[
        "hub-path",
        "with-query",
        "absolute",
        "scheme-relative",
        "backslash",
        "double-backslash",
        "javascript",
        "outside-hub",
        "empty",
    ],
)
def test_safe_next_url(next_url, safe):
    assert safe_next_url(next_url, "/hub/") == safe


def test_environment_url_escapes_the_user():
    assert environment_url("/hub/", "a b@x", "python-l1") == "/hub/spawn/a%20b@x/python-l1"


class FakeAuthenticator(authenticator.MyDockerAuthenticator):
    pass


def test_admin_granted_by_a_login_is_taken_back_but_a_manual_one_is_left():
    auth = FakeAuthenticator()
    auth._links = MemoryLinkStore()
    assert auth.admin_flag("claimed", True) is True
    assert auth.admin_flag("claimed", False) is False
    assert auth.admin_flag("claimed", False) is None
    assert auth.admin_flag("by-hand", False) is None


def test_user_model_for_local_accounts_is_unchanged():
    assert authenticator.user_model("a", "admin") == {
        "name": "a",
        "admin": True,
        "groups": ["teachers"],
    }
    assert authenticator.user_model("b", "student")["groups"] == ["students"]


CONFIGURABLES = [
    authenticator.MyDockerAuthenticator,
    lti11.LTI11Launches,
    lti13.LTI13Launches,
    local.LocalAccounts,
    roles.RoleMapping,
    oidc.FederationOIDC,
]


@pytest.mark.parametrize("cls", CONFIGURABLES, ids=[c.__name__ for c in CONFIGURABLES])
def test_every_own_setting_is_configurable_and_documented(cls):
    own = {
        name: trait for name, trait in cls.class_traits(config=True).items() if name in cls.__dict__
    }
    for name, trait in own.items():
        assert len(trait.help) > 40, f"{cls.__name__}.{name} needs a real help text"
        assert "versionadded" in trait.help, f"{cls.__name__}.{name}: say since when"


def test_identity_scoped_name_and_key():
    identity = Identity("lti13", "lms", "u1")
    assert identity.scoped_name == "u1@lms"
    assert identity.key == "lti13:lms:u1"


@pytest.mark.parametrize(
    "name, domains, allowed",
    [
        ("jean@univ.fr", set(), True),
        ("jean@univ.fr", {"univ.fr"}, True),
        ("jean@UNIV.fr", {"@univ.fr"}, True),
        ("jean@other.fr", {"univ.fr"}, False),
        ("jean@evil-univ.fr", {"univ.fr"}, False),
        ("no-domain", {"univ.fr"}, False),
        ("admin", set(), False),
        ("@univ.fr", set(), False),
    ],
    ids=[
        "no-restriction",
        "listed",
        "case-and-at",
        "other",
        "suffix-trick",
        "no-domain",
        "no-domain-without-restriction",
        "empty-local-part",
    ],
)
def test_federation_domain_restriction(name, domains, allowed):
    assert oidc.domain_allowed(name, domains) is allowed


def test_the_authenticator_uses_the_spawners_catalog_by_default():
    from traitlets.config import Config

    from mydocker_hub.environments import EnvironmentCatalog, StaticEnvironmentCatalog

    class PortalCatalog(EnvironmentCatalog):
        def all_environments(self):
            return []

    config = Config()
    config.SwarmCourseSpawner.catalog_class = PortalCatalog
    assert isinstance(authenticator.MyDockerAuthenticator(config=config).catalog, PortalCatalog)
    assert isinstance(authenticator.MyDockerAuthenticator().catalog, StaticEnvironmentCatalog)


@pytest.mark.parametrize(
    "claim, user_info, unverified",
    [
        ("email", {"email_verified": False}, True),
        ("email", {"email_verified": True}, False),
        ("email", {}, True),
        ("email", {"email_verified": "true"}, True),
        ("eduPersonPrincipalName", {"email_verified": False}, False),
    ],
    ids=[
        "email-unverified",
        "email-verified",
        "email-silent-is-unverified",
        "email-verified-as-a-string-is-unverified",
        "eppn-ignores-email-flag",
    ],
)
def test_an_email_username_is_trusted_only_when_verified_true(claim, user_info, unverified):
    federation = oidc.FederationOIDC(username_claim=claim)
    assert federation._unverified_email(user_info) is unverified


def test_link_store_in_the_database_keeps_the_first_link(database):
    from mydocker_hub.auth.store import LinkStore

    links = LinkStore()
    links.link("oidc:f:s1", "jean@univ.fr")
    links.link("oidc:f:s1", "someone-else")
    assert links.username_of("oidc:f:s1") == "jean@univ.fr"
    assert links.keys_of("jean@univ.fr") == ["oidc:f:s1"]
    links.record_admin_grant("jean@univ.fr", True)
    links.record_admin_grant("jean@univ.fr", True)
    assert links.admin_granted_by_login("jean@univ.fr")
    links.record_admin_grant("jean@univ.fr", False)
    assert not links.admin_granted_by_login("jean@univ.fr")
    links.link_activity("lti11:m:r1", "python-l1", "prof")
    links.link_activity("lti11:m:r1", "other", "prof")
    assert links.environment_of_activity("lti11:m:r1") == "other"


def test_link_store_uses_the_configured_database_not_a_default_one(database):
    from mydocker_hub.auth.store import LinkStore

    LinkStore().link("k", "u")
    with db.session() as session:
        assert str(session.get_bind().url) == str(database.url)

"""MYDOCKER_* environment variables -> traitlets config, without a hub."""

import json

import pytest
from traitlets.config import Config

from mydocker_hub.auth import settings
from mydocker_hub.auth.lti11 import LTI11Launches
from mydocker_hub.auth.lti13 import LTI13Launches, Platform
from mydocker_hub.auth.oidc import FederationOIDC
from mydocker_hub.authenticator import MyDockerAuthenticator

PLATFORM = {
    "issuer": "https://moodle.univ.fr",
    "client_id": "Xy12",
    "deployment_ids": ["3"],
    "auth_login_url": "https://moodle.univ.fr/mod/lti/auth.php",
    "jwks_url": "https://moodle.univ.fr/mod/lti/certs.php",
}


def configured(environ):
    c = Config()
    settings.configure(c, environ)
    return c


def test_all_login_sources_are_configured_at_once_from_their_variables():
    """All sources on at once; each documented variable alone: test_documented_variables.py."""
    c = configured(
        {
            "MYDOCKER_LTI11_CONSUMERS": "moodle:s3cret, edx:other",
            "MYDOCKER_LTI13_PLATFORMS": json.dumps([PLATFORM]),
            "MYDOCKER_OIDC_DISCOVERY_URL": "https://satosa.univ.fr/.well-known/openid-configuration",
            "MYDOCKER_OIDC_CLIENT_ID": "hub",
            "MYDOCKER_OIDC_CLIENT_SECRET": "secret",
            "MYDOCKER_DATA_DIR": "/data",
        }
    )
    assert LTI11Launches(config=c).consumers == {"moodle": "s3cret", "edx": "other"}
    lti13 = LTI13Launches(config=c)
    assert lti13.platforms == [Platform.from_dict(PLATFORM)]
    assert lti13.platforms[0].name == "moodle.univ.fr"
    assert lti13.key_directory == "/data/lti13-keys"
    oidc = FederationOIDC(config=c)
    assert oidc.discovery_url.endswith("/openid-configuration")
    assert (oidc.client_id, oidc.client_secret) == ("hub", "secret")
    assert oidc.enabled
    assert c.JupyterHub.template_paths[0].endswith("mydocker_hub/templates")
    assert all(scope.startswith("custom:mydocker:") for scope in c.JupyterHub.custom_scopes)


def test_nothing_set_means_only_local_accounts():
    c = configured({})
    assert not LTI11Launches(config=c).enabled
    assert not LTI13Launches(config=c).enabled
    assert not FederationOIDC(config=c).enabled
    assert "tornado_settings" not in c.JupyterHub


@pytest.mark.parametrize(
    "variable, value, message",
    [
        ("MYDOCKER_LTI11_CONSUMERS", "just-a-key", "MYDOCKER_LTI11_CONSUMERS"),
        ("MYDOCKER_LTI11_CONSUMERS", "key:", "MYDOCKER_LTI11_CONSUMERS"),
        ("MYDOCKER_LTI13_PLATFORMS", "[not json", "MYDOCKER_LTI13_PLATFORMS"),
        ("MYDOCKER_LTI13_PLATFORMS", '["a string"]', "MYDOCKER_LTI13_PLATFORMS"),
        ("MYDOCKER_LMS_ORIGINS", "moodle.univ.fr", "MYDOCKER_LMS_ORIGINS"),
        ("MYDOCKER_OIDC_DISCOVERY_URL", "https://x/.well-known", "MYDOCKER_OIDC_CLIENT_ID"),
        ("MYDOCKER_OIDC_SCOPES", "email profile eduperson", "MYDOCKER_OIDC_SCOPES.*openid"),
        ("MYDOCKER_OIDC_TOKEN_AUTH_METHOD", "basic", "MYDOCKER_OIDC_TOKEN_AUTH_METHOD"),
    ],
    ids=[
        "consumer-without-secret",
        "empty-secret",
        "bad-json",
        "not-objects",
        "bad-origin",
        "discovery-without-client",
        "scopes-without-openid",
        "unknown-auth-method",
    ],
)
def test_bad_variables_are_refused_naming_the_variable(variable, value, message):
    with pytest.raises(settings.SettingsError, match=message):
        configured({variable: value})


def test_a_platform_with_unknown_keys_is_refused_naming_the_trait():
    with pytest.raises(Exception, match="LTI13Launches.platforms"):
        LTI13Launches(platforms=[dict(PLATFORM, client="typo")])


def test_embedding_over_https_allows_the_lms_to_frame_and_cookies_to_cross_sites():
    c = configured(
        {
            "MYDOCKER_LMS_ORIGINS": "https://moodle.univ.fr, https://lms.example.org/",
            "MYDOCKER_PUBLIC_URL": "https://hub.univ.fr",
        }
    )
    tornado = c.JupyterHub.tornado_settings
    assert tornado["headers"]["Content-Security-Policy"] == (
        "frame-ancestors 'self' https://moodle.univ.fr https://lms.example.org"
    )
    assert tornado["cookie_options"] == {"samesite": "None", "secure": True}


def test_over_plain_http_cookies_stay_as_they_are():
    assert "cookie_options" not in settings.embedding_settings([], "http://localhost:8000")


def test_two_login_sources_with_one_name_stop_the_hub_at_start():
    config = Config()
    config.LTI11Launches.consumers = {"lms": "secret"}
    config.LTI13Launches.platforms = [
        {
            "issuer": "https://moodle.univ.fr",
            "client_id": "tool",
            "auth_login_url": "https://moodle.univ.fr/auth",
            "jwks_url": "https://moodle.univ.fr/jwks",
            "name": "LMS",
        }
    ]
    with pytest.raises(ValueError, match="LTI11Launches.consumers and an LTI13Launches"):
        MyDockerAuthenticator(config=config)
    config.LTI11Launches.consumers = {"moodle-1p1": "secret"}
    assert MyDockerAuthenticator(config=config).lti13.platforms[0].name == "LMS"


OIDC = {
    "MYDOCKER_OIDC_DISCOVERY_URL": "https://satosa.univ.fr/.well-known/openid-configuration",
    "MYDOCKER_OIDC_CLIENT_ID": "hub",
}


@pytest.mark.parametrize(
    "text, scopes",
    [
        ("openid email profile eduperson", ["openid", "email", "profile", "eduperson"]),
        ("openid,email, eduperson", ["openid", "email", "eduperson"]),
        ("  openid  openid email ", ["openid", "email"]),
    ],
    ids=["spaces", "commas", "repeated"],
)
def test_the_scopes_asked_for_come_from_their_variable(text, scopes):
    assert FederationOIDC(config=configured({**OIDC, "MYDOCKER_OIDC_SCOPES": text})).scope == scopes


def test_without_the_scopes_variable_the_scopes_are_openid_email_profile():
    assert FederationOIDC(config=configured(OIDC)).scope == ["openid", "email", "profile"]


def test_the_token_auth_method_follows_the_provider_unless_set():
    assert FederationOIDC(config=configured(OIDC)).token_endpoint_auth_method is None
    variable = {"MYDOCKER_OIDC_TOKEN_AUTH_METHOD": "client_secret_post"}
    oidc = FederationOIDC(config=configured({**OIDC, **variable}))
    assert oidc.token_endpoint_auth_method == "client_secret_post"

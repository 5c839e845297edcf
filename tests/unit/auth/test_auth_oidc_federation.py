"""`FederationOIDC` with a provider answering as data: discovery, token auth, failures."""

import asyncio
import base64
import io
import json
import logging

import pytest
from tornado.httpclient import HTTPClientError, HTTPRequest, HTTPResponse

from mydocker_hub.auth import oidc
from mydocker_hub.auth.errors import LoginRefused

DISCOVERY = "https://satosa.univ.fr/.well-known/openid-configuration"
TOKEN = "https://satosa.univ.fr/OIDC/token"
USERINFO = "https://satosa.univ.fr/OIDC/userinfo"
SATOSA = {
    "authorization_endpoint": "https://satosa.univ.fr/reflector/OIDC/authorization",
    "token_endpoint": TOKEN,
    "userinfo_endpoint": USERINFO,
    "token_endpoint_auth_methods_supported": ["client_secret_basic"],
    "response_types_supported": ["code"],
    "scopes_supported": ["openid", "email", "profile", "eduperson"],
    "claims_supported": ["eduPersonPrincipalName", "eduPersonAffiliation"],
}
INVALID_CLIENT = {
    "error": "invalid_client",
    "error_description": "Wrong authentication method used, MUST use 'client_secret_basic'",
}


class Provider:
    """The authenticator's HTTP client: answers by URL (JSON, an HTTP error, or an exception)."""

    def __init__(self, **answers):
        self.answers = {DISCOVERY: (200, SATOSA), **answers}
        self.requests = []

    async def fetch(self, request, raise_error=True, **kwargs):
        if isinstance(request, str):
            request = HTTPRequest(request, **kwargs)
        self.requests.append(request)
        await asyncio.sleep(0.01)  # the network: other coroutines run meanwhile
        answer = self.answers[request.url.split("?")[0]]
        if isinstance(answer, Exception):
            raise answer
        code, body = answer
        response = HTTPResponse(request, code, buffer=io.BytesIO(json.dumps(body).encode()))
        if code >= 400 and raise_error:
            raise HTTPClientError(code, response=response)
        return response


@pytest.fixture
def log(caplog):
    caplog.set_level(logging.INFO, logger="federation-test")
    return caplog


def federation(provider=None, **settings):
    settings.setdefault("discovery_url", DISCOVERY)
    authenticator = oidc.FederationOIDC(
        client_id="mydocker-hub",
        client_secret="s3cret:with%odd+chars",
        log=logging.getLogger("federation-test"),
        **settings,
    )
    authenticator.http_client = provider or Provider()
    return authenticator


def lines(caplog, level):
    """The authenticator's own lines (oauthenticator logs its failed requests besides)."""
    return [
        r.getMessage() for r in caplog.records if r.levelno == level and r.name == "federation-test"
    ]


async def test_discovery_fills_the_endpoints_and_chooses_basic_for_satosa(log):
    federation_ = federation()
    await federation_.discover()
    assert (federation_.authorize_url, federation_.token_url, federation_.userdata_url) == (
        SATOSA["authorization_endpoint"],
        TOKEN,
        USERINFO,
    )
    assert federation_.token_auth == "client_secret_basic"
    assert federation_.basic_auth is True
    [summary] = lines(log, logging.INFO)
    assert summary.startswith(f"Federation provider {DISCOVERY}: scopes: openid, email,")
    assert "token endpoint authentication: client_secret_basic" in summary
    # the default scopes do not ask for the bridge's own: one warning, nothing else
    [warning] = lines(log, logging.WARNING)
    assert "does not ask for the provider's own eduperson" in warning


async def test_a_provider_listing_only_post_gets_the_secret_in_the_body():
    document = dict(SATOSA, token_endpoint_auth_methods_supported=["client_secret_post"])
    federation_ = federation(Provider(**{DISCOVERY: (200, document)}))
    await federation_.discover()
    assert federation_.basic_auth is False
    assert "Authorization" not in federation_.build_token_info_request_headers()


async def test_the_setting_overrides_the_provider(log):
    federation_ = federation(token_endpoint_auth_method="client_secret_post")
    await federation_.discover()
    assert federation_.token_auth == "client_secret_post" and federation_.basic_auth is False
    assert any("MYDOCKER_OIDC_TOKEN_AUTH_METHOD" in w for w in lines(log, logging.WARNING))


def test_without_discovery_the_oidc_default_is_basic():
    federation_ = federation(discovery_url="", token_url=TOKEN)
    assert federation_.basic_auth is True
    assert (
        federation(discovery_url="", token_endpoint_auth_method="client_secret_post").basic_auth
        is False
    )


def test_an_unknown_auth_method_is_refused_naming_the_setting():
    with pytest.raises(Exception, match="token_endpoint_auth_method"):
        federation(token_endpoint_auth_method="private_key_jwt")


async def test_basic_credentials_are_form_encoded_as_rfc_6749_says():
    federation_ = federation()
    await federation_.discover()
    header = federation_.build_token_info_request_headers()["Authorization"]
    assert header.startswith("Basic ")
    assert base64.b64decode(header[6:]).decode() == "mydocker-hub:s3cret%3Awith%25odd%2Bchars"


async def test_the_token_request_carries_the_secret_only_in_the_basic_header():
    provider = Provider(**{TOKEN: (200, {"access_token": "at", "token_type": "Bearer"})})
    federation_ = federation(provider)
    await federation_.discover()
    await federation_.get_token_info(None, {"code": "c", "grant_type": "authorization_code"})
    request = provider.requests[-1]
    assert request.headers["Authorization"].startswith("Basic ")
    assert b"client_secret" not in request.body


async def test_a_refused_client_is_a_502_with_its_message_and_the_admins_line(log):
    federation_ = federation(
        Provider(**{TOKEN: (401, INVALID_CLIENT)}), token_endpoint_auth_method="client_secret_post"
    )
    await federation_.discover()
    with pytest.raises(LoginRefused) as refused:
        await federation_.get_token_info(None, {"code": "c"})
    assert refused.value.status_code == 502
    assert "refused this platform" in refused.value.jupyterhub_message
    [line] = lines(log, logging.ERROR)
    assert line.startswith(f"Federation login failed at the provider's token endpoint {TOKEN}")
    assert "The hub sent client mydocker-hub with client_secret_post" in line
    assert "the provider lists client_secret_basic" in line
    assert "s3cret" not in line


async def test_a_userinfo_failure_is_explained_too(log):
    federation_ = federation(Provider(**{USERINFO: TimeoutError("timed out")}))
    await federation_.discover()
    with pytest.raises(LoginRefused) as refused:
        await federation_.token_to_user({"access_token": "at", "token_type": "Bearer"})
    assert refused.value.status_code == 504
    assert f"userinfo endpoint {USERINFO}" in lines(log, logging.ERROR)[0]


async def test_a_failed_discovery_is_explained_and_not_remembered(log):
    provider = Provider(**{DISCOVERY: ConnectionRefusedError(111, "Connection refused")})
    federation_ = federation(provider)
    with pytest.raises(LoginRefused) as refused:
        await federation_.discover()
    assert refused.value.status_code == 502
    assert "does not answer" in refused.value.jupyterhub_message
    assert "MYDOCKER_OIDC_DISCOVERY_URL" in lines(log, logging.ERROR)[0]
    provider.answers[DISCOVERY] = (200, SATOSA)
    await federation_.discover()
    assert federation_.token_url == TOKEN


async def test_a_discovery_document_that_is_no_object_is_a_bad_answer():
    federation_ = federation(Provider(**{DISCOVERY: (200, ["not", "an", "object"])}))
    with pytest.raises(LoginRefused) as refused:
        await federation_.discover()
    assert "cannot use" in refused.value.jupyterhub_message


def test_a_missing_username_claim_is_a_403_and_the_line_names_the_scopes(log):
    federation_ = federation(scope=["openid", "email", "profile"])
    with pytest.raises(LoginRefused) as refused:
        federation_.user_info_to_username({"sub": "x", "email": "lea@univ.fr"})
    assert refused.value.status_code == 403
    assert "eduPersonPrincipalName" in refused.value.jupyterhub_message
    [line] = lines(log, logging.WARNING)
    assert "scopes asked: openid email profile" in line and "MYDOCKER_OIDC_SCOPES" in line


async def test_the_start_check_runs_once_in_the_background_and_never_raises(log):
    provider = Provider(**{DISCOVERY: ConnectionRefusedError(111, "Connection refused")})
    federation_ = federation(provider)
    federation_.check_provider_soon()
    federation_.check_provider_soon()
    await federation_._start_check
    assert len(provider.requests) == 1
    assert "MYDOCKER_OIDC_DISCOVERY_URL" in lines(log, logging.ERROR)[0]


async def test_the_start_check_and_a_first_login_fetch_the_document_once():
    provider = Provider()
    federation_ = federation(provider)
    federation_.check_provider_soon()
    await asyncio.gather(federation_.discover(), federation_._start_check)
    assert len(provider.requests) == 1


def test_no_start_check_without_a_running_hub_or_without_the_federation():
    federation(Provider()).check_provider_soon()  # no event loop: nothing, no error
    disabled = oidc.FederationOIDC()
    disabled.check_provider_soon()
    assert disabled._start_check is None

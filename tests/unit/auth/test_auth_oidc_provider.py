"""What the hub makes of a provider's discovery document: auth method, summary, warnings."""

import pytest

from mydocker_hub.auth import oidc_provider
from mydocker_hub.auth.oidc_provider import BASIC, POST

# What SATOSA 8.6 publishes with an OIDC frontend, `code` and a scope of its own.
SATOSA = {
    "token_endpoint_auth_methods_supported": [BASIC],
    "response_types_supported": ["code"],
    "scopes_supported": ["openid", "email", "profile", "eduperson"],
    "claims_supported": ["eduPersonPrincipalName", "eduPersonAffiliation", "email", "name"],
    "authorization_endpoint": "https://satosa.univ.fr/reflector/OIDC/authorization",
    "token_endpoint": "https://satosa.univ.fr/OIDC/token",
    "userinfo_endpoint": "https://satosa.univ.fr/OIDC/userinfo",
}
SCOPES = ["openid", "email", "profile", "eduperson"]
AFFILIATIONS = ["eduPersonAffiliation", "eduPersonScopedAffiliation"]
ENDPOINTS = {
    "authorization_endpoint": SATOSA["authorization_endpoint"],
    "token_endpoint": SATOSA["token_endpoint"],
    "userinfo_endpoint": SATOSA["userinfo_endpoint"],
}


@pytest.mark.parametrize(
    "supported, configured, chosen",
    [
        (None, None, BASIC),
        ([BASIC], None, BASIC),
        ([POST], None, POST),
        ([POST, BASIC], None, BASIC),
        (["private_key_jwt", POST], None, POST),
        (["private_key_jwt"], None, BASIC),
        ([BASIC], POST, POST),
        (None, POST, POST),
    ],
    ids=[
        "not-listed-is-oidc-default-basic",
        "satosa-basic-only",
        "post-only",
        "both-prefers-basic",
        "post-among-unusable",
        "nothing-usable-falls-back-to-basic",
        "setting-wins",
        "setting-without-list",
    ],
)
def test_choice_of_the_token_endpoint_auth_method(supported, configured, chosen):
    assert oidc_provider.choose_token_auth(supported, configured) == chosen


def test_listed_reads_lists_strings_and_absence():
    document = {"scopes_supported": "openid", "claims_supported": ["a", 1], "x": 3}
    assert oidc_provider.listed(document, "scopes_supported") == ["openid"]
    assert oidc_provider.listed(document, "claims_supported") == ["a", "1"]
    assert oidc_provider.listed(document, "x") is None
    assert oidc_provider.listed(None, "scopes_supported") is None


def test_the_summary_says_what_the_provider_supports_and_what_the_hub_uses():
    line = oidc_provider.supported_summary(SATOSA, SCOPES, BASIC)
    assert line == (
        "scopes: openid, email, profile, eduperson; claims: eduPersonPrincipalName, "
        "eduPersonAffiliation, email, name; token endpoint authentication: client_secret_basic; "
        "response types: code. The hub asks for scopes openid email profile eduperson and "
        "authenticates at the token endpoint with client_secret_basic."
    )
    assert "\n" not in line
    assert "claims: (not listed)" in oidc_provider.supported_summary({}, ["openid"], BASIC)


def warnings(document=SATOSA, scopes=SCOPES, auth=None, claim="eduPersonPrincipalName", **kw):
    kw.setdefault("endpoints", ENDPOINTS)
    return oidc_provider.configuration_warnings(
        document, scopes, auth, claim, kw.pop("affiliations", AFFILIATIONS), **kw
    )


def test_a_documented_satosa_configuration_gets_no_warning():
    assert warnings() == []


def test_a_provider_listing_nothing_gets_no_warning():
    assert warnings(document={}, scopes=["openid", "email", "profile"]) == []


def one_warning(**kwargs):
    [line] = warnings(**kwargs)
    assert "\n" not in line
    return line


def test_a_scope_the_provider_does_not_offer():
    line = one_warning(scopes=[*SCOPES, "entitlement"])
    assert line.startswith("MYDOCKER_OIDC_SCOPES (FederationOIDC.scope) asks for entitlement,")
    assert "scopes_supported: openid, email, profile, eduperson" in line


def test_an_auth_method_the_provider_does_not_offer():
    line = one_warning(auth=POST)
    assert "MYDOCKER_OIDC_TOKEN_AUTH_METHOD" in line
    assert (
        "is client_secret_post, but the provider's token endpoint accepts client_secret_basic"
        in (line)
    )
    assert warnings(auth=BASIC) == []


def test_a_provider_offering_no_usable_auth_method():
    document = dict(SATOSA, token_endpoint_auth_methods_supported=["private_key_jwt"])
    line = one_warning(document=document)
    assert "accepts private_key_jwt, none of which the hub can do" in line


def test_the_username_claim_not_among_the_claims():
    line = one_warning(claim="mail")
    assert line.startswith("the username claim mail (MYDOCKER_OIDC_USERNAME_CLAIM")
    assert "is not among the provider's claims" in line


def test_no_affiliation_claim_among_the_claims_makes_everyone_a_student():
    document = dict(SATOSA, claims_supported=["eduPersonPrincipalName", "email"])
    assert "everyone from the federation will be a student" in one_warning(document=document)


def test_the_bridges_own_scope_not_asked_for_while_the_username_needs_one():
    """The issue's case: SATOSA releases eduPerson attributes only under its own scope."""
    line = one_warning(scopes=["openid", "email", "profile"])
    assert "does not ask for the provider's own eduperson" in line
    assert "MYDOCKER_OIDC_SCOPES" in line
    # a standard claim as the username needs no scope of the provider's own
    assert warnings(scopes=["openid", "email", "profile"], claim="email") == []


def test_a_provider_without_the_code_flow():
    document = dict(SATOSA, response_types_supported=["id_token"])
    assert "response_types_supported: [code]" in one_warning(document=document)


def test_an_endpoint_neither_discovered_nor_configured():
    line = one_warning(endpoints=dict(ENDPOINTS, userinfo_endpoint=""))
    assert line.startswith("the discovery document has no userinfo_endpoint")

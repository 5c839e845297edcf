"""What the federation's provider offers (its discovery document), and what the hub does with it.

Pure functions, tested on documents as data: the token endpoint's client
authentication chosen from ``token_endpoint_auth_methods_supported``, the line
the hub logs at start about what the provider supports, and one warning line
for each setting that cannot work with it.
"""

BASIC = "client_secret_basic"
POST = "client_secret_post"
# The client authentications the hub can do at the token endpoint, the preferred first:
# with Basic, the secret never sits in a request body that a proxy might log.
USABLE_AUTH_METHODS = (BASIC, POST)

# What OpenID Connect's own scopes carry (Core 5.4); any other claim comes with a scope the
# provider defines itself (SATOSA: an ``extra_scopes`` entry), or not at all.
STANDARD_SCOPES = {"openid", "profile", "email", "address", "phone", "offline_access"}
STANDARD_CLAIMS = {
    "sub", "name", "given_name", "family_name", "middle_name", "nickname",
    "preferred_username", "profile", "picture", "website", "email", "email_verified",
    "gender", "birthdate", "zoneinfo", "locale", "phone_number", "phone_number_verified",
    "address", "updated_at",
}  # fmt: skip

SCOPES_SETTING = "MYDOCKER_OIDC_SCOPES (FederationOIDC.scope)"
AUTH_SETTING = "MYDOCKER_OIDC_TOKEN_AUTH_METHOD (FederationOIDC.token_endpoint_auth_method)"
USERNAME_SETTING = "MYDOCKER_OIDC_USERNAME_CLAIM (FederationOIDC.username_claim)"


def listed(document, key):
    """The list `key` of the discovery document, or None when the provider does not list it."""
    value = (document or {}).get(key)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return None


def choose_token_auth(supported, configured=None):
    """The token endpoint's client authentication: `configured`, else the provider's choice.

    `supported` is ``token_endpoint_auth_methods_supported`` (None when the
    provider does not list it: OpenID Connect Discovery's default is then
    ``client_secret_basic``).

    >>> choose_token_auth(None), choose_token_auth(["client_secret_post"])
    ('client_secret_basic', 'client_secret_post')
    >>> choose_token_auth(["client_secret_post", "client_secret_basic"])
    'client_secret_basic'
    >>> choose_token_auth(["client_secret_basic"], configured="client_secret_post")
    'client_secret_post'
    """
    if configured:
        return configured
    for method in USABLE_AUTH_METHODS:
        if supported is None or method in supported:
            return method
    return BASIC  # none usable: warned at start (`configuration_warnings`)


def _items(values):
    return ", ".join(values) if values else "(none)"


def supported_summary(document, scopes, auth_method):
    """One line: what the provider supports, and what the hub asks for and uses."""
    parts = []
    for label, key in (
        ("scopes", "scopes_supported"),
        ("claims", "claims_supported"),
        ("token endpoint authentication", "token_endpoint_auth_methods_supported"),
        ("response types", "response_types_supported"),
    ):
        values = listed(document, key)
        parts.append(f"{label}: {_items(values) if values is not None else '(not listed)'}")
    return (
        f"{'; '.join(parts)}. The hub asks for scopes {' '.join(scopes)} and authenticates "
        f"at the token endpoint with {auth_method}."
    )


def configuration_warnings(
    document, scopes, configured_auth, username_claim, affiliation_claims=(), endpoints=None
):
    """One line for each setting that cannot work with this provider (empty when all can).

    `endpoints` maps ``authorization_endpoint``, ``token_endpoint`` and
    ``userinfo_endpoint`` to the URL the hub will use ("" when it has none).
    """
    warnings = []
    response_types = listed(document, "response_types_supported")
    if response_types is not None and "code" not in response_types:
        warnings.append(
            "the provider does not offer the authorization code flow (response_types_supported: "
            f"{_items(response_types)}), which the hub uses: add `code` on the provider's side "
            "(SATOSA: provider.response_types_supported: [code])."
        )
    for key, url in (endpoints or {}).items():
        if not url:
            warnings.append(
                f"the discovery document has no {key} and none is configured: "
                "federation logins cannot work."
            )

    offered_scopes = listed(document, "scopes_supported")
    if offered_scopes is not None:
        missing = [scope for scope in scopes if scope not in offered_scopes]
        if missing:
            warnings.append(
                f"{SCOPES_SETTING} asks for {_items(missing)}, which the provider does not offer "
                f"(scopes_supported: {_items(offered_scopes)}): it may refuse the login or "
                "release fewer claims."
            )
        own_scopes = [scope for scope in offered_scopes if scope not in STANDARD_SCOPES]
        asks_one = set(own_scopes) & set(scopes)
        if own_scopes and not asks_one and username_claim not in STANDARD_CLAIMS:
            warnings.append(
                f"the username claim {username_claim} comes with no standard scope, and "
                f"{SCOPES_SETTING} does not ask for the provider's own {_items(own_scopes)}: "
                f"if the provider releases {username_claim} under one of them, add it there."
            )

    offered_auth = listed(document, "token_endpoint_auth_methods_supported")
    if offered_auth is not None:
        if configured_auth and configured_auth not in offered_auth:
            warnings.append(
                f"{AUTH_SETTING} is {configured_auth}, but the provider's token endpoint accepts "
                f"{_items(offered_auth)}: it will refuse the hub. Unset it to follow the provider."
            )
        elif not configured_auth and not set(offered_auth) & set(USABLE_AUTH_METHODS):
            warnings.append(
                f"the provider's token endpoint accepts {_items(offered_auth)}, none of which the "
                f"hub can do ({_items(USABLE_AUTH_METHODS)}): ask its administrators to register "
                "the hub's client with client_secret_basic."
            )

    claims = listed(document, "claims_supported")
    if claims is not None:
        if username_claim not in claims:
            warnings.append(
                f"the username claim {username_claim} ({USERNAME_SETTING}) is not among the "
                f"provider's claims (claims_supported: {_items(claims)}): logins will be refused "
                "unless the provider sends it anyway."
            )
        if affiliation_claims and not set(affiliation_claims) & set(claims):
            warnings.append(
                f"none of the affiliation claims (FederationOIDC.affiliation_claims: "
                f"{_items(affiliation_claims)}) is among the provider's claims: everyone from "
                "the federation will be a student."
            )
    return warnings

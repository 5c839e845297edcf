"""The federation (Renater through a SAML -> OpenID Connect bridge such as SATOSA or Keycloak).

`FederationOIDC` is oauthenticator's `GenericOAuthenticator` with what the
federation needs: endpoints and the token endpoint's client authentication from
the discovery document (checked against the settings at start, see
`oidc_provider`), list-valued claims (SATOSA sends ``eduPersonPrincipalName``
and ``eduPersonAffiliation`` as lists, which makes the stock authenticator
answer HTTP 500), failures that name their cause (`provider_errors`), and the
person's affiliations kept for the role mapping. Its endpoints keep
oauthenticator's paths, ``/hub/oauth_login`` and ``/hub/oauth_callback``.
"""

import asyncio
import base64
import json
from contextlib import contextmanager
from urllib.parse import quote

from oauthenticator.generic import GenericOAuthenticator
from oauthenticator.oauth2 import OAuthCallbackHandler, OAuthLoginHandler
from tornado.httpclient import HTTPClientError
from traitlets import Bool, Enum, List, Set, Unicode, default

from . import oidc_provider, provider_errors
from .errors import LoginRefused
from .identity import Identity, clean_email, person_name
from .login_lookup import OneUserLookupPerLogin
from .redirects import safe_next_url
from .usernames import first_value


def claim_values(value):
    """A claim that may be a string, a list or missing -> a tuple of strings."""
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value if str(v).strip())
    text = str(value).strip()
    return (text,) if text else ()


def domain_allowed(name, domains):
    """Whether `name` is ``user@domain``, with the domain among `domains` when they are set.

    A name without a domain is never allowed: it could be a local account's
    name (``admin``), and the federation's names (eduPersonPrincipalName, email)
    always carry one.

    >>> domain_allowed("admin", set())
    False
    >>> domain_allowed("jean@univ.fr", {"univ.fr"}), domain_allowed("jean@evil.fr", {"univ.fr"})
    (True, False)
    """
    local, at, domain = (name or "").rpartition("@")
    if not (at and local and domain):
        return False
    return not domains or domain.lower() in {d.lower().lstrip("@") for d in domains}


class FederationOIDC(GenericOAuthenticator):
    """OpenID Connect login through the federation's bridge."""

    @default("login_service")
    def _default_login_service(self):
        return "Renater"

    @default("scope")
    def _default_scope(self):
        return ["openid", "email", "profile"]

    @default("basic_auth")
    def _default_basic_auth(self):
        # Without a discovery document (endpoints set by hand): OpenID Connect's default.
        return (self.token_endpoint_auth_method or oidc_provider.BASIC) == oidc_provider.BASIC

    @default("username_claim")
    def _default_username_claim(self):
        return "eduPersonPrincipalName"

    @default("allow_all")
    def _default_allow_all(self):
        return True

    discovery_url = Unicode(
        config=True,
        help="""
        The provider's OpenID Connect discovery document, for example
        ``https://satosa.univ.fr/.well-known/openid-configuration``. The
        authorization, token and userinfo endpoints come from it (on the first
        login, so that the hub starts even when the provider is down), unless
        set explicitly. Set from ``MYDOCKER_OIDC_DISCOVERY_URL``.

        .. versionadded:: 0.1
        """,
    )

    token_endpoint_auth_method = Enum(
        list(oidc_provider.USABLE_AUTH_METHODS),
        default_value=None,
        allow_none=True,
        config=True,
        help="""
        How the hub authenticates at the provider's token endpoint:
        ``client_secret_basic`` (HTTP Basic) or ``client_secret_post`` (the
        secret in the request's body). Unset (the default), the provider's
        discovery document decides (``token_endpoint_auth_methods_supported``;
        ``client_secret_basic`` when it lists it or lists nothing, which is
        SATOSA's case). Set it only to match a client registered otherwise. It
        decides oauthenticator's `basic_auth`. Set from
        ``MYDOCKER_OIDC_TOKEN_AUTH_METHOD``.

        .. versionadded:: 0.1
        """,
    )

    affiliation_claims = List(
        Unicode(),
        default_value=[
            "eduPersonAffiliation",
            "eduPersonPrimaryAffiliation",
            "eduPersonScopedAffiliation",
        ],
        config=True,
        help="""
        Claims holding the person's affiliations (strings or lists; scoped
        values like ``faculty@univ.fr`` are accepted). They decide teacher or
        student through `RoleMapping.teacher_affiliations`.

        .. versionadded:: 0.1
        """,
    )

    admin_claim = Unicode(
        "",
        config=True,
        help="""
        A claim (string or list) that can make an admin, with
        `admin_claim_values`, e.g. ``"groups"`` and ``{"mydocker-admins"}``.

        .. versionadded:: 0.1
        """,
    )

    admin_claim_values = Set(
        Unicode(),
        config=True,
        help="""
        Values of `admin_claim` that make a JupyterHub admin.

        .. versionadded:: 0.1
        """,
    )

    trust_username_claim = Bool(
        True,
        config=True,
        help="""
        Whether `username_claim` (by default ``eduPersonPrincipalName``) is
        verified by the federation, so that the person shares an account with
        the same name from a trusted LMS (a local account only once an
        administrator linked it: ``mydocker-hub link-login``). An ``email``
        claim is trusted only with ``email_verified: true``. When False, everyone from
        the federation is ``sub@issuer_name``.

        .. versionadded:: 0.1
        """,
    )

    issuer_name = Unicode(
        "federation",
        config=True,
        help="""
        Scopes the federation's subjects in usernames and identity links
        (``sub@federation``) when the username claim is not trusted. Keep it stable.

        .. versionadded:: 0.1
        """,
    )

    allowed_domains = Set(
        Unicode(),
        config=True,
        help="""
        When set, only people whose username (``eduPersonPrincipalName``) ends
        with ``@`` one of these domains may log in, for example
        ``{"univ.fr", "etu.univ.fr"}``; the federation lets every French
        institution in otherwise. Set from ``MYDOCKER_OIDC_ALLOWED_DOMAINS``
        (comma-separated).

        .. versionadded:: 0.1
        """,
    )

    _discovered = False
    _document = None  # the provider's discovery document, once fetched
    _discovery_lock = None
    _start_check = None

    @property
    def enabled(self):
        return bool(self.client_id and (self.discovery_url or self.authorize_url))

    @property
    def token_auth(self):
        """The client authentication the hub uses at the token endpoint."""
        supported = oidc_provider.listed(self._document, "token_endpoint_auth_methods_supported")
        return oidc_provider.choose_token_auth(supported, self.token_endpoint_auth_method)

    def check_provider_soon(self):
        """At the hub's start: fetch the discovery document in the background, so that the
        log says at once what the provider supports and which settings cannot work.

        A provider down at start does not stop the hub: the first login tries again.
        """
        if not (self.enabled and self.discovery_url) or self._start_check is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no hub around (a test building the authenticator)
            return
        self._start_check = loop.create_task(self._check_provider())

    async def _check_provider(self):
        try:
            await self.discover()
        except LoginRefused:
            pass  # `discover` logged the cause and its fix

    async def discover(self):
        """Fill the endpoints and the client authentication from the discovery document, once."""
        if self._discovered or not self.discovery_url:
            return
        if self._discovery_lock is None:
            self._discovery_lock = asyncio.Lock()
        async with self._discovery_lock:  # the start's check and a first login may meet
            if self._discovered:
                return
            with self._explained(provider_errors.DISCOVERY, self.discovery_url):
                response = await self.http_client.fetch(
                    self.discovery_url, request_timeout=10, validate_cert=self.validate_server_cert
                )
                document = json.loads(response.body)
                if not isinstance(document, dict):
                    raise ValueError("the discovery document is not a JSON object")
            self._use(document)

    def _use(self, document):
        endpoints = {}
        for trait, key in (
            ("authorize_url", "authorization_endpoint"),
            ("token_url", "token_endpoint"),
            ("userdata_url", "userinfo_endpoint"),
        ):
            if not getattr(self, trait) and isinstance(document.get(key), str):
                setattr(self, trait, document[key])
            endpoints[key] = getattr(self, trait)
        self._document = document
        self.basic_auth = self.token_auth == oidc_provider.BASIC
        self._discovered = True
        self.log.info(
            "Federation provider %s: %s",
            self.discovery_url,
            oidc_provider.supported_summary(document, self.scope, self.token_auth),
        )
        for warning in oidc_provider.configuration_warnings(
            document,
            self.scope,
            self.token_endpoint_auth_method,
            self.username_claim,
            self.affiliation_claims,
            endpoints,
        ):
            self.log.warning("Federation provider %s: %s", self.discovery_url, warning)

    @contextmanager
    def _explained(self, step, url):
        """Turn a failed request to the provider into the person's message and the admin's line."""
        try:
            yield
        except (HTTPClientError, OSError, ValueError, KeyError) as e:
            failure = provider_errors.explain(
                e,
                step,
                url,
                client_id=self.client_id,
                auth_method=self.token_auth,
                offered_auth=oidc_provider.listed(
                    self._document, "token_endpoint_auth_methods_supported"
                ),
            )
            self.log.error("%s", failure.line)
            raise failure.refusal from None

    async def get_token_info(self, handler, params):
        with self._explained(provider_errors.TOKEN, self.token_url):
            return await super().get_token_info(handler, params)

    async def token_to_user(self, token_info):
        with self._explained(provider_errors.USERINFO, self.userdata_url):
            return await super().token_to_user(token_info)

    def build_token_info_request_headers(self):
        headers = super().build_token_info_request_headers()
        if self.basic_auth:
            # RFC 6749 (2.3.1): the id and secret are form-encoded before base64, so that a
            # secret holding ':' or '%' reaches the provider (SATOSA decodes them) unchanged.
            pair = f"{quote(self.client_id, safe='')}:{quote(self.client_secret, safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        return headers

    def user_info_to_username(self, user_info):
        value = first_value(user_info.get(self.username_claim))
        if not value:
            failure = provider_errors.missing_claim(
                self.username_claim, user_info, self.scope, self.client_id
            )
            self.log.warning("%s", failure.line)
            raise failure.refusal
        return value

    def _unverified_email(self, user_info):
        # OpenID Connect: an email is verified only when the provider says so.
        return self.username_claim == "email" and user_info.get("email_verified") is not True

    async def identify(self, handler):
        """Finish the OAuth flow (code -> token -> userinfo) and return the `Identity`."""
        await self.discover()
        auth_model = await self.authenticate(handler)
        if not domain_allowed(auth_model["name"], self.allowed_domains):
            self.log.warning(
                "Federation login refused for %s: no domain, or a domain not allowed",
                auth_model["name"],
            )
            raise LoginRefused(
                403,
                "Your institution is not among those allowed on this platform (or the "
                "federation sent a name without its domain). / Votre établissement ne fait pas "
                "partie de ceux autorisés sur cette plateforme (ou la fédération a transmis un "
                "nom sans son domaine).",
            )
        user_info = auth_model["auth_state"][self.user_auth_state_key]
        affiliations = []
        for claim in self.affiliation_claims:
            affiliations.extend(claim_values(user_info.get(claim)))
        admin_values = (
            set(claim_values(user_info.get(self.admin_claim))) if self.admin_claim else set()
        )
        subject = first_value(user_info.get("sub")) or auth_model["name"]
        return Identity(
            source="oidc",
            issuer=self.issuer_name,
            subject=subject,
            preferred_name=auth_model["name"],
            trusted=self.trust_username_claim and not self._unverified_email(user_info),
            affiliations=tuple(affiliations),
            admin_claim=bool(admin_values & self.admin_claim_values),
            display_name=person_name(
                user_info.get("name"), user_info.get("given_name"), user_info.get("family_name")
            ),
            email=clean_email(user_info.get("email")),
            claims=user_info,
        )


class FederationLoginHandler(OAuthLoginHandler):
    """``/hub/oauth_login``: oauthenticator's redirect to the provider."""

    @property
    def authenticator(self):
        # oauthenticator's login step reads the OAuth settings from its authenticator.
        return self.settings["authenticator"].oidc

    async def get(self):
        if not self.authenticator.enabled:
            raise LoginRefused(404, "Federation login is not enabled on this platform.")
        await self.authenticator.discover()
        super().get()


class FederationCallbackHandler(OneUserLookupPerLogin, OAuthCallbackHandler):
    """``/hub/oauth_callback``: back from the provider, log in, go to a path on this hub."""

    identity_source = "oidc"

    async def get(self):
        if not self.authenticator.oidc.enabled:
            raise LoginRefused(404, "Federation login is not enabled on this platform.")
        self.check_arguments()
        user = await self.login_user()
        if user is None:
            raise LoginRefused(403, "This account may not use the platform.")
        next_url = safe_next_url(self.get_next_url(user), self.hub.base_url)
        self.redirect(next_url or self.authenticator.home_url(self))


def handlers():
    return [
        (r"/oauth_login", FederationLoginHandler),
        (r"/oauth_callback", FederationCallbackHandler),
    ]

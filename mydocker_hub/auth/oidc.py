"""The federation (Renater through a SAML -> OpenID Connect bridge such as SATOSA or Keycloak).

`FederationOIDC` is oauthenticator's `GenericOAuthenticator` with what the
federation needs: endpoints from the discovery document, list-valued claims
(SATOSA sends ``eduPersonPrincipalName`` and ``eduPersonAffiliation`` as lists,
which makes the stock authenticator answer HTTP 500), and the person's
affiliations kept for the role mapping. Its endpoints keep oauthenticator's paths,
``/hub/oauth_login`` and ``/hub/oauth_callback``.
"""

import json

from oauthenticator.generic import GenericOAuthenticator
from oauthenticator.oauth2 import OAuthCallbackHandler, OAuthLoginHandler
from tornado.httpclient import AsyncHTTPClient, HTTPClientError
from traitlets import Bool, List, Set, Unicode, default

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

    @property
    def enabled(self):
        return bool(self.client_id and (self.discovery_url or self.authorize_url))

    async def discover(self):
        """Fill the endpoints from the discovery document, once."""
        if self._discovered or not self.discovery_url:
            return
        try:
            response = await AsyncHTTPClient().fetch(
                self.discovery_url, request_timeout=10, validate_cert=self.validate_server_cert
            )
            document = json.loads(response.body)
        except (HTTPClientError, OSError, ValueError) as e:
            self.log.error("OIDC discovery at %s failed: %s", self.discovery_url, e)
            raise LoginRefused(
                502,
                "The federation's login service does not answer; try again in a few minutes. / "
                "Le service de connexion de la fédération ne répond pas ; réessayez dans "
                "quelques minutes.",
            ) from None
        for trait, key in (
            ("authorize_url", "authorization_endpoint"),
            ("token_url", "token_endpoint"),
            ("userdata_url", "userinfo_endpoint"),
        ):
            if not getattr(self, trait) and document.get(key):
                setattr(self, trait, document[key])
        self._discovered = True

    def user_info_to_username(self, user_info):
        value = first_value(user_info.get(self.username_claim))
        if not value:
            self.log.warning(
                "The federation sent no %s (claims: %s)", self.username_claim, sorted(user_info)
            )
            raise LoginRefused(
                403,
                f"The federation did not send your {self.username_claim}: your institution "
                "may not release it. / La fédération n'a pas transmis votre "
                f"{self.username_claim} : votre établissement ne le communique peut-être pas.",
            )
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

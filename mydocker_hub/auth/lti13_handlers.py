"""LTI 1.3 endpoints, at ltiauthenticator's paths plus the tool's key set and deep linking.

- ``/hub/lti13/oauth_login``: login initiation (third-party initiated login);
- ``/hub/lti13/oauth_callback``: the launch (the id_token, posted by the platform);
- ``/hub/lti13/jwks``: the tool's public keys;
- ``/hub/lti13/config``: the URLs an LMS administrator registers;
- ``/hub/lti13/deep_link``: the teacher's choice, answered with a signed
  ``LtiDeepLinkingResponse`` posted back to the platform.

The nonce is ltiauthenticator's; the state is a random id plus the path to go to
after the launch (only a path on this hub, taken quietly from ``target_link_uri``).
Their cookies are named after the launch's state: two launches under way in one
browser (two activities on one course page) each find their own. Everything else is checked by
`mydocker_hub.auth.lti13.LTI13Launches`. Database calls (nonces, pending choices,
activity links) and RSA work (the tool's keys) run in threads.
"""

import asyncio
import base64
import hashlib
import json
import secrets
from urllib.parse import urlparse

from jupyterhub.handlers import BaseHandler
from jupyterhub.utils import url_path_join
from ltiauthenticator.lti13.error import ValidationError
from ltiauthenticator.lti13.handlers import (
    LTI13CallbackHandler,
    LTI13LoginInitHandler,
    get_nonce,
    make_nonce_state,
)
from ltiauthenticator.lti13.validator import LTI13LaunchValidator
from ltiauthenticator.utils import convert_request_to_dict, get_browser_protocol
from tornado import web
from tornado.httputil import url_concat

from .. import db
from .deep_linking import resource_link_item, response_claims, signed_response
from .errors import LoginRefused
from .login_lookup import OneUserLookupPerLogin
from .lti13 import DEEP_LINKING_REQUEST, DEEP_LINKING_SETTINGS, MESSAGE_TYPE
from .pages import DeclaredLanguage
from .redirects import checked_return_url, safe_next_url

CALLBACK_PATH = "lti13/oauth_callback"
PICKER_KIND = "deep_link"
# A launch takes seconds: abandoned ones must not pile up cookies for a day.
# Max-Age, not Expires: a student's clock that is off does not expire them at once.
LAUNCH_COOKIE_SECONDS = 600
BAD_STATE_MESSAGE = (
    "Your browser did not send back the cookie set when the launch started, so "
    "the launch was refused. If your course shows the platform inside its page, "
    "your browser may block third-party cookies: set the activity to open in a new "
    "window, or allow cookies for this site. / Votre navigateur n'a pas renvoyé le "
    "cookie posé au début du lancement, qui a donc été refusé. Si le cours affiche "
    "la plateforme dans sa page, votre navigateur bloque peut-être les cookies "
    "tiers : faites ouvrir l'activité dans une nouvelle fenêtre, ou autorisez les "
    "cookies pour ce site."
)


def launch_cookie_names(state):
    """The (state, nonce) cookie names of the launch whose state is `state`."""
    tag = hashlib.sha256(state.encode()).hexdigest()[:16]
    return f"lti13-state-{tag}", f"lti13-nonce-{tag}"


def encode_state(next_url):
    """A new launch's OAuth state: a random id and where to go after the launch."""
    data = json.dumps({"id": secrets.token_hex(16), "next_url": next_url})
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def decode_state(state):
    """What `encode_state` put in `state` ({} for anything else)."""
    try:
        data = json.loads(base64.urlsafe_b64decode(state + "=" * (-len(state) % 4)))
    except (ValueError, TypeError):
        return {}
    return data if isinstance(data, dict) else {}


def _browser_url(handler, path):
    return f"{get_browser_protocol(handler.request)}://{handler.request.host}{path}"


class LTI13LoginHandler(LTI13LoginInitHandler):
    """Login initiation: find the platform by ``iss`` and send the browser to it."""

    identity_source = "lti13"

    def post(self):
        launches = self.authenticator.lti13
        if not launches.enabled:
            raise LoginRefused(404, "LTI 1.3 launches are not enabled on this platform.")
        args = convert_request_to_dict(self.request.arguments)
        try:
            LTI13LaunchValidator().validate_login_request(args)
        except ValidationError as e:
            raise LoginRefused(400, f"LTI 1.3 login refused: {e}") from None
        platform = launches.find_platform(args["iss"], args.get("client_id"))
        params = {
            "response_type": "id_token",
            "scope": "openid",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": platform.client_id,
            "redirect_uri": self.get_redirect_uri(),
            "login_hint": args["login_hint"],
            **self.state_and_nonce(),
        }
        if args.get("lti_message_hint"):
            params["lti_message_hint"] = args["lti_message_hint"]
        self.redirect(url_concat(platform.auth_login_url, params))

    get = post

    def state_and_nonce(self):
        """A new launch's state and nonce, each remembered in a cookie named after the state."""
        state = encode_state(self.next_url())
        state_cookie, nonce_cookie = launch_cookie_names(state)
        nonce_state = make_nonce_state()
        self._set_oauth_cookie(state_cookie, state)
        self._set_oauth_cookie(nonce_cookie, nonce_state)
        return {"state": state, "nonce": get_nonce(nonce_state)}

    def next_url(self):
        """Where to go after the launch: ``next``, else the path of ``target_link_uri``.

        Only a path on this hub is kept; otherwise the launch's own destination
        (its environment, or the home page) decides.
        """
        wanted = self.get_argument("next", "")
        if not wanted:
            wanted = urlparse(self.get_argument("target_link_uri", "")).path
        return safe_next_url(wanted, self.hub.base_url)

    def _set_oauth_cookie(self, key, value):
        self._set_cookie(
            key, value, expires_days=None, max_age=LAUNCH_COOKIE_SECONDS, encrypted=True
        )

    def get_redirect_uri(self):
        return _browser_url(self, url_path_join(self.hub.base_url, CALLBACK_PATH))


class LTI13LaunchHandler(OneUserLookupPerLogin, DeclaredLanguage, LTI13CallbackHandler):
    """The launch: check everything, log in, then open the course or the picker."""

    identity_source = "lti13"

    async def post(self):
        launches = self.authenticator.lti13
        if not launches.enabled:
            raise LoginRefused(404, "LTI 1.3 launches are not enabled on this platform.")
        args = convert_request_to_dict(self.request.arguments)
        if args.get("error"):
            detail = args.get("error_description") or args["error"]
            raise LoginRefused(400, f"The LMS refused the login: {detail[:200]}")
        for name in ("id_token", "state"):
            if not args.get(name):
                raise LoginRefused(400, f"LTI 1.3 launch refused: {name} is missing.")
        self.check_state()
        platform, claims = await launches.validate(args["id_token"])
        self.check_nonce(claims)
        await db.run_short(launches.use_nonce, platform, claims)
        identity = launches.identity(platform, claims)
        user = await self.login_user({"identity": identity})
        if user is None:
            raise LoginRefused(403, "This account may not use the platform.")
        if claims[MESSAGE_TYPE] == DEEP_LINKING_REQUEST:
            await self.show_picker(user, platform, claims)
            return
        next_url = self.get_next_url(user)
        self.redirect(await self.authenticator.launch_destination(self, user, identity, next_url))

    def get_next_url(self, user=None):
        """The destination the launch's initiation kept in its state (a path on this hub)."""
        return decode_state(self._get_state_from_url()).get("next_url", "")

    def check_state(self):
        """The state posted back matches this launch's cookie (else a message saying what to do)."""
        state = self._get_state_from_url()
        state_cookie, _ = launch_cookie_names(state)
        if self._get_oauth_cookie(state_cookie) != state:
            self.log.warning("LTI 1.3 launch without its state cookie")
            raise LoginRefused(400, BAD_STATE_MESSAGE)

    def check_nonce(self, claims):
        """The id_token's nonce is the one this launch asked for (its cookie)."""
        _, nonce_cookie = launch_cookie_names(self._get_state_from_url())
        nonce_state = self._get_oauth_cookie(nonce_cookie)
        if not nonce_state:
            self.log.warning("LTI 1.3 launch without its nonce cookie")
            raise LoginRefused(400, BAD_STATE_MESSAGE)
        if get_nonce(nonce_state) != claims.get("nonce"):
            self.log.warning("LTI 1.3 launch whose nonce is not the one asked for")
            raise LoginRefused(
                400,
                "LTI 1.3 launch refused: the LMS answered another launch than the one this "
                "browser started. Open the activity again from the LMS. / Lancement refusé : "
                "la plateforme pédagogique a répondu à un autre lancement que celui de ce "
                "navigateur. Rouvrez l'activité depuis la plateforme pédagogique.",
            )

    async def show_picker(self, user, platform, claims):
        if not self.authenticator.is_teacher(user):
            raise LoginRefused(
                403,
                "Only teachers can link environments to a course. / "
                "Seuls les enseignants peuvent lier des environnements à un cours.",
            )
        settings = claims[DEEP_LINKING_SETTINGS]
        return_url = checked_return_url(settings["deep_link_return_url"], self.request.host)
        environments = await asyncio.to_thread(self.authenticator.linkable_environments, user)
        # Serialisable, to survive a restart: the platform is found again by its ids.
        pending = {"issuer": platform.issuer, "client_id": platform.client_id, "claims": claims}
        request_id = await asyncio.to_thread(
            self.authenticator.pending_choices.add, user.name, PICKER_KIND, pending
        )
        html = await self.render_template(
            "mydocker-deep-linking.html",
            environments=environments,
            request_id=request_id,
            action=url_path_join(self.hub.base_url, "lti13/deep_link"),
            multiple=bool(settings.get("accept_multiple", True)),
            return_url=return_url,
        )
        self.finish(html)


class DeepLinkingResponseHandler(DeclaredLanguage, BaseHandler):
    """The teacher's choice -> a signed LtiDeepLinkingResponse posted to the platform."""

    @web.authenticated
    async def post(self):
        user = self.current_user
        pending = await asyncio.to_thread(
            self.authenticator.pending_choices.pop,
            self.get_body_argument("request_id", ""),
            user.name,
            PICKER_KIND,
        )
        if pending is None:
            raise LoginRefused(
                400,
                "This choice has expired: start again from the LMS. / "
                "Ce choix a expiré : recommencez depuis la plateforme pédagogique.",
            )
        launches = self.authenticator.lti13
        # Refuses a platform removed from the configuration since the picker opened.
        platform = launches.find_platform(pending["issuer"], pending["client_id"])
        claims = pending["claims"]
        return_url = checked_return_url(
            claims[DEEP_LINKING_SETTINGS]["deep_link_return_url"], self.request.host
        )
        allowed = {
            env.name: env
            for env in await asyncio.to_thread(self.authenticator.linkable_environments, user)
        }
        chosen = [allowed[n] for n in self.get_body_arguments("environment") if n in allowed]
        launch_url = _browser_url(self, url_path_join(self.hub.base_url, "home"))
        items = [
            resource_link_item(env, launch_url, launches.environment_parameter) for env in chosen
        ]
        # The first call (or one after max_age_days) makes an RSA key: seconds of CPU.
        kid, key = await asyncio.to_thread(launches.tool_keys.current)
        token = signed_response(response_claims(platform, claims, items), kid, key)
        self.log.info(
            "Deep link by %s to %s: %s", user.name, platform.name, [e.name for e in chosen]
        )
        html = await self.render_template(
            "mydocker-deep-linking-response.html",
            return_url=return_url,
            jwt=token,
            environments=chosen,
        )
        self.finish(html)


class ToolJWKSHandler(BaseHandler):
    """The tool's public keys, for the platforms to verify deep-linking responses."""

    def check_xsrf_cookie(self):
        return

    async def get(self):
        keys = self.authenticator.lti13.tool_keys
        # Unauthenticated: parsing the private keys (slow) happens only after a change.
        jwks = keys.cached_jwks() or await asyncio.to_thread(keys.jwks)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "max-age=300")
        self.finish(json.dumps(jwks))


class ToolConfigurationHandler(BaseHandler):
    """``/hub/lti13/config``: what an LMS administrator types in to register the tool."""

    async def get(self):
        def url(path):
            return _browser_url(self, url_path_join(self.hub.base_url, path))

        self.set_header("Content-Type", "application/json")
        self.finish(
            json.dumps(
                {
                    "title": "mydocker_hub",
                    "description": "Ready-made Linux environments (JupyterLab, VS Code, ...).",
                    "target_link_uri": url("home"),
                    "oidc_initiation_url": url("lti13/oauth_login"),
                    "redirect_uris": [url(CALLBACK_PATH)],
                    "public_keyset_url": url("lti13/jwks"),
                    "deep_linking_url": url("home"),
                    "custom_parameters": "environment=<the environment's name> (optional)",
                    "supports_deep_linking": True,
                },
                indent=2,
            )
        )


def handlers():
    return [
        (r"/lti13/config", ToolConfigurationHandler),
        (r"/lti13/oauth_login", LTI13LoginHandler),
        (r"/lti13/oauth_callback", LTI13LaunchHandler),
        (r"/lti13/jwks", ToolJWKSHandler),
        (r"/lti13/deep_link", DeepLinkingResponseHandler),
    ]

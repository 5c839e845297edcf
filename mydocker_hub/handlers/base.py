"""What every page of the portal shares: the user (from the hub), language, rendering, errors.

A handler reads the current user with `HubOAuthenticated` (the hub's OAuth
login, no second password), renders a template that extends JupyterHub's
``page.html`` with `render_page`, and reports what went wrong by raising
`PortalError` with a message key of `mydocker_hub.portal.i18n`: the reader then
sees one clear sentence in their language and a way back, never a traceback.
"""

import asyncio
import json
from urllib.parse import quote

from jupyterhub.services.auth import HubOAuthenticated
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from .. import db
from ..auth import store as people
from ..portal import i18n, image_store, store
from ..portal.capacity import COMPUTE_LABEL
from ..portal.errors import PortalError
from ..portal.permissions import Reader


class HubAPIError(Exception):
    """The hub's REST API answered with an error (or did not answer)."""

    def __init__(self, status_code, message):
        super().__init__(f"{status_code}: {message}")
        self.status_code = status_code


class BaseHandler(HubOAuthenticated, web.RequestHandler):
    """The portal's handlers: `current_user` is the hub's user model (name, groups, scopes)."""

    is_admin = False  # set by a handler that read the user's model from the hub

    @property
    def catalog(self):
        return self.settings["mydocker_catalog"]

    @property
    def urls(self):
        """``base_url`` (``/``), ``hub_prefix`` (``/hub/``) and ``portal`` (this service)."""
        return self.settings["mydocker_urls"]

    @property
    def lang(self):
        if not hasattr(self, "_lang"):
            self._lang = i18n.choose_language(
                self.get_cookie(i18n.LANGUAGE_COOKIE),
                self.request.headers.get("Accept-Language"),
            )
        return self._lang

    def set_default_headers(self):
        self.set_header("Vary", "Accept-Language, Cookie")
        for name, value in self.settings.get("mydocker_headers", {}).items():
            self.set_header(name, value)

    # The hub's REST API

    async def hub_api(self, method, path, *, token=None, body=None):
        """Call the hub's REST API with `token` (the portal's own by default); the JSON answer."""
        request = HTTPRequest(
            self.hub_auth.api_url + path,
            method=method,
            headers={
                "Authorization": f"token {token or self.hub_auth.api_token}",
                "Content-Type": "application/json",
            },
            body=None if body is None else json.dumps(body),
            allow_nonstandard_methods=True,
            request_timeout=20,
        )
        try:
            response = await AsyncHTTPClient().fetch(request)
        except HTTPClientError as e:
            raise HubAPIError(e.code, e.message) from None
        except OSError as e:
            raise HubAPIError(599, str(e)) from None
        return json.loads(response.body) if response.body else None

    async def user_model(self, name):
        """The hub's model of user `name`, servers included (the portal's token)."""
        return await self.hub_api("GET", f"/users/{quote(name, safe='')}")

    async def user_exists(self, name):
        """Whether the hub knows user `name` (a collaborator must be a real user)."""
        try:
            await self.user_model(name)
        except HubAPIError as e:
            if e.status_code == 404:
                return False
            raise PortalError(502, "error_hub") from None
        return True

    async def get_reader(self):
        """The `Reader` behind this request: its roles as the hub knows them now.

        A request with an API token (a script) acts as a teacher or an admin
        only if the token itself carries those scopes: a token made for less
        does no more.
        """
        if getattr(self, "_reader", None) is None:
            name = self.current_user["name"]
            # the hub's model and the name the person's login gave (an LMS, the
            # federation: for the header), asked at the same time
            model, self._display_name = await asyncio.gather(
                self.user_model(name),
                self.in_db(people.display_name, name),
                return_exceptions=True,
            )
            if isinstance(model, HubAPIError):
                self.log.warning("Could not read user %s from the hub: %s", name, model)
                raise PortalError(502, "error_hub")
            if isinstance(model, BaseException):
                raise model
            if isinstance(self._display_name, BaseException):
                self.log.warning("No display name for %s: %s", name, self._display_name)
                self._display_name = None
            token_scopes = None
            if getattr(self, "_token_authenticated", False):
                token_scopes = set(self.current_user.get("scopes") or ())
            self._reader = Reader.from_model(model, token_scopes=token_scopes)
            self._user_model = model
            self.is_admin = self._reader.admin
        return self._reader

    async def image_choices(self, reader, current=""):
        """The images `reader` may give an environment (and its `current` one, kept): the
        platform's, those of the environments they see, and the images teachers built
        that they may use (each one's latest OK build, or one build)."""
        standard = self.settings["mydocker_standard_images"]
        registry = self.settings.get("mydocker_registry", "")

        def read(session):
            images = store.usable_images(session, reader, standard)
            built = image_store.usable_images(session, reader, registry)
            return images + [image for image in built if image not in images]

        images = await self.in_db(read)
        return images + [current] if current and current not in images else images

    async def compute_types(self):
        """The compute types the Swarm's nodes offer (their ``mydocker.compute`` labels)."""
        nodes = await self.settings["mydocker_nodes"]()
        return sorted({n.labels.get(COMPUTE_LABEL) for n in nodes} - {None, ""})

    async def in_db(self, function, *args, **kwargs):
        """``function(session, *args, **kwargs)`` in one transaction, in a thread."""
        return await db.in_thread(function, *args, **kwargs)

    async def in_thread(self, function, *args):
        """A blocking call that needs no database (files, Docker), in a thread."""
        return await asyncio.to_thread(function, *args)

    # Pages

    def template_namespace(self):
        """What JupyterHub's ``page.html`` expects, plus the language and the portal's URLs."""
        user = self.current_user
        hub_prefix = self.urls["hub_prefix"]
        translate = i18n.translator(self.lang)
        page_user = None
        if user:
            # the same escaping as the hub's User.json_escaped_name, safe inside <script>
            escaped = json.dumps(user["name"])[1:-1].replace("<", "\\u003c")
            page_user = {
                "name": user["name"],
                "json_escaped_name": escaped,
                "display_name": getattr(self, "_display_name", None) or "",
            }
        return {
            "base_url": hub_prefix,
            "prefix": self.urls["base_url"],
            "portal_url": self.urls["portal"],
            "user": page_user,
            "login_url": f"{hub_prefix}login",
            "logout_url": f"{hub_prefix}logout",
            "static_url": self.hub_static_url,
            "version_hash": "",
            "no_spawner_check": True,
            "services": [],
            # page.html shows the hub's Admin link for this scope
            "parsed_scopes": {"admin-ui"} if self.is_admin else set(),
            "is_teacher": bool(getattr(self, "_reader", None) and self._reader.may_create),
            "slot": self.slot,
            "long_date": lambda moment: i18n.format_date(moment, self.lang),
            "display_names": {},
            "xsrf": self.xsrf_token.decode("ascii"),
            "xsrf_token": self.xsrf_token.decode("ascii"),
            "lang": self.lang,
            "other_lang": i18n.other_language(self.lang),
            "_": translate,
        }

    def slot(self, session):
        """A session's slot in its own time zone, in the reader's language.

        `session` is a `mydocker_hub.sessions.Session` or a session as
        `mydocker_hub.portal.store.session_view` shows it.
        """
        if isinstance(session, dict):
            start, end, zone = session["start"], session["end"], session["timezone"]
        else:
            start, end, zone = (
                session.local(session.start),
                session.local(session.end),
                session.timezone,
            )
        return i18n.format_slot(start, end, zone, self.lang)

    def hub_static_url(self, path, include_version=True):
        return f"{self.urls['hub_prefix']}static/{path}"

    def render_page(self, name, **values):
        namespace = self.template_namespace()
        namespace.update(values)
        html = self.settings["mydocker_jinja"].get_template(name).render(**namespace)
        # JupyterHub's page.html declares English whatever the page says.
        html = html.replace('<html lang="en">', f'<html lang="{self.lang}">', 1)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(html)

    def write_error(self, status_code, **kwargs):
        """One clear message in the reader's language and a way back; never a traceback."""
        error = kwargs.get("exc_info", (None, None, None))[1]
        translate = i18n.translator(self.lang)
        if isinstance(error, PortalError):
            message = translate(error.key, **error.values)
        elif isinstance(error, HubAPIError):
            message = translate("error_hub")
        else:
            key = f"error_{status_code}"
            message = translate(key if key in i18n.MESSAGES[self.lang] else "error_500")
        try:
            self.render_page("mydocker-error.html", status_code=status_code, message=message)
        except Exception:
            self.log.exception("Could not render the error page")
            self.finish(message)

    @property
    def log(self):
        return self.settings["mydocker_log"]


class NotFoundHandler(BaseHandler):
    """Any other path under the portal: the portal's 404 page, not Tornado's."""

    def prepare(self):
        raise PortalError(404, "error_404")

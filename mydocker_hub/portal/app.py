"""The portal's Tornado application: a Hub-managed service at ``/services/mydocker/``.

JupyterHub starts it (``python -m mydocker_hub.portal``) with its service
environment: ``JUPYTERHUB_SERVICE_PREFIX`` (where it is served),
``JUPYTERHUB_SERVICE_URL`` (where it listens), ``JUPYTERHUB_API_URL`` and
``JUPYTERHUB_API_TOKEN`` (the hub's REST API, the portal's own token),
``JUPYTERHUB_CLIENT_ID`` and ``JUPYTERHUB_OAUTH_CALLBACK_URL`` (the OAuth login,
read by `HubOAuth`), ``JUPYTERHUB_BASE_URL``; and ``MYDOCKER_DB_URL``, the
platform's database, from the service's ``environment``.

Pages are Jinja templates of ``mydocker_hub/templates`` that extend
JupyterHub's own ``page.html`` (the hub's header and look; its static files
are served by the hub at ``/hub/static/``).
"""

import asyncio
import json
import logging
import os
import secrets
from dataclasses import dataclass
from urllib.parse import urlparse

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader
from jupyterhub._data import DATA_FILES_PATH
from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler
from jupyterhub.utils import url_path_join
from tornado import web
from tornado.httpserver import HTTPServer

from .. import db
from ..environments import DatabaseEnvironmentCatalog
from ..handlers import activity, api, environments, platform, progress, sessions, sharing
from ..handlers.base import NotFoundHandler
from ..handlers.home import HomeHandler
from ..handlers.language import LanguageHandler
from ..handlers.servers import StopHandler, TeacherStopHandler
from . import capacity, service

TEMPLATES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "templates")
HUB_TEMPLATES = os.path.join(DATA_FILES_PATH, "templates")

log = logging.getLogger("mydocker.portal")


@dataclass(frozen=True)
class PortalSettings:
    """What the portal reads from its environment."""

    prefix: str = service.PREFIX
    url: str = f"http://127.0.0.1:{service.PORT}"
    base_url: str = "/"
    db_url: str = ""
    standard_images: tuple = ()
    secret_file: str = ""  # where the cookie secret is kept; random at each start without

    @property
    def hub_prefix(self):
        return url_path_join(self.base_url, "hub/")

    @property
    def bind(self):
        """(address, port) to listen on, from the service's URL."""
        parsed = urlparse(self.url)
        return parsed.hostname or "127.0.0.1", parsed.port or 80


def settings_from_env(environ):
    return PortalSettings(
        prefix=environ.get("JUPYTERHUB_SERVICE_PREFIX", service.PREFIX),
        url=environ.get("JUPYTERHUB_SERVICE_URL", PortalSettings.url),
        base_url=environ.get("JUPYTERHUB_BASE_URL", "/") or "/",
        db_url=environ.get("MYDOCKER_DB_URL", ""),
        standard_images=tuple(json.loads(environ.get("MYDOCKER_STANDARD_IMAGES") or "[]")),
        secret_file=environ.get("MYDOCKER_PORTAL_SECRET_FILE", ""),
    )


def jinja_environment():
    """Our templates first, then JupyterHub's (``page.html``, or ``templates/page.html``)."""
    loader = ChoiceLoader(
        [
            FileSystemLoader(TEMPLATES),
            PrefixLoader({"templates": FileSystemLoader(HUB_TEMPLATES)}, "/"),
            FileSystemLoader(HUB_TEMPLATES),
        ]
    )
    return Environment(loader=loader, autoescape=True)


ENV = r"([a-z0-9][a-z0-9-]{0,29})"
USER = r"([^/]+)"


def routes(prefix):
    """Pages, then the JSON API (``api/``); ENV is an environment's name."""
    pages = [
        ("", HomeHandler),
        ("oauth_callback", HubOAuthCallbackHandler),
        ("language", LanguageHandler),
        (rf"servers/{ENV}/stop", StopHandler),
        ("environments/?", environments.EnvironmentListHandler),
        ("environments/new", environments.NewEnvironmentHandler),
        (rf"environments/{ENV}", environments.EnvironmentHandler),
        (rf"environments/{ENV}/edit", environments.EditEnvironmentHandler),
        (rf"environments/{ENV}/(duplicate|archive|delete)", environments.EnvironmentActionHandler),
        (rf"environments/{ENV}/sessions", sessions.SessionsHandler),
        (rf"environments/{ENV}/sessions/(\d+)/delete", sessions.SessionDeleteHandler),
        (rf"environments/{ENV}/collaborators", sharing.CollaboratorsHandler),
        (rf"environments/{ENV}/collaborators/{USER}/delete", sharing.CollaboratorDeleteHandler),
        (rf"environments/{ENV}/join-link", sharing.JoinLinkHandler),
        (rf"environments/{ENV}/servers/stop", TeacherStopHandler),
        (rf"environments/{ENV}/servers/{USER}/stop", TeacherStopHandler),
        ("week", sessions.WeekHandler),
        (r"join/([A-Za-z0-9_-]{1,64})", sharing.JoinHandler),
        ("admin/activity", activity.ActivityHandler),
        ("admin/platform", platform.PlatformHandler),
    ]
    api_routes = [
        ("environments", api.EnvironmentsAPIHandler),
        (rf"environments/{ENV}", api.EnvironmentAPIHandler),
        (rf"environments/{ENV}/(duplicate|archive)", api.EnvironmentActionAPIHandler),
        (rf"environments/{ENV}/sessions", api.SessionsAPIHandler),
        (rf"environments/{ENV}/sessions/(\d+)", api.SessionAPIHandler),
        (rf"environments/{ENV}/collaborators/{USER}", api.CollaboratorAPIHandler),
        (rf"environments/{ENV}/join-link", api.JoinLinkAPIHandler),
        (rf"environments/{ENV}/servers", api.ServersAPIHandler),
        (rf"environments/{ENV}/servers/{USER}", api.ServersAPIHandler),
        ("week", api.WeekAPIHandler),
        ("activity", api.ActivityAPIHandler),
        ("me/environments", api.MyEnvironmentsAPIHandler),
        (rf"me/environments/{ENV}/progress", progress.ProgressAPIHandler),
        (".*", api.APINotFoundHandler),
    ]
    return [(prefix + path, handler) for path, handler in pages] + [
        (f"{prefix}api/{path}", handler) for path, handler in api_routes
    ]


class NodeReader:
    """The Swarm's usable nodes, read in a thread and kept `ttl` seconds; none if Docker fails."""

    def __init__(self, ttl=10.0):
        self.ttl = ttl
        self._read_at = float("-inf")
        self._nodes = []

    async def __call__(self):
        loop = asyncio.get_running_loop()
        if loop.time() - self._read_at < self.ttl:
            return self._nodes
        try:
            self._nodes = await asyncio.to_thread(self._read)
        except Exception as e:  # no Docker here, or not a Swarm manager
            log.warning("Could not read the Swarm's nodes: %s", e)
            self._nodes = []
        self._read_at = loop.time()
        return self._nodes

    def _read(self):
        import docker

        client = docker.from_env(timeout=10)
        try:
            return capacity.read_nodes(client)
        finally:
            client.close()


def cookie_secret_of(settings):
    """The secret that signs the portal's cookies: kept in a file (0600) when one is named."""
    if settings.secret_file:
        from ..config import read_or_create_secret

        return read_or_create_secret(settings.secret_file).encode()
    return secrets.token_bytes(32)


def make_app(settings, *, catalog=None, hub_auth=None, cookie_secret=None, nodes=None):
    """The Tornado application for `settings` (a `PortalSettings`)."""
    if catalog is None:
        db.configure(settings.db_url or None)
        # Only the hub writes the environments of the configuration.
        catalog = DatabaseEnvironmentCatalog(write_configured=False)
    hub_auth = hub_auth or HubOAuth.instance()
    return web.Application(
        routes(settings.prefix),
        cookie_secret=cookie_secret or cookie_secret_of(settings),
        xsrf_cookies=True,
        default_handler_class=NotFoundHandler,
        login_url=hub_auth.login_url,
        mydocker_catalog=catalog,
        mydocker_standard_images=list(settings.standard_images),
        mydocker_nodes=nodes or NodeReader(),
        mydocker_jinja=jinja_environment(),
        mydocker_log=log,
        mydocker_urls={
            "base_url": settings.base_url,
            "hub_prefix": settings.hub_prefix,
            "portal": settings.prefix,
        },
    )


def main(environ=None):
    logging.basicConfig(
        level=logging.INFO,
        format="[%(levelname)1.1s %(asctime)s.%(msecs).03d %(name)s] %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S",
    )
    settings = settings_from_env(os.environ if environ is None else environ)
    asyncio.run(serve(settings))


async def serve(settings):
    app = make_app(settings)
    address, port = settings.bind
    HTTPServer(app, xheaders=True).listen(port, address)
    log.info("Portal listening on %s:%d under %s", address, port, settings.prefix)
    await asyncio.Event().wait()

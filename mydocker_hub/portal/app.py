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
from ..handlers.base import NotFoundHandler
from ..handlers.home import HomeHandler
from ..handlers.language import LanguageHandler
from ..handlers.servers import StopHandler
from . import service

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


def routes(prefix):
    return [
        (prefix, HomeHandler),
        (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
        (url_path_join(prefix, "language"), LanguageHandler),
        (url_path_join(prefix, r"servers/([a-z0-9][a-z0-9-]{0,29})/stop"), StopHandler),
    ]


def make_app(settings, *, catalog=None, hub_auth=None, cookie_secret=None):
    """The Tornado application for `settings` (a `PortalSettings`)."""
    if catalog is None:
        db.configure(settings.db_url or None)
        # Only the hub writes the environments of the configuration.
        catalog = DatabaseEnvironmentCatalog(write_configured=False)
    hub_auth = hub_auth or HubOAuth.instance()
    return web.Application(
        routes(settings.prefix),
        cookie_secret=cookie_secret or secrets.token_bytes(32),
        xsrf_cookies=True,
        default_handler_class=NotFoundHandler,
        login_url=hub_auth.login_url,
        mydocker_catalog=catalog,
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

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
import tempfile
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
from ..handlers import (
    activity,
    api,
    builds,
    environments,
    images,
    images_api,
    platform,
    progress,
    sessions,
    sharing,
)
from ..handlers.base import NotFoundHandler
from ..handlers.home import HomeHandler
from ..handlers.language import LanguageHandler
from ..handlers.servers import StopHandler, TeacherStopHandler
from . import capacity, service
from .builds import archive, plan
from .builds.contexts import ContextStore
from .builds.queue import BuildLimits, BuildQueue

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
    images_dir: str = ""  # where build contexts are kept; a temporary folder without
    registry: str = ""  # where builds are pushed (MYDOCKER_REGISTRY); none on one node
    upload_limit_mb: int = 50
    concurrent_builds: int = 0  # 0: one per two CPUs
    build_timeout_minutes: int = 20
    build_memory: str = "2G"
    builds_kept: int = 5

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
        images_dir=environ.get("MYDOCKER_IMAGES_DIR", ""),
        registry=environ.get("MYDOCKER_REGISTRY", ""),
        upload_limit_mb=int(environ.get("MYDOCKER_UPLOAD_LIMIT_MB") or 50),
        concurrent_builds=int(environ.get("MYDOCKER_CONCURRENT_BUILDS") or 0),
        build_timeout_minutes=int(environ.get("MYDOCKER_BUILD_TIMEOUT_MINUTES") or 20),
        build_memory=environ.get("MYDOCKER_BUILD_MEMORY") or "2G",
        builds_kept=int(environ.get("MYDOCKER_BUILDS_KEPT") or 5),
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
IMAGE = r"([a-z0-9][a-z0-9-]{0,24})"
NUMBER = r"([1-9][0-9]{0,8})"  # a build's number
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
        ("images/?", images.ImageListHandler),
        ("images/new", images.NewImageHandler),
        (rf"images/{IMAGE}", images.ImageHandler),
        (rf"images/{IMAGE}/delete", images.ImageActionHandler),
        (rf"images/{IMAGE}/collaborators", images.ImageCollaboratorsHandler),
        (rf"images/{IMAGE}/collaborators/{USER}/delete", images.ImageCollaboratorDeleteHandler),
        (rf"images/{IMAGE}/builds", builds.BuildsHandler),
        (rf"images/{IMAGE}/builds/{NUMBER}", builds.BuildPageHandler),
        (rf"images/{IMAGE}/builds/{NUMBER}/(cancel|test)", builds.BuildActionHandler),
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
        ("images", images_api.ImagesAPIHandler),
        (rf"images/{IMAGE}", images_api.ImageAPIHandler),
        (rf"images/{IMAGE}/context", images_api.ContextUploadHandler),
        (rf"images/{IMAGE}/collaborators/{USER}", images_api.ImageCollaboratorAPIHandler),
        (rf"images/{IMAGE}/builds", images_api.BuildsAPIHandler),
        (rf"images/{IMAGE}/builds/{NUMBER}", images_api.BuildAPIHandler),
        (rf"images/{IMAGE}/builds/{NUMBER}/log", images_api.BuildLogHandler),
        (rf"images/{IMAGE}/builds/{NUMBER}/(cancel|test)", images_api.BuildActionAPIHandler),
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


def docker_client():
    """A low-level Docker client for one build (the engine of the Swarm manager)."""
    import docker

    # DOCKER_HOST when set, else the local socket: like docker.from_env.
    return docker.from_env(timeout=60).api


def build_queue(settings, client_factory=docker_client):
    """The portal's `BuildQueue` and `ContextStore`, from its settings."""
    root = settings.images_dir or tempfile.mkdtemp(prefix="mydocker-images-")
    limits = archive.Limits(max_upload_bytes=settings.upload_limit_mb * archive.MIB)
    contexts = ContextStore(root, limits)
    queue = BuildQueue(
        contexts,
        client_factory,
        concurrent=settings.concurrent_builds or plan.default_concurrent_builds(os.cpu_count()),
        limits=BuildLimits(
            memory=settings.build_memory,
            timeout_seconds=settings.build_timeout_minutes * 60,
            keep=settings.builds_kept,
        ),
        registry=settings.registry,
        db=db.in_thread,
    )
    return queue, contexts


def make_app(settings, *, catalog=None, hub_auth=None, cookie_secret=None, nodes=None, builds=None):
    """The Tornado application for `settings` (a `PortalSettings`)."""
    queue, contexts = builds or build_queue(settings)
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
        mydocker_builds=queue,
        mydocker_contexts=contexts,
        mydocker_registry=settings.registry,
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
    await app.settings["mydocker_builds"].recover()
    address, port = settings.bind
    # Uploads are refused from their announced size (413); Tornado's own cap
    # (100 MB by default) must not cut a larger allowed one short.
    body_limit = max(settings.upload_limit_mb * 2**20 + 2**20, 100 * 2**20)
    HTTPServer(app, xheaders=True, max_body_size=body_limit).listen(port, address)
    log.info("Portal listening on %s:%d under %s", address, port, settings.prefix)
    await asyncio.Event().wait()

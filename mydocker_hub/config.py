"""Turn the deployment's small settings (environment variables) into JupyterHub config.

`jupyterhub_config.py` calls `configure(c)`; everything here is a pure
function of the environment variables, tested without a running hub. An admin
overrides any of it below that call in their own ``jupyterhub_config.py``.
"""

import json
import os
import re
import secrets
import sys
from dataclasses import dataclass

from . import __version__
from .environments import Environment
from .portal import service as portal

ADMIN_SERVICE = "mydocker-admin"

IDLE_CULLER_SCOPES = ["list:users", "read:users:activity", "read:servers", "delete:servers"]


@dataclass(frozen=True)
class Settings:
    """The deployment's settings, read from ``MYDOCKER_*`` environment variables."""

    prefix: str = "mydocker"
    network: str = "mydocker"
    hub_host: str = "mydocker-hub"  # the hub's fixed address on the network, in a deployment
    data_dir: str = "/srv/jupyterhub"
    db_url: str = ""
    default_image: str = f"mydocker/jupyterlab:{__version__}"
    volume_driver: str = "local"
    volume_driver_options: tuple = ()
    idle_timeout: int = 3600
    admin_token_file: str = ""
    environments: tuple = ()
    builds: tuple = ()  # (MYDOCKER_* name, value) of the image builds' settings, for the portal
    # The API of the proxy's own container (`deploy.proxy`); without it, JupyterHub
    # would start a proxy itself, which the platform's hub image does not have.
    proxy_api_url: str = ""

    @property
    def database_url(self):
        return self.db_url or f"sqlite:///{self.data_dir}/jupyterhub.sqlite"


def parse_options(text):
    r"""Driver options: ``key=value`` items, separated by commas; ``\,`` is a comma in a value.

    NFS mount options need it (``o=addr=...,rw``):

    >>> parse_options(r"type=nfs,o=addr=10.0.0.5\,rw,device=:/export")
    (('type', 'nfs'), ('o', 'addr=10.0.0.5,rw'), ('device', ':/export'))
    """
    options = []
    items = (part.strip() for part in re.split(r"(?<!\\),", text or ""))
    for item in filter(None, items):
        key, sep, value = item.replace("\\,", ",").partition("=")
        if not sep or not key:
            raise ValueError(f"MYDOCKER_VOLUME_DRIVER_OPTS: expected key=value, got {item!r}")
        options.append((key, value))
    return tuple(options)


def parse_environments(text):
    """MYDOCKER_ENVIRONMENTS: a JSON list of environments (see Environment)."""
    if not text.strip():
        return ()
    try:
        environments = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"MYDOCKER_ENVIRONMENTS is not valid JSON: {e}") from None
    if not isinstance(environments, list) or not all(isinstance(e, dict) for e in environments):
        raise ValueError("MYDOCKER_ENVIRONMENTS must be a JSON list of objects")
    for environment in environments:
        Environment.from_dict(environment)  # refuse a bad one before the hub starts
    return tuple(environments)


# The settings of image builds that the portal reads (see docs/images.md).
BUILD_SETTINGS = (
    "MYDOCKER_REGISTRY",
    "MYDOCKER_UPLOAD_LIMIT_MB",
    "MYDOCKER_CONCURRENT_BUILDS",
    "MYDOCKER_BUILD_TIMEOUT_MINUTES",
    "MYDOCKER_BUILD_MEMORY",
    "MYDOCKER_BUILDS_KEPT",
)


def settings_from_env(environ):
    prefix = environ.get("MYDOCKER_PREFIX", "mydocker")
    data_dir = environ.get("MYDOCKER_DATA_DIR", "/srv/jupyterhub")
    return Settings(
        prefix=prefix,
        network=environ.get("MYDOCKER_NETWORK", prefix),
        hub_host=environ.get("MYDOCKER_HUB_HOST", f"{prefix}-hub"),
        data_dir=data_dir,
        db_url=environ.get("MYDOCKER_DB_URL", ""),
        default_image=environ.get("MYDOCKER_DEFAULT_IMAGE", Settings.default_image),
        volume_driver=environ.get("MYDOCKER_VOLUME_DRIVER", "local"),
        volume_driver_options=parse_options(environ.get("MYDOCKER_VOLUME_DRIVER_OPTS", "")),
        idle_timeout=int(environ.get("MYDOCKER_IDLE_TIMEOUT", "3600")),
        environments=parse_environments(environ.get("MYDOCKER_ENVIRONMENTS", "")),
        admin_token_file=environ.get(
            "MYDOCKER_ADMIN_TOKEN_FILE", os.path.join(data_dir, "admin-service-token")
        ),
        builds=tuple((key, environ[key]) for key in BUILD_SETTINGS if environ.get(key)),
        proxy_api_url=environ.get("MYDOCKER_PROXY_API_URL", ""),
    )


def default_environments(settings):
    """The environments of MYDOCKER_ENVIRONMENTS, or the one every fresh platform offers."""
    if settings.environments:
        return list(settings.environments)
    return [
        {
            "name": "jupyterlab",
            "title": "JupyterLab",
            "description": "Python 3 and JupyterLab, with a persistent home folder.",
            "image": settings.default_image,
            "public": True,
            "cpu_limit": 1.0,
            "mem_limit": "2G",
        }
    ]


def services(settings, admin_token):
    result = [{"name": ADMIN_SERVICE, "api_token": admin_token}]
    if settings.idle_timeout > 0:
        result.append(
            {
                "name": "idle-culler",
                "command": [
                    sys.executable,
                    "-m",
                    "jupyterhub_idle_culler",
                    f"--timeout={settings.idle_timeout}",
                ],
            }
        )
    return result


def roles(settings):
    # The command line grants admin flags, which only an admin may do.
    result = [{"name": "admin", "services": [ADMIN_SERVICE]}]
    if settings.idle_timeout > 0:
        result.append(
            {"name": "idle-culler", "scopes": IDLE_CULLER_SCOPES, "services": ["idle-culler"]}
        )
    return result


def read_or_create_secret(path):
    """A random token kept in `path` (0600), created on first use."""
    if os.path.exists(path):
        with open(path) as f:
            return f.read().strip()
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    token = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token)
    return token


def apply(c, settings, admin_token):
    """Fill the traitlets config `c` from `settings` (pure but for `c`)."""
    c.JupyterHub.spawner_class = "mydocker"
    c.JupyterHub.authenticator_class = "mydocker"
    c.JupyterHub.bind_url = "http://:8000"
    c.JupyterHub.hub_bind_url = "http://:8081"
    c.JupyterHub.hub_connect_url = f"http://{settings.hub_host}:8081"
    c.JupyterHub.db_url = settings.database_url
    c.JupyterHub.cookie_secret_file = os.path.join(settings.data_dir, "jupyterhub_cookie_secret")
    if settings.proxy_api_url:
        # The proxy runs in its own container and keeps its routes while the hub
        # restarts; the hub gives them back at its start (token: CONFIGPROXY_AUTH_TOKEN).
        c.ConfigurableHTTPProxy.should_start = False
        c.ConfigurableHTTPProxy.api_url = settings.proxy_api_url
    c.JupyterHub.allow_named_servers = True
    # Servers outlive a restart of the hub; `mydocker-hub down` stops them.
    c.JupyterHub.cleanup_servers = False
    # Our spawner queues starts itself and shows the place in line.
    c.JupyterHub.concurrent_spawn_limit = 0
    c.JupyterHub.services = services(settings, admin_token)
    c.JupyterHub.load_roles = roles(settings)
    # The portal runs beside the hub, in its container; the proxy reaches it there.
    portal.apply(
        c,
        settings.hub_host if settings.proxy_api_url else "127.0.0.1",
        settings.database_url,
        images=[settings.default_image],
        secret_file=os.path.join(settings.data_dir, "portal_cookie_secret"),
        builds={
            "MYDOCKER_IMAGES_DIR": os.path.join(settings.data_dir, "images"),
            **dict(settings.builds),
        },
    )

    c.Spawner.start_timeout = 180
    c.Spawner.http_timeout = 120
    c.SwarmCourseSpawner.prefix = settings.prefix
    c.SwarmCourseSpawner.network_name = settings.network
    c.SwarmCourseSpawner.volume_driver = settings.volume_driver
    c.SwarmCourseSpawner.volume_driver_options = dict(settings.volume_driver_options)
    # Environments live in the database (the portal's); the configuration's are
    # written there at start.
    c.SwarmCourseSpawner.catalog_class = "mydocker_hub.environments.DatabaseEnvironmentCatalog"
    c.StaticEnvironmentCatalog.environments = default_environments(settings)


def configure(c, environ=None):
    """Configure JupyterHub for this deployment (called from jupyterhub_config.py)."""
    from . import db

    settings = settings_from_env(os.environ if environ is None else environ)
    admin_token = read_or_create_secret(settings.admin_token_file)
    apply(c, settings, admin_token)
    db.configure(settings.database_url)
    from .auth import settings as auth_settings

    auth_settings.configure(c, os.environ if environ is None else environ)
    return settings

"""Environment variables -> the authenticator's traitlets config (pure but for `c`).

`mydocker_hub.config.configure` calls `configure(c, environ)`. Variables (all
optional; a source without its variables is simply off):

``MYDOCKER_LTI11_CONSUMERS``
    ``key:secret[,key:secret]`` -- LTI 1.1 consumers (`LTI11Launches.consumers`).
``MYDOCKER_LTI13_PLATFORMS``
    a JSON list of platforms (`LTI13Launches.platforms`), e.g.
    ``[{"issuer": "https://moodle.univ.fr", "client_id": "Xy12", "deployment_ids": ["3"],
    "auth_login_url": "https://moodle.univ.fr/mod/lti/auth.php",
    "jwks_url": "https://moodle.univ.fr/mod/lti/certs.php"}]``.
``MYDOCKER_OIDC_DISCOVERY_URL``, ``MYDOCKER_OIDC_CLIENT_ID``, ``MYDOCKER_OIDC_CLIENT_SECRET``
    the federation's OpenID Connect client (`FederationOIDC`); optional
    ``MYDOCKER_OIDC_CALLBACK_URL`` (when a proxy hides the public URL) and
    ``MYDOCKER_OIDC_USERNAME_CLAIM`` (default ``eduPersonPrincipalName``);
    ``MYDOCKER_OIDC_ALLOWED_DOMAINS``: comma-separated domains of the
    usernames allowed in (default: every institution of the federation);
    ``MYDOCKER_OIDC_SCOPES``: the scopes asked for, separated by spaces or
    commas (default ``openid email profile``; add the bridge's scope that
    releases the eduPerson attributes); ``MYDOCKER_OIDC_TOKEN_AUTH_METHOD``:
    ``client_secret_basic`` or ``client_secret_post`` (default: what the
    provider's discovery document lists, ``client_secret_basic`` first).
    A CA of the university's own is trusted with ``MYDOCKER_CA_FILE``, which
    `mydocker-hub up` reads on the host (see `mydocker_hub.deploy.trust`).
``MYDOCKER_ADMIN_USERS``
    comma-separated usernames that are admins on every login.
``MYDOCKER_LMS_ORIGINS``
    comma-separated origins allowed to show the hub in an iframe
    (``https://moodle.univ.fr``): CSP ``frame-ancestors``.
``MYDOCKER_PUBLIC_URL``
    the hub's public URL; when it is ``https://...``, cookies are
    ``SameSite=None; Secure`` so that they work inside the LMS's iframe and
    on the LMS's cross-site form posts.
"""

import json
import os
from urllib.parse import urlparse

from .oidc_provider import USABLE_AUTH_METHODS
from .roles import CUSTOM_SCOPES

TEMPLATES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "templates")


class SettingsError(ValueError):
    """A MYDOCKER_* variable that cannot be understood, named in the message."""


def _items(text):
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def parse_lti11_consumers(text):
    """'key:secret,key2:secret2' -> {'key': 'secret', 'key2': 'secret2'}."""
    consumers = {}
    for item in _items(text):
        key, sep, secret = item.partition(":")
        if not sep or not key.strip() or not secret.strip():
            raise SettingsError(
                "MYDOCKER_LTI11_CONSUMERS: expected key:secret[,key:secret], "
                f"got an item without a key or a secret (item {len(consumers) + 1})"
            )
        consumers[key.strip()] = secret.strip()
    return consumers


def parse_lti13_platforms(text):
    """The JSON list of MYDOCKER_LTI13_PLATFORMS (checked by `LTI13Launches.platforms`)."""
    if not (text or "").strip():
        return []
    try:
        platforms = json.loads(text)
    except ValueError as e:
        raise SettingsError(f"MYDOCKER_LTI13_PLATFORMS: not valid JSON ({e})") from None
    if isinstance(platforms, dict):
        platforms = [platforms]
    if not isinstance(platforms, list) or not all(isinstance(p, dict) for p in platforms):
        raise SettingsError("MYDOCKER_LTI13_PLATFORMS: expected a JSON list of objects")
    return platforms


def parse_scopes(text):
    """'openid email profile eduperson' (or with commas) -> the list; "openid" is required.

    >>> parse_scopes("openid, email eduperson")
    ['openid', 'email', 'eduperson']
    """
    scopes = list(dict.fromkeys(text.replace(",", " ").split()))
    if scopes and "openid" not in scopes:
        raise SettingsError(
            f"MYDOCKER_OIDC_SCOPES: {' '.join(scopes)!r} lacks 'openid', without which the "
            "provider does not answer as OpenID Connect"
        )
    return scopes


def parse_token_auth_method(text):
    method = (text or "").strip()
    if method and method not in USABLE_AUTH_METHODS:
        raise SettingsError(
            f"MYDOCKER_OIDC_TOKEN_AUTH_METHOD: expected {' or '.join(USABLE_AUTH_METHODS)} "
            f"(or nothing, to follow the provider), got {method!r}"
        )
    return method


def parse_origins(text):
    origins = []
    for origin in _items(text):
        parsed = urlparse(origin)
        if (
            parsed.scheme not in ("http", "https")
            or not parsed.netloc
            or parsed.path not in ("", "/")
        ):
            raise SettingsError(
                f"MYDOCKER_LMS_ORIGINS: {origin!r} is not an origin like https://moodle.univ.fr"
            )
        origins.append(f"{parsed.scheme}://{parsed.netloc}")
    return origins


def embedding_settings(origins, public_url):
    """tornado_settings for showing the hub in the LMS's iframe (and its cookies)."""
    settings = {}
    if origins:
        ancestors = " ".join(["'self'", *origins])
        settings["headers"] = {"Content-Security-Policy": f"frame-ancestors {ancestors}"}
    if urlparse(public_url or "").scheme == "https":
        # JupyterHub also gives these to the xsrf cookie and to single-user servers
        # (JUPYTERHUB_COOKIE_OPTIONS), so JupyterLab works in the frame too.
        settings["cookie_options"] = {"samesite": "None", "secure": True}
    return settings


def configure(c, environ=None):
    """Fill `c` with the authentication settings read from `environ`."""
    environ = os.environ if environ is None else environ
    data_dir = environ.get("MYDOCKER_DATA_DIR", "/srv/jupyterhub")

    c.JupyterHub.template_paths = [TEMPLATES]
    c.JupyterHub.custom_scopes = dict(CUSTOM_SCOPES)
    c.LTI13Launches.key_directory = os.path.join(data_dir, "lti13-keys")

    consumers = parse_lti11_consumers(environ.get("MYDOCKER_LTI11_CONSUMERS", ""))
    if consumers:
        c.LTI11Launches.consumers = consumers
    platforms = parse_lti13_platforms(environ.get("MYDOCKER_LTI13_PLATFORMS", ""))
    if platforms:
        c.LTI13Launches.platforms = platforms

    oidc = {
        "discovery_url": environ.get("MYDOCKER_OIDC_DISCOVERY_URL", ""),
        "client_id": environ.get("MYDOCKER_OIDC_CLIENT_ID", ""),
        "client_secret": environ.get("MYDOCKER_OIDC_CLIENT_SECRET", ""),
        "oauth_callback_url": environ.get("MYDOCKER_OIDC_CALLBACK_URL", ""),
        "username_claim": environ.get("MYDOCKER_OIDC_USERNAME_CLAIM", ""),
    }
    if oidc["discovery_url"] and not oidc["client_id"]:
        raise SettingsError("MYDOCKER_OIDC_DISCOVERY_URL is set but MYDOCKER_OIDC_CLIENT_ID is not")
    for name, value in oidc.items():
        if value:
            setattr(c.FederationOIDC, name, value)

    domains = _items(environ.get("MYDOCKER_OIDC_ALLOWED_DOMAINS", ""))
    if domains:
        c.FederationOIDC.allowed_domains = set(domains)
    scopes = parse_scopes(environ.get("MYDOCKER_OIDC_SCOPES", ""))
    if scopes:
        c.FederationOIDC.scope = scopes
    method = parse_token_auth_method(environ.get("MYDOCKER_OIDC_TOKEN_AUTH_METHOD", ""))
    if method:
        c.FederationOIDC.token_endpoint_auth_method = method

    admins = _items(environ.get("MYDOCKER_ADMIN_USERS", ""))
    if admins:
        c.Authenticator.admin_users = set(admins)

    origins = parse_origins(environ.get("MYDOCKER_LMS_ORIGINS", ""))
    embedding = embedding_settings(origins, environ.get("MYDOCKER_PUBLIC_URL", ""))
    if embedding:
        c.JupyterHub.tornado_settings = embedding
    if origins:
        # JupyterLab, not only the hub's pages, opens in the LMS's frame.
        c.SwarmCourseSpawner.frame_ancestors = origins
    return c

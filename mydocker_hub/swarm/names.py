"""Docker-safe, reversible names for users, services and volumes."""

import hashlib
import string

from escapism import escape, unescape

_SAFE = set(string.ascii_lowercase + string.digits)
_MAX_SERVICE_NAME = 63


def escape_name(name):
    """Escape a JupyterHub name into [a-z0-9-], reversibly ('-' escapes itself)."""
    return escape(name, safe=_SAFE, escape_char="-")


def unescape_name(escaped):
    return unescape(escaped, escape_char="-")


def _fit(name, limit=_MAX_SERVICE_NAME):
    """Shorten `name` to `limit` characters, keeping it unique with a hash suffix."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:10]
    return f"{name[: limit - 11].rstrip('-')}-{digest}"


def service_name(prefix, user_name, server_name=""):
    """The service of one server: ``PREFIX-USER`` (default server) or ``PREFIX-USER--SERVER``.

    Every server has its own service, so the default server and a named
    server of the same user (even one named after the default environment)
    never share one. Names cannot collide: escaped names are made of
    ``[a-z0-9]`` and escape sequences ``-XX`` (``-`` followed by two
    upper-case hex digits), so they never contain ``--``. The first ``--``
    therefore ends the user's part, and a default server's name has none.
    Past 63 characters (Docker's limit for a service, a DNS label) the
    name is cut and ends with a hash of the whole name, which keeps it
    unique.
    """
    name = f"{prefix}-{escape_name(user_name)}"
    if server_name:
        name = f"{name}--{escape_name(server_name)}"
    return _fit(name)


def home_volume_name(prefix, user_name):
    return _fit(f"{prefix}-home-{escape_name(user_name)}", 255)


def work_volume_name(prefix, user_name, environment_name):
    return _fit(f"{prefix}-work-{escape_name(user_name)}--{environment_name}", 255)


def is_deployment_service(name, labels, prefix):
    """Whether a service is one of the servers of the deployment `prefix`.

    Its ``mydocker.instance`` label says so exactly. A service made before
    that label (by a spawner with the same prefix) is recognised by its
    name: the one this prefix gives its user and server labels. A name merely
    starting with the prefix is not enough: ``mydocker-2-alice`` may belong
    to the deployment ``mydocker-2``, ``mydocker2-alice`` to ``mydocker2``.
    """
    if "mydocker.instance" in labels:
        return labels["mydocker.instance"] == prefix
    user = labels.get("mydocker.user")
    if user is None:
        return False
    own = {
        service_name(prefix, user, labels.get("mydocker.server", "")),
        # Before each server had its own service: named after the environment.
        _fit(f"{prefix}-{escape_name(user)}--{labels.get('mydocker.environment', '')}"),
    }
    return name in own

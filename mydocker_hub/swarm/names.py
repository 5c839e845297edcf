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


def service_name(prefix, user_name, environment_name):
    return _fit(f"{prefix}-{escape_name(user_name)}--{environment_name}")


def home_volume_name(prefix, user_name):
    return _fit(f"{prefix}-home-{escape_name(user_name)}", 255)


def work_volume_name(prefix, user_name, environment_name):
    return _fit(f"{prefix}-work-{escape_name(user_name)}--{environment_name}", 255)

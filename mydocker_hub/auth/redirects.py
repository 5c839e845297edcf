"""Where a login sends the browser: only to this hub, never elsewhere.

And where a deep-linking answer is posted: to the LMS, over https only.
"""

import ipaddress
from urllib.parse import quote, urlparse

from jupyterhub.utils import url_path_join

from .errors import LoginRefused


def safe_next_url(next_url, base_url="/"):
    """`next_url` when it is a path on this hub (under `base_url`), else "".

    Refuses absolute URLs, scheme-relative ``//host`` URLs, backslash tricks
    and paths outside the hub.

    >>> safe_next_url("/hub/home")
    '/hub/home'
    >>> safe_next_url("https://evil.example/hub/home")
    ''
    >>> safe_next_url("//evil.example/")
    ''
    """
    if not next_url:
        return ""
    text = next_url.strip()
    if "\\" in text or any(ord(ch) < 32 for ch in text):
        return ""
    parsed = urlparse(text)
    if parsed.scheme or parsed.netloc or not parsed.path.startswith("/"):
        return ""
    if parsed.path.startswith("//"):
        return ""
    if not (parsed.path + "/").startswith(base_url.rstrip("/") + "/"):
        return ""
    return text


def environment_url(hub_base_url, user_name, environment):
    """The start/progress page of `user_name`'s server for `environment`."""
    return url_path_join(hub_base_url, "spawn", quote(user_name, safe="@~"), environment)


def _is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def checked_return_url(url, hub_host):
    """The LMS's ``deep_link_return_url`` when it is safe as a form action, else a 400.

    Accepted: ``https://host/...``; ``http://`` only on the hub's own host
    (`hub_host`, as in the request's Host header), loopback counting as one
    host, for tests and local trials. Refused: other schemes (``javascript:``,
    ``data:``), plain http elsewhere, and URLs with spaces or control characters.

    >>> checked_return_url("https://moodle.univ.fr/mod/lti/contentitem_return.php", "hub")
    'https://moodle.univ.fr/mod/lti/contentitem_return.php'
    """
    text = url if isinstance(url, str) else ""
    parsed = urlparse(text)
    hostname = parsed.hostname or ""
    hub_hostname = urlparse(f"//{hub_host}").hostname or ""
    same_host = hostname == hub_hostname or (_is_loopback(hostname) and _is_loopback(hub_hostname))
    clean = text and not any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in text)
    if clean and hostname and (parsed.scheme == "https" or (parsed.scheme == "http" and same_host)):
        return text
    raise LoginRefused(
        400,
        "Deep linking refused: the learning platform (LMS) asked for the answer at "
        f"{text[:100]!r}, which is not an https address. Ask the LMS's administrator to "
        "serve it over https, then try again. / Liaison refusée : la plateforme pédagogique "
        "(LMS) demande la réponse à une adresse qui n'est pas en https. Demandez à son "
        "administrateur de la servir en https, puis réessayez.",
    )

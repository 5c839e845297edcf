"""Where a login sends the browser: only to this hub, never elsewhere."""

from urllib.parse import quote, urlparse

from jupyterhub.utils import url_path_join


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

"""The LMS's deep_link_return_url becomes a form action only when it is https (or local http)."""

import pytest

from mydocker_hub.auth.errors import LoginRefused
from mydocker_hub.auth.redirects import checked_return_url


@pytest.mark.parametrize(
    "url, hub_host",
    [
        ("https://moodle.univ.fr/mod/lti/contentitem_return.php?course=2", "hub.univ.fr"),
        ("http://hub.univ.fr:8080/return", "hub.univ.fr"),
        ("http://127.0.0.1:5000/deep_link_return", "localhost:8000"),
        ("http://localhost:5000/deep_link_return", "127.0.0.1:8000"),
    ],
    ids=["https", "http-same-host", "http-loopback-ip", "http-localhost"],
)
def test_accepted_return_urls(url, hub_host):
    assert checked_return_url(url, hub_host) == url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "http://evil.example/return",
        "//evil.example/return",
        "https:///no-host",
        "https://moodle.univ.fr/a b",
        "https://moodle.univ.fr/\nx",
        "",
        None,
        ["https://moodle.univ.fr/"],
    ],
    ids=[
        "javascript",
        "javascript-case",
        "data",
        "http-elsewhere",
        "scheme-relative",
        "no-host",
        "space",
        "newline",
        "empty",
        "none",
        "not-a-string",
    ],
)
def test_refused_return_urls_say_what_to_do(url):
    with pytest.raises(LoginRefused) as refused:
        checked_return_url(url, "hub.univ.fr")
    assert refused.value.status_code == 400
    assert "https" in refused.value.jupyterhub_message
    assert "administrateur" in refused.value.jupyterhub_message

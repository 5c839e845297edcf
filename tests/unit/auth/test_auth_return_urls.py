"""The LMS's deep_link_return_url becomes a form action only when it is https (or local http)."""

import base64

import pytest

from mydocker_hub.auth.errors import LoginRefused
from mydocker_hub.auth.lti13_handlers import decode_state, encode_state
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


def test_a_launch_state_carries_its_destination_and_nothing_else_is_read_from_it():
    state = encode_state("/hub/home")
    assert decode_state(state)["next_url"] == "/hub/home"
    assert decode_state(encode_state("/hub/home")) != decode_state(state)  # a new id each time
    assert decode_state("not base64 json!") == {}
    assert decode_state(base64.urlsafe_b64encode(b"[1, 2]").decode()) == {}

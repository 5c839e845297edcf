"""A hub served over HTTPS behind a proxy can be shown in the LMS's frame, cookies included."""

import pytest
import requests
from authhub import Hub
from ports import free_port


@pytest.fixture(scope="module")
def https_hub(tmp_path_factory):
    environ = {
        "MYDOCKER_LMS_ORIGINS": "https://moodle.univ.fr,https://lms.example.org",
        "MYDOCKER_PUBLIC_URL": "https://hub.univ.fr",
    }
    hub = Hub(str(tmp_path_factory.mktemp("https-hub")), free_port(), environ, [])
    hub.start()
    yield hub
    hub.stop()


def test_frame_ancestors_name_the_lms_origins_only(https_hub):
    response = requests.get(f"{https_hub.url}/hub/login")
    assert response.headers["Content-Security-Policy"] == (
        "frame-ancestors 'self' https://moodle.univ.fr https://lms.example.org"
    )


def test_cookies_are_samesite_none_and_secure(https_hub):
    response = requests.get(f"{https_hub.url}/hub/login")
    # each Set-Cookie header on its own: requests joins them into one string
    cookies = response.raw.headers.getlist("Set-Cookie")
    assert any(cookie.startswith("_xsrf=") for cookie in cookies), cookies
    for cookie in cookies:
        attributes = [part.strip() for part in cookie.split(";")]
        assert "SameSite=None" in attributes and "Secure" in attributes, cookie

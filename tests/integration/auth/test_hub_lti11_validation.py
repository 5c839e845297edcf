"""LTI 1.1 launches checked at the edges: the URL the LMS signed, the signature method, the user.

Launches are signed by PyPI `lti`'s ToolConsumer and posted over plain http to the
hub's configurable-http-proxy, which appends its own ``X-Forwarded-Proto: http`` to
the one a TLS proxy in front of it sends: the hub sees ``https,http``.
"""

import pytest
import requests
from authhub import Hub, assert_refused, user_exists
from conftest import ADMIN_TOKEN, LTI11_KEY, LTI11_SECRET, TEST_SERVICE_CONFIG
from ports import free_port
from test_hub_lti11 import consumer

PAGINATION = "application/jupyterhub-pagination+json"


def user_count(hub):
    response = requests.get(
        f"{hub.url}/hub/api/users",
        params={"limit": 1},
        headers={"Authorization": f"token {hub.token}", "Accept": PAGINATION},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["_pagination"]["total"]


def launch(hub, tool, headers=None, **signing):
    """Post `tool`'s signed launch to the hub's plain-http address."""
    return requests.post(
        f"{hub.url}/hub/lti/launch",
        data=tool.generate_launch_data(**signing),
        headers=headers or {},
        allow_redirects=False,
        timeout=10,
    )


def signed_for(url, tool):
    tool.launch_url = f"{url}/hub/lti/launch"
    return tool


def https_url(hub):
    return hub.url.replace("http://", "https://", 1)


# -- the scheme of the signed URL ----------------------------------------------------------


def test_launch_signed_for_https_lands_over_http_with_x_forwarded_proto_https(hub):
    """Behind a TLS proxy the LMS signs https://...; with the default `uri_scheme`
    ("auto") the hub rebuilds that URL from the proxy's X-Forwarded-Proto."""
    tool = signed_for(https_url(hub), consumer(hub, "fwd-https", "Learner"))
    response = launch(hub, tool, headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert user_exists(hub, "fwd-https@moodle-test")


def test_launch_signed_for_https_is_refused_over_http_without_x_forwarded_proto(hub):
    tool = signed_for(https_url(hub), consumer(hub, "no-fwd-https", "Learner"))
    response = launch(hub, tool)
    assert_refused(hub, response, 401, "signature does not match", "no-fwd-https@moodle-test")


@pytest.fixture(scope="module")
def https_hub(tmp_path_factory):
    """A hub told its LTI 1.1 launch URL is https (`LTI11Launches.uri_scheme`)."""
    port = free_port()
    hub = Hub(
        str(tmp_path_factory.mktemp("https-hub")),
        port,
        {"MYDOCKER_LTI11_CONSUMERS": f"{LTI11_KEY}:{LTI11_SECRET}"},
        [{"name": "intro", "image": "img:1", "public": True}],
    )
    hub.extra_config = (
        TEST_SERVICE_CONFIG.format(token=ADMIN_TOKEN) + 'c.LTI11Launches.uri_scheme = "https"\n'
    )
    hub.token = ADMIN_TOKEN
    hub.start()
    yield hub
    hub.stop()


def test_a_configured_uri_scheme_ignores_x_forwarded_proto(https_hub):
    """With `uri_scheme = "https"` the header is not trusted: the https-signed launch
    lands without it, and an http-signed one is refused even when the header says http."""
    tool = signed_for(https_url(https_hub), consumer(https_hub, "pinned-https", "Learner"))
    assert launch(https_hub, tool).status_code == 302
    assert user_exists(https_hub, "pinned-https@moodle-test")
    tool = signed_for(https_hub.url, consumer(https_hub, "pinned-http", "Learner"))
    response = launch(https_hub, tool, headers={"X-Forwarded-Proto": "http"})
    assert_refused(https_hub, response, 401, "signature does not match", "pinned-http@moodle-test")


# -- signature methods ----------------------------------------------------------------------


def test_launch_signed_with_hmac_sha256_lands(hub):
    tool = consumer(hub, "sha256-signed", "Learner")
    response = launch(hub, tool, signature_method="HMAC-SHA256")
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert user_exists(hub, "sha256-signed@moodle-test")


def test_launch_with_plaintext_signature_showing_the_secret_is_refused(hub):
    """PLAINTEXT sends the secret itself as the signature: never accepted."""
    tool = consumer(hub, "plaintext-signed", "Learner")
    response = launch(hub, tool, signature_method="PLAINTEXT")
    assert_refused(hub, response, 400, "unsupported signature", "plaintext-signed@moodle-test")
    assert "PLAINTEXT" in response.content.decode()


# -- who launches ------------------------------------------------------------------------


def test_launch_without_user_id_is_refused_and_creates_no_user(hub):
    anonymous = consumer(hub, "anonymous", "Learner")
    anonymous.launch_params.pop("user_id")
    before = user_count(hub)
    response = launch(hub, anonymous)
    text = response.content.decode()
    assert response.status_code == 400, text[-2000:]
    assert "the LMS sent no user_id" in text
    assert user_count(hub) == before
    # the same launch with its user_id lands: the refusal was for the missing user_id
    assert launch(hub, consumer(hub, "anonymous", "Learner")).status_code == 302
    assert user_count(hub) == before + 1

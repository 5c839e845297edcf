"""The 1EdTech LTI 1.3 certification's bad launches: each one a 4xx, a clear message, no user."""

import pytest
import requests
from lti_platform import LEARNER, _rsa_pems, launch

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
OTHER_PRIVATE_KEY = _rsa_pems()[0]

BAD_LAUNCHES = {
    "no-kid-in-header": ({"kid": None}, 400, "no kid header"),
    "unknown-kid": ({"kid": "not-a-platform-key"}, 400, "unknown key"),
    "signed-with-another-key": ({"private_key": OTHER_PRIVATE_KEY}, 401, "signature is wrong"),
    "wrong-lti-version": ({"set": {LTI + "version": "1.2.0"}}, 400, "unsupported LTI version"),
    "no-lti-version": ({"drop": [LTI + "version"]}, 400, "version claim is missing"),
    "no-message-type": ({"drop": [LTI + "message_type"]}, 400, "message_type claim is missing"),
    "unknown-message-type": (
        {"set": {LTI + "message_type": "LtiFooRequest"}},
        400,
        "unsupported message type",
    ),
    "no-roles": ({"drop": [LTI + "roles"]}, 400, "roles claim is missing"),
    "no-deployment-id": ({"drop": [LTI + "deployment_id"]}, 400, "deployment_id claim is missing"),
    "unregistered-deployment-id": (
        {"set": {LTI + "deployment_id": "deployment-9"}},
        403,
        "is not registered",
    ),
    "no-resource-link-id": ({"set": {LTI + "resource_link": {}}}, 400, "resource_link id"),
    "no-sub": ({"drop": ["sub"]}, 400, "sub) is missing"),
    "wrong-audience": ({"set": {"aud": "another-tool", "azp": "another-tool"}}, 401, "not meant"),
    "azp-of-another-tool": ({"set": {"azp": "another-tool"}}, 401, "azp does not name"),
    "expired-an-hour-ago": ({"clock_shift": -3600}, 401, "off by about 55 minutes"),
    "issued-15-minutes-in-the-future": ({"clock_shift": 900}, 401, "off by about 15 minutes"),
    "no-nonce": ({"drop": ["nonce"]}, 400, "nonce"),
}


def user_exists(hub, name):
    return hub.api("GET", f"/users/{name}", hub.token).status_code == 200


@pytest.mark.parametrize(
    "spoil, status, message", list(BAD_LAUNCHES.values()), ids=list(BAD_LAUNCHES)
)
def test_bad_launch_is_refused_with_a_message_and_no_user(hub, request, spoil, status, message):
    sub = f"bad-{request.node.callspec.id}"
    url = hub.platform.prepare(sub, [LEARNER], spoil=spoil)
    response = launch(requests.Session(), hub.platform, url)
    text = response.content.decode()
    assert response.status_code == status, text[-2000:]
    assert message in text
    assert not user_exists(hub, f"{sub}@lms")


def test_clock_skew_message_is_in_french_too(hub):
    url = hub.platform.prepare("late-clock", [LEARNER], spoil={"clock_shift": 900})
    text = launch(requests.Session(), hub.platform, url).content.decode()
    assert "décalée d&#39;environ 15 minutes" in text or "décalée d'environ 15 minutes" in text


def test_replayed_id_token_is_refused_even_with_the_cookies(hub):
    url = hub.platform.prepare("replayer", [LEARNER])
    session = requests.Session()
    start = session.get(url, allow_redirects=False)
    data = session.get(start.headers["Location"]).json()
    cookies = session.cookies.copy()
    first = session.post(
        data["launch_url"],
        data={"id_token": data["id_token"], "state": data["state"]},
        allow_redirects=False,
    )
    assert first.status_code == 302
    replay = requests.post(
        data["launch_url"],
        data={"id_token": data["id_token"], "state": data["state"]},
        cookies=cookies,
        allow_redirects=False,
    )
    assert replay.status_code == 401
    assert "already used" in replay.text


def test_launch_without_the_state_cookie_is_refused(hub):
    url = hub.platform.prepare("no-cookie", [LEARNER])
    session = requests.Session()
    start = session.get(url, allow_redirects=False)
    data = session.get(start.headers["Location"]).json()
    response = requests.post(
        data["launch_url"],
        data={"id_token": data["id_token"], "state": data["state"]},
        allow_redirects=False,
    )
    assert response.status_code == 400
    assert "third-party cookies" in response.content.decode()
    assert not user_exists(hub, "no-cookie@lms")

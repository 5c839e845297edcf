"""LTI 1.3 launches and deep linking from a platform built on PyPI `lti1p3platform`."""

import os
import re

import jwt
import requests
from lti_platform import INSTRUCTOR, LEARNER, launch

from mydocker_hub import db
from mydocker_hub.auth.tool_keys import ToolKeys
from mydocker_hub.environments import StaticEnvironmentCatalog


def enrolled(hub, environment, user_name):
    db.configure(hub.db_url)
    return StaticEnvironmentCatalog().is_enrolled(environment, user_name)


LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def user(hub, name):
    response = hub.api("GET", f"/users/{name}", hub.token)
    return response.json() if response.status_code == 200 else None


def test_resource_link_launch_enrols_and_opens_the_environment(hub):
    url = hub.platform.prepare("student-1", [LEARNER], custom={"environment": "intro"})
    session = requests.Session()
    response = launch(session, hub.platform, url)
    assert response.status_code == 302, response.text
    assert response.headers["Location"] == "/hub/spawn/student-1@lms/intro"
    model = user(hub, "student-1@lms")
    assert model["groups"] == ["students"]
    assert "teacher" not in model["roles"]
    assert enrolled(hub, "intro", "student-1@lms")
    # the browser is logged in: no second login
    home = session.get(f"{hub.url}/hub/home", allow_redirects=False)
    assert home.status_code == 200


def test_deep_linking_picker_returns_a_signed_response_the_platform_accepts(hub):
    url = hub.platform.prepare("teacher-1", [INSTRUCTOR], deep_linking=True)
    session = requests.Session()
    picker = launch(session, hub.platform, url)
    assert picker.status_code == 200, picker.text
    page = picker.content.decode()
    # only the teacher's READY environments are offered
    assert 'value="python-l1"' in page
    assert 'value="draft-env"' not in page
    assert 'value="someone-else"' not in page
    request_id = re.search(r'name="request_id" value="([^"]+)"', page).group(1)
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page).group(1)
    answer = session.post(
        f"{hub.url}/hub/lti13/deep_link",
        data={"_xsrf": xsrf, "request_id": request_id, "environment": "python-l1"},
        allow_redirects=False,
    )
    assert answer.status_code == 200, answer.text
    form = answer.content.decode()
    action = re.search(r'<form action="([^"]+)"', form).group(1)
    token = re.search(r'name="JWT" value="([^"]+)"', form).group(1)
    assert action == f"{hub.platform.url}/deep_link_return"
    # the platform verifies the signature with the tool's published JWKS
    accepted = requests.post(action, data={"JWT": token})
    assert accepted.status_code == 200, accepted.text
    items = accepted.json()["items"]
    assert items[0]["type"] == "ltiResourceLink"
    assert items[0]["custom"] == {"environment": "python-l1"}
    claims = hub.platform.deep_link_results[-1]["claims"]
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "dl-data"
    assert claims[LTI + "deployment_id"] == "deployment-1"


def test_a_student_cannot_deep_link(hub):
    url = hub.platform.prepare("student-2", [LEARNER], deep_linking=True)
    response = launch(requests.Session(), hub.platform, url)
    assert response.status_code == 403
    assert "Only teachers" in response.content.decode()


def test_unknown_platform_is_refused_at_login_initiation(hub):
    response = requests.get(
        f"{hub.url}/hub/lti13/oauth_login",
        params={"iss": "https://other.example", "login_hint": "x", "target_link_uri": hub.url},
        allow_redirects=False,
    )
    assert response.status_code == 401
    assert "not registered" in response.text


def test_tool_publishes_its_jwks(hub):
    keys = requests.get(f"{hub.url}/hub/lti13/jwks").json()["keys"]
    assert keys and all(key["kty"] == "RSA" and key["kid"] and "d" not in key for key in keys)


def test_tool_configuration_lists_the_urls_to_register(hub):
    config = requests.get(f"{hub.url}/hub/lti13/config").json()
    assert config["oidc_initiation_url"] == f"{hub.url}/hub/lti13/oauth_login"
    assert config["redirect_uris"] == [f"{hub.url}/hub/lti13/oauth_callback"]
    assert config["public_keyset_url"] == f"{hub.url}/hub/lti13/jwks"


def deep_link(hub, teacher):
    """A full deep-linking round trip; return the platform's verdict."""
    url = hub.platform.prepare(teacher, [INSTRUCTOR], deep_linking=True)
    session = requests.Session()
    page = launch(session, hub.platform, url).content.decode()
    fields = dict(re.findall(r'name="(_xsrf|request_id)" value="([^"]+)"', page))
    answer = session.post(
        f"{hub.url}/hub/lti13/deep_link", data={**fields, "environment": "python-l1"}
    ).content.decode()
    token = re.search(r'name="JWT" value="([^"]+)"', answer).group(1)
    return token, requests.post(f"{hub.platform.url}/deep_link_return", data={"JWT": token})


def test_after_a_key_rotation_responses_are_signed_with_the_new_published_key(hub):
    keys = ToolKeys(os.path.join(hub.data_dir, "lti13-keys"))
    old_kid = jwt.get_unverified_header(deep_link(hub, "teacher-1")[0])["kid"]
    new_kid = keys.rotate()
    published = [key["kid"] for key in requests.get(f"{hub.url}/hub/lti13/jwks").json()["keys"]]
    assert published[:2] == [new_kid, old_kid]
    token, verdict = deep_link(hub, "teacher-1")
    assert jwt.get_unverified_header(token)["kid"] == new_kid
    assert verdict.status_code == 200, verdict.text

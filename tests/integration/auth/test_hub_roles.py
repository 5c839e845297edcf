"""Local accounts, roles kept in step on every login, hand-granted ones kept, embedding headers."""

import re

import requests
from test_hub_lti11 import consumer, post


def user(hub, name):
    response = hub.api("GET", f"/users/{name}", hub.token)
    return response.json() if response.status_code == 200 else None


def local_login(hub, name, password):
    session = requests.Session()
    page = session.get(f"{hub.url}/hub/login").content.decode()
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page).group(1)
    response = session.post(
        f"{hub.url}/hub/login",
        data={"username": name, "password": password, "_xsrf": xsrf},
        allow_redirects=False,
    )
    return session, response


def test_local_teacher_logs_in_with_the_form(hub):
    _, response = local_login(hub, "prof", "prof-password-1")
    assert response.status_code == 302, response.text
    model = user(hub, "prof")
    assert model["groups"] == ["teachers"]
    assert "teacher" in model["roles"]


def test_wrong_local_password_is_refused_on_the_login_page(hub):
    _, response = local_login(hub, "eleve", "not-the-password")
    assert response.status_code == 403
    assert "login_error" in response.text


def test_a_role_that_no_longer_applies_is_removed(hub):
    assert (
        post(hub, consumer(hub, "ta-1", "TeachingAssistant").generate_launch_data()).status_code
        == 302
    )
    assert "teacher" in user(hub, "ta-1@moodle-test")["roles"]
    assert post(hub, consumer(hub, "ta-1", "Learner").generate_launch_data()).status_code == 302
    model = user(hub, "ta-1@moodle-test")
    assert model["groups"] == ["students"]
    assert "teacher" not in model["roles"]


def test_groups_and_admin_granted_by_hand_survive_a_login(hub):
    _, first = local_login(hub, "eleve", "eleve-password-1")
    assert first.status_code == 302
    assert hub.api("POST", "/groups/tutors", hub.token).status_code in (201, 409)
    added = hub.api("POST", "/groups/tutors/users", hub.token, json={"users": ["eleve"]})
    assert added.status_code == 200, added.text
    assert hub.api("PATCH", "/users/eleve", hub.token, json={"admin": True}).status_code == 200
    _, again = local_login(hub, "eleve", "eleve-password-1")
    assert again.status_code == 302
    model = user(hub, "eleve")
    assert "tutors" in model["groups"]
    assert model["admin"] is True


def test_login_page_may_be_framed_by_the_configured_lms_only(hub):
    response = requests.get(f"{hub.url}/hub/login")
    assert response.headers["Content-Security-Policy"] == (
        "frame-ancestors 'self' https://moodle.univ.fr"
    )

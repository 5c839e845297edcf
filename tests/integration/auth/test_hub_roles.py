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


def test_teacher_links_an_unlinked_activity_and_students_then_land_in_it(hub):
    teacher = requests.Session()
    data = consumer(
        hub, "t-link", "Instructor", resource_link_id="unlinked-1"
    ).generate_launch_data()
    launched = post(hub, data, session=teacher)
    assert launched.status_code == 302, launched.text
    choice = launched.headers["Location"]
    assert choice.startswith("/hub/lti/link?request=")
    page = teacher.get(f"{hub.url}{choice}").content.decode()
    assert 'value="python-l1"' in page and 'value="someone-else"' not in page
    fields = dict(re.findall(r'name="(_xsrf|request_id)" value="([^"]+)"', page))
    chosen = teacher.post(
        f"{hub.url}/hub/lti/link",
        data={**fields, "environment": "python-l1"},
        allow_redirects=False,
    )
    assert chosen.status_code == 302, chosen.text
    assert chosen.headers["Location"] == "/hub/spawn/t-link@moodle-test/python-l1"
    student = consumer(
        hub, "s-200", "Learner", resource_link_id="unlinked-1"
    ).generate_launch_data()
    response = post(hub, student)
    assert response.headers["Location"] == "/hub/spawn/s-200@moodle-test/python-l1"


def test_student_launching_an_unlinked_activity_goes_home(hub):
    data = consumer(hub, "s-201", "Learner", resource_link_id="unlinked-2").generate_launch_data()
    assert post(hub, data).headers["Location"] == "/hub/home"

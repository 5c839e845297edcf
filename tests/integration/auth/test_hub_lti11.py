"""LTI 1.1 launches signed by PyPI `lti`'s ToolConsumer, against a real hub."""

import os
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from conftest import LTI11_KEY, LTI11_SECRET
from lti import ToolConsumer
from sqlalchemy import func, select

from mydocker_hub import db
from mydocker_hub.auth.store import IdentityLink
from mydocker_hub.environments import StaticEnvironmentCatalog


def enrolled(hub, environment, user_name):
    db.configure(hub.db_url)
    return StaticEnvironmentCatalog().is_enrolled(environment, user_name)


def consumer(hub, user_id, roles, **extra):
    params = {
        "lti_message_type": "basic-lti-launch-request",
        "lti_version": "LTI-1p0",
        "resource_link_id": "activity-42",
        "context_id": "course-1",
        "user_id": user_id,
        "roles": roles,
        **extra,
    }
    return ToolConsumer(
        consumer_key=extra.pop("key", LTI11_KEY),
        consumer_secret=LTI11_SECRET,
        launch_url=f"{hub.url}/hub/lti/launch",
        params=params,
    )


def post(hub, data, session=None):
    session = session or requests.Session()
    return session.post(f"{hub.url}/hub/lti/launch", data=data, allow_redirects=False)


def user(hub, name):
    response = hub.api("GET", f"/users/{name}", hub.token)
    return response.json() if response.status_code == 200 else None


def test_student_launch_enrols_and_opens_the_linked_environment(hub):
    data = consumer(hub, "s-101", "Learner", custom_environment="intro").generate_launch_data()
    response = post(hub, data)
    assert response.status_code == 302, response.text
    assert response.headers["Location"] == "/hub/spawn/s-101@moodle-test/intro"
    model = user(hub, "s-101@moodle-test")
    assert model["groups"] == ["students"]
    assert model["admin"] is False
    assert enrolled(hub, "intro", "s-101@moodle-test")


def test_instructor_urn_role_makes_a_teacher_with_the_teacher_role(hub):
    data = consumer(hub, "t-7", "urn:lti:role:ims/lis/Instructor").generate_launch_data()
    response = post(hub, data)
    assert response.status_code == 302, response.text
    assert response.headers["Location"] == "/hub/home"
    model = user(hub, "t-7@moodle-test")
    assert model["groups"] == ["teachers"]
    assert "teacher" in model["roles"]


def test_replayed_launch_is_refused(hub):
    data = consumer(hub, "s-102", "Learner").generate_launch_data()
    assert post(hub, data).status_code == 302
    replay = post(hub, data)
    assert replay.status_code == 401
    assert "already used" in replay.text


def test_bad_signature_is_refused_and_creates_no_user(hub):
    data = consumer(hub, "intruder", "Learner").generate_launch_data()
    data["roles"] = ["Instructor"]
    response = post(hub, data)
    assert response.status_code == 401
    assert "signature does not match" in response.text
    assert user(hub, "intruder@moodle-test") is None


def test_launch_an_hour_old_says_the_clock_is_off_in_both_languages(hub):
    tool = consumer(hub, "late", "Learner")
    data = tool.generate_launch_data(timestamp=str(int(time.time()) - 3600))
    response = post(hub, data)
    assert response.status_code == 401
    assert "off by about 60 minutes" in response.text
    assert "décalée" in response.content.decode()
    assert user(hub, "late@moodle-test") is None


def test_custom_next_to_another_site_is_not_followed(hub):
    data = consumer(
        hub, "s-103", "Learner", custom_next="https://evil.example/"
    ).generate_launch_data()
    response = post(hub, data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/hub/home"


def test_unknown_environment_is_a_clear_404(hub):
    data = consumer(hub, "s-104", "Learner", custom_environment="nope").generate_launch_data()
    response = post(hub, data)
    assert response.status_code == 404
    assert "nope" in response.text


def test_a_students_first_launches_at_once_make_one_account_enrolled_once(hub):
    """A double click, or two tabs: the same first launch four times at once, each signed
    anew. Every one logs in, as the same account, linked and enrolled once."""
    launches = [
        consumer(hub, "s-twice", "Learner", custom_environment="intro").generate_launch_data()
        for _ in range(4)
    ]
    with ThreadPoolExecutor(4) as pool:
        responses = list(pool.map(lambda data: post(hub, data), launches))
    assert [r.status_code for r in responses] == [302] * 4, [r.text[:200] for r in responses]
    assert {r.headers["Location"] for r in responses} == {"/hub/spawn/s-twice@moodle-test/intro"}
    assert user(hub, "s-twice@moodle-test")["groups"] == ["students"]
    db.configure(hub.db_url)
    with db.session() as session:
        links = session.scalar(
            select(func.count()).where(IdentityLink.username == "s-twice@moodle-test")
        )
        enrolments = session.scalar(
            select(func.count()).where(
                db.Enrolment.user == "s-twice@moodle-test", db.Enrolment.environment == "intro"
            )
        )
    assert (links, enrolments) == (1, 1)


def test_a_class_launching_at_once_loses_no_launchs_changes(hub):
    """40 students' first launches, 20 at a time. The hub keeps one database session for
    every request: a launch that left its changes uncommitted while another request
    ended would see them rolled back (JupyterHub warns), and every user with it."""
    log_start = os.path.getsize(hub.log_path)
    students = [f"class-{n}" for n in range(40)]
    launches = [
        consumer(hub, student, "Learner", custom_environment="intro").generate_launch_data()
        for student in students
    ]
    with ThreadPoolExecutor(20) as pool:
        responses = list(pool.map(lambda data: post(hub, data), launches))
    assert [r.status_code for r in responses] == [302] * 40, [r.text[:200] for r in responses]
    with open(hub.log_path, errors="replace") as log:
        log.seek(log_start)
        rolled_back = [line for line in log if "Rolling back" in line]
    assert rolled_back == []
    for student in students:
        name = f"{student}@moodle-test"
        assert user(hub, name)["groups"] == ["students"], name
        assert enrolled(hub, "intro", name), name

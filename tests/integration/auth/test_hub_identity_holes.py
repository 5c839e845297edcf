"""One person, one account: the holes a review found, each tried on a real hub.

Launches come from a real LTI 1.1 consumer (PyPI `lti`) and a real LTI 1.3
platform (lti1p3platform), federation logins from a real OpenID provider.
"""

import requests
from lti_platform import INSTRUCTOR, LEARNER, launch
from test_hub_lti11 import consumer, enrolled, post
from test_hub_oidc import federation_login

from mydocker_hub import admin, db

INSTITUTION = "http://purl.imsglobal.org/vocab/lis/v2/institution/person"


def user(hub, name):
    response = hub.api("GET", f"/users/{name}", hub.token)
    return response.json() if response.status_code == 200 else None


def whoami(session, hub):
    response = session.get(f"{hub.url}/hub/api/user")
    return response.json()["name"] if response.status_code == 200 else None


# -- 1. no identity from custom parameters -------------------------------------------


def test_a_custom_email_parameter_does_not_log_in_as_someone_else(hub):
    url = hub.trusted_platform.prepare(
        "student-x", [LEARNER], custom={"email": "admin", "environment": "intro"}
    )
    session = requests.Session()
    response = launch(session, hub.trusted_platform, url)
    assert response.status_code == 302, response.text
    assert response.headers["Location"] == "/hub/spawn/student-x@trusted-lms/intro"
    assert whoami(session, hub) == "student-x@trusted-lms"
    assert user(hub, "student-x@trusted-lms")["admin"] is False


# -- 2. outside logins never land on a local account -----------------------------------


def test_a_federation_login_named_admin_does_not_get_the_admin_account(hub):
    claims = {"eduPersonPrincipalName": ["admin"], "eduPersonAffiliation": ["staff"]}
    session, response = federation_login(hub, "sub-fake-admin", claims)
    assert response.status_code == 403
    assert "without its domain" in response.content.decode()
    assert whoami(session, hub) is None


def test_a_local_account_is_reached_from_the_federation_only_once_an_admin_linked_it(hub):
    claims = {"eduPersonPrincipalName": ["marie@univ.fr"], "eduPersonAffiliation": ["student"]}
    session, response = federation_login(hub, "sub-marie", claims)
    assert response.status_code == 403
    assert "administrator must link" in response.content.decode()
    assert whoami(session, hub) is None
    db.configure(hub.db_url)
    admin.link_login("marie@univ.fr", "federation")
    session, response = federation_login(hub, "sub-marie", claims)
    assert response.status_code == 302, response.content.decode()[-1000:]
    assert whoami(session, hub) == "marie@univ.fr"
    # the federation says student: the local account's teacher role is not given to it
    model = user(hub, "marie@univ.fr")
    assert model["groups"] == ["students"]
    assert "teacher" not in model["roles"]


# -- 3. one person, one account ---------------------------------------------------------


def test_subjects_that_differ_only_by_case_are_two_people(hub):
    names = []
    for subject in ("CaSe-1", "case-1"):
        session = requests.Session()
        url = hub.platform.prepare(subject, [LEARNER])
        assert launch(session, hub.platform, url).status_code == 302
        names.append(whoami(session, hub))
    assert names == ["~43a~53e-1@lms", "case-1@lms"]


# -- 4. an LMS link cannot enrol students anywhere ---------------------------------------


def test_an_lti11_activity_cannot_enrol_in_another_teachers_environment(hub):
    data = consumer(
        hub, "s-401", "Learner", custom_environment="someone-else", context_id="course-401"
    ).generate_launch_data()
    response = post(hub, data)
    assert response.status_code == 403
    assert "no teacher of this course" in response.content.decode()
    assert not enrolled(hub, "someone-else", "s-401@moodle-test")


def test_an_lti11_activity_enrols_in_its_course_teachers_environment(hub):
    course = {"context_id": "course-402", "resource_link_id": "act-402"}
    student = consumer(hub, "s-402", "Learner", custom_environment="python-l1", **course)
    assert post(hub, student.generate_launch_data()).status_code == 403
    # t-link@moodle-test teaches python-l1 and opens an activity of the course
    teacher = consumer(hub, "t-link", "Instructor", **course)
    assert post(hub, teacher.generate_launch_data()).status_code == 302
    student = consumer(hub, "s-402", "Learner", custom_environment="python-l1", **course)
    response = post(hub, student.generate_launch_data())
    assert response.status_code == 302, response.text
    assert response.headers["Location"] == "/hub/spawn/s-402@moodle-test/python-l1"
    assert enrolled(hub, "python-l1", "s-402@moodle-test")
    # the same course still cannot enrol in an environment its teachers do not teach
    other = consumer(hub, "s-402", "Learner", custom_environment="someone-else", **course)
    assert post(hub, other.generate_launch_data()).status_code == 403


def test_an_institution_instructor_role_does_not_open_a_course_to_an_environment(hub):
    course = {"context_id": "course-403"}
    teacher = consumer(hub, "t-link", "urn:lti:instrole:ims/lis/Instructor", **course)
    assert post(hub, teacher.generate_launch_data()).status_code == 302
    student = consumer(hub, "s-403", "Learner", custom_environment="python-l1", **course)
    assert post(hub, student.generate_launch_data()).status_code == 403


def test_a_deep_linked_environment_opens_for_the_students_of_that_course_only(hub):
    teacher = requests.Session()
    url = hub.platform.prepare("teacher-1", [INSTRUCTOR], deep_linking=True, context="course-dl")
    picker = launch(teacher, hub.platform, url)
    assert picker.status_code == 200, picker.text
    link = {"environment": "python-l1"}
    url = hub.platform.prepare("student-dl", [LEARNER], custom=link, context="course-dl")
    landed = launch(requests.Session(), hub.platform, url)
    assert landed.status_code == 302, landed.text
    assert landed.headers["Location"] == "/hub/spawn/student-dl@lms/python-l1"
    url = hub.platform.prepare("student-dl", [LEARNER], custom=link, context="course-other")
    assert launch(requests.Session(), hub.platform, url).status_code == 403


# -- 5. roles per the LTI specs -----------------------------------------------------------

ROLE_CASES = {
    "lti11-institution-administrator": ("urn:lti:instrole:ims/lis/Administrator", "students"),
    "lti11-system-administrator": ("urn:lti:sysrole:ims/lis/Administrator", "students"),
    "lti11-learner-sub-role-instructor": ("urn:lti:role:ims/lis/Learner/Instructor", "students"),
    "lti11-instructor-sub-role": ("urn:lti:role:ims/lis/Instructor/Lecturer", "teachers"),
}


def test_only_context_roles_make_a_teacher_and_no_lms_makes_an_admin(hub):
    for index, (role, group) in enumerate(ROLE_CASES.values()):
        name = f"role-case-{index}"
        response = post(hub, consumer(hub, name, role).generate_launch_data())
        assert response.status_code == 302, (role, response.text)
        model = user(hub, f"{name}@moodle-test")
        assert (role, model["groups"], model["admin"]) == (role, [group], False)


def test_an_lti13_institution_instructor_is_a_student(hub):
    url = hub.platform.prepare("canvas-1", [f"{INSTITUTION}#Instructor", LEARNER])
    assert launch(requests.Session(), hub.platform, url).status_code == 302
    assert user(hub, "canvas-1@lms")["groups"] == ["students"]


# -- 6. roles reach JupyterHub whole --------------------------------------------------------


def test_logins_leave_no_role_without_scopes_warning(hub):
    post(hub, consumer(hub, "t-scopes", "Instructor").generate_launch_data())
    post(hub, consumer(hub, "s-scopes", "Learner").generate_launch_data())
    assert "will have no scopes" not in hub.logs(100000)

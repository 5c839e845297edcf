"""Names and LMS links recorded at real logins, and a local teacher equal to an LMS teacher.

Against the session's real hub (conftest): LTI 1.1 launches signed by PyPI `lti`,
LTI 1.3 launches from the `lti1p3platform` platform, federation logins through
oidc-provider-mock, local logins with the form, and `mydocker-hub add-user`'s
code path (`mydocker_hub.admin.add_user`) talking to the hub's REST API.
"""

import re

import pytest
import requests
from lti_platform import LEARNER, launch
from test_hub_lti11 import consumer, post
from test_hub_oidc import federation_login
from test_hub_roles import local_login, user

from mydocker_hub import admin, db
from mydocker_hub.auth.lti13 import CONTEXT, RESOURCE_LINK
from mydocker_hub.auth.store import display_name, display_names, lms_links_of


def name_of(hub, username):
    db.configure(hub.db_url)
    with db.session() as session:
        return display_name(session, username)


def link_of(hub, environment, resource_link_id):
    db.configure(hub.db_url)
    with db.session() as session:
        links = lms_links_of(session, environment)
    found = [link for link in links if link["resource_link_id"] == resource_link_id]
    return found[0] if found else None


# -- display names -----------------------------------------------------------------------


def test_an_lti11_launch_records_the_persons_name_and_a_new_one_replaces_it(hub):
    data = consumer(
        hub,
        "p-101",
        "Learner",
        custom_environment="intro",
        resource_link_id="act-people-1",
        lis_person_name_full="Marie\nCurie",
        lis_person_contact_email_primary="marie.curie@univ.fr",
    ).generate_launch_data()
    assert post(hub, data).status_code == 302
    assert name_of(hub, "p-101@moodle-test") == "Marie Curie"
    renamed = consumer(
        hub,
        "p-101",
        "Learner",
        resource_link_id="act-people-1",
        lis_person_name_given="Marie",
        lis_person_name_family="Skłodowska-Curie",
    ).generate_launch_data()
    assert post(hub, renamed).status_code == 302
    assert name_of(hub, "p-101@moodle-test") == "Marie Skłodowska-Curie"
    # a launch without a name leaves the known one
    anonymous = consumer(hub, "p-101", "Learner").generate_launch_data()
    assert post(hub, anonymous).status_code == 302
    assert name_of(hub, "p-101@moodle-test") == "Marie Skłodowska-Curie"


def test_a_name_from_the_lms_is_cleaned_and_capped(hub):
    data = consumer(
        hub, "p-102", "Learner", lis_person_name_full="Eve\u202e\x00" + "x" * 500
    ).generate_launch_data()
    assert post(hub, data).status_code == 302
    assert name_of(hub, "p-102@moodle-test") == "Eve " + "x" * 196


def test_an_lti13_launch_records_given_and_family_names(hub):
    # The test platform sends `name` (the user id): drop it, send the two parts.
    url = hub.platform.prepare(
        "p-13",
        [LEARNER],
        spoil={"drop": ["name"], "set": {"given_name": "Ada", "family_name": "Lovelace"}},
    )
    assert launch(requests.Session(), hub.platform, url).status_code == 302
    assert name_of(hub, "p-13@lms") == "Ada Lovelace"


def test_an_lti13_launch_records_the_name_claim(hub):
    url = hub.platform.prepare("p-14", [LEARNER], spoil={"set": {"name": "Grace Hopper"}})
    assert launch(requests.Session(), hub.platform, url).status_code == 302
    assert name_of(hub, "p-14@lms") == "Grace Hopper"


def test_a_federation_login_records_the_name(hub):
    claims = {
        "eduPersonPrincipalName": ["alan.turing@univ.fr"],
        "eduPersonAffiliation": ["student"],
        "given_name": "Alan",
        "family_name": "Turing",
    }
    _, response = federation_login(hub, "sub-alan", claims)
    assert response.status_code == 302, response.text
    assert name_of(hub, "alan.turing@univ.fr") == "Alan Turing"


def test_a_local_login_records_no_name(hub):
    _, response = local_login(hub, "eleve", "eleve-password-1")
    assert response.status_code == 302
    assert name_of(hub, "eleve") is None
    db.configure(hub.db_url)
    with db.session() as session:
        assert display_names(session, ["eleve", "p-13@lms"]) == {"p-13@lms": "Ada Lovelace"}


# -- LMS links -------------------------------------------------------------------------


def test_an_lti11_launch_into_an_environment_records_its_activity(hub):
    data = consumer(
        hub,
        "p-103",
        "Learner",
        custom_environment="intro",
        resource_link_id="act-link-11",
        context_id="course-links",
        context_title="Introduction (L1)",
        resource_link_title="Premier TP",
    ).generate_launch_data()
    response = post(hub, data)
    assert response.headers["Location"] == "/hub/spawn/p-103@moodle-test/intro"
    link = link_of(hub, "intro", "act-link-11")
    assert link is not None
    assert (link["source"], link["issuer"], link["context_id"]) == (
        "lti11",
        "moodle-test",
        "course-links",
    )
    assert (link["context_title"], link["resource_link_title"]) == (
        "Introduction (L1)",
        "Premier TP",
    )
    assert link["first_seen"] <= link["last_seen"]


def test_a_launch_that_opens_no_environment_records_no_link(hub):
    data = consumer(hub, "p-104", "Learner", resource_link_id="act-nowhere").generate_launch_data()
    assert post(hub, data).headers["Location"] == "/hub/home"
    db.configure(hub.db_url)
    with db.session() as session:
        for environment in ("intro", "python-l1", "someone-else"):
            ids = [link["resource_link_id"] for link in lms_links_of(session, environment)]
            assert "act-nowhere" not in ids


def test_an_lti13_launch_into_an_environment_records_its_activity(hub):
    spoil = {
        "set": {
            CONTEXT: {"id": "course-13", "title": "Algorithmique"},
            RESOURCE_LINK: {"id": "link-13", "title": "Notebook 2"},
        }
    }
    url = hub.platform.prepare("p-15", [LEARNER], custom={"environment": "intro"}, spoil=spoil)
    response = launch(requests.Session(), hub.platform, url)
    assert response.headers["Location"] == "/hub/spawn/p-15@lms/intro"
    link = link_of(hub, "intro", "link-13")
    assert (link["source"], link["issuer"], link["context_id"]) == ("lti13", "lms", "course-13")
    assert (link["context_title"], link["resource_link_title"]) == ("Algorithmique", "Notebook 2")


def test_a_teachers_choice_on_the_link_page_records_the_activity(hub):
    teacher = requests.Session()
    data = consumer(
        hub,
        "t-link",
        "Instructor",
        resource_link_id="unlinked-people",
        context_title="Python avancé",
        resource_link_title="Projet",
        lis_person_name_full="Jeanne Prof",
    ).generate_launch_data()
    launched = post(hub, data, session=teacher)
    choice = launched.headers["Location"]
    assert choice.startswith("/hub/lti/link?request="), choice
    page = teacher.get(f"{hub.url}{choice}").content.decode()
    fields = dict(re.findall(r'name="(_xsrf|request_id)" value="([^"]+)"', page))
    chosen = teacher.post(
        f"{hub.url}/hub/lti/link",
        data={**fields, "environment": "python-l1"},
        allow_redirects=False,
    )
    assert chosen.headers["Location"] == "/hub/spawn/t-link@moodle-test/python-l1"
    link = link_of(hub, "python-l1", "unlinked-people")
    assert (link["context_title"], link["resource_link_title"]) == ("Python avancé", "Projet")
    assert name_of(hub, "t-link@moodle-test") == "Jeanne Prof"


# -- one definition of a teacher ---------------------------------------------------------


@pytest.fixture
def hub_api(hub, monkeypatch):
    """The admin CLI's client of the hub's REST API (``mydocker-hub add-user``)."""
    monkeypatch.setattr(admin, "HUB_API", f"{hub.url}/hub/api")
    db.configure(hub.db_url)
    return admin.HubAPI(hub.token)


def groups_and_roles(model):
    return sorted(model["groups"]), sorted(model["roles"]), model["admin"]


def test_a_teacher_made_with_add_user_is_a_teacher_from_creation_like_an_lms_teacher(hub, hub_api):
    lms = consumer(hub, "t-same", "Instructor").generate_launch_data()
    assert post(hub, lms).status_code == 302
    lms_teacher = groups_and_roles(user(hub, "t-same@moodle-test"))
    assert lms_teacher == (["teachers"], ["teacher", "user"], False)

    name, password = admin.add_user("prof-cli", "teacher", hub_api)
    # before any login: the hub already gives the teacher role and group
    assert groups_and_roles(user(hub, name)) == lms_teacher
    _, response = local_login(hub, name, password)
    assert response.status_code == 302, response.text
    assert groups_and_roles(user(hub, name)) == lms_teacher


def test_a_student_made_with_add_user_is_a_student_like_an_lms_student(hub, hub_api):
    lms = consumer(hub, "s-same", "Learner").generate_launch_data()
    assert post(hub, lms).status_code == 302
    lms_student = groups_and_roles(user(hub, "s-same@moodle-test"))
    assert lms_student == (["students"], ["user"], False)
    name, password = admin.add_user("eleve-cli", "student", hub_api)
    assert groups_and_roles(user(hub, name)) == lms_student
    _, response = local_login(hub, name, password)
    assert response.status_code == 302
    assert groups_and_roles(user(hub, name)) == lms_student


def test_an_admin_made_with_add_user_is_an_admin_and_a_teacher(hub, hub_api):
    name, password = admin.add_user("boss-cli", "admin", hub_api)
    at_creation = groups_and_roles(user(hub, name))
    assert at_creation == (["teachers"], ["admin", "teacher", "user"], True)
    _, response = local_login(hub, name, password)
    assert response.status_code == 302
    assert groups_and_roles(user(hub, name)) == at_creation

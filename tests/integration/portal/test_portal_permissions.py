"""Who may do what in the portal: every endpoint × every kind of person, exact status codes.

Run against the real hub and the portal as its managed service: each person
logs in with the hub's login form and reaches the portal through the hub's
OAuth. Each case acts on an environment of its own (owned by ``prof``, with
``colview`` a view collaborator, ``coledit`` an edit collaborator, ``eleve``
enrolled), so that the cases do not depend on each other's changes.
"""

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from conftest import cases

from mydocker_hub import db
from mydocker_hub.portal.models import Collaborator, EnvironmentRecord, JoinLink, SessionRecord

PORTAL = "/services/mydocker/"

# (method, path, body): {ENV} is the case's environment, {NEW} a fresh name, {SESSION} and
# {TOKEN} the ids of its session and join link. Expected codes follow PEOPLE's order.
PAGES = {
    ("GET", "", None): (302, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "environments/", None): (302, 403, 403, 200, 200, 200, 200, 200),
    ("GET", "environments/new", None): (302, 403, 403, 200, 200, 200, 200, 200),
    ("POST", "environments/new", "new"): (403, 403, 403, 302, 302, 302, 302, 302),
    ("GET", "environments/{ENV}", None): (302, 403, 403, 200, 200, 200, 404, 200),
    ("GET", "environments/{ENV}/edit", None): (302, 403, 403, 200, 403, 200, 404, 200),
    ("POST", "environments/{ENV}/edit", "edit"): (403, 403, 403, 302, 403, 302, 404, 302),
    ("POST", "environments/{ENV}/duplicate", "duplicate"): (
        403,
        403,
        403,
        302,
        302,
        302,
        404,
        302,
    ),
    ("POST", "environments/{ENV}/archive", "empty"): (403, 403, 403, 302, 403, 403, 404, 302),
    ("POST", "environments/{ENV}/delete", "empty"): (403, 403, 403, 302, 403, 403, 404, 302),
    ("POST", "environments/{ENV}/sessions", "session"): (403, 403, 403, 302, 403, 302, 404, 302),
    ("POST", "environments/{ENV}/sessions/{SESSION}/delete", "empty"): (
        403,
        403,
        403,
        302,
        403,
        302,
        404,
        302,
    ),
    ("POST", "environments/{ENV}/collaborators", "collaborator"): (
        403,
        403,
        403,
        302,
        403,
        403,
        404,
        302,
    ),
    ("POST", "environments/{ENV}/collaborators/colview/delete", "empty"): (
        403,
        403,
        403,
        302,
        403,
        403,
        404,
        302,
    ),
    ("POST", "environments/{ENV}/join-link", "empty"): (403, 403, 403, 302, 403, 302, 404, 302),
    ("POST", "environments/{ENV}/servers/stop", "empty"): (403, 403, 403, 302, 403, 302, 404, 302),
    ("GET", "week", None): (302, 403, 403, 200, 200, 200, 200, 200),
    ("GET", "admin/activity", None): (302, 403, 403, 403, 403, 403, 403, 200),
    ("GET", "admin/activity?format=csv", None): (302, 403, 403, 403, 403, 403, 403, 200),
    ("GET", "admin/platform", None): (302, 403, 403, 403, 403, 403, 403, 200),
    ("GET", "join/{TOKEN}", None): (302, 302, 302, 302, 302, 302, 302, 302),
}
API = {
    ("GET", "api/environments", None): (403, 403, 403, 200, 200, 200, 200, 200),
    ("POST", "api/environments", "new"): (403, 403, 403, 201, 201, 201, 201, 201),
    ("GET", "api/environments/{ENV}", None): (403, 403, 403, 200, 200, 200, 404, 200),
    ("PATCH", "api/environments/{ENV}", "patch"): (
        403,
        403,
        403,
        200,
        403,
        200,
        404,
        200,
    ),
    ("DELETE", "api/environments/{ENV}", None): (403, 403, 403, 204, 403, 403, 404, 204),
    ("POST", "api/environments/{ENV}/duplicate", "duplicate"): (
        403,
        403,
        403,
        201,
        201,
        201,
        404,
        201,
    ),
    ("POST", "api/environments/{ENV}/archive", "empty"): (403, 403, 403, 200, 403, 403, 404, 200),
    ("GET", "api/environments/{ENV}/sessions", None): (403, 403, 403, 200, 200, 200, 404, 200),
    ("POST", "api/environments/{ENV}/sessions", "session"): (
        403,
        403,
        403,
        201,
        403,
        201,
        404,
        201,
    ),
    ("DELETE", "api/environments/{ENV}/sessions/{SESSION}", None): (
        403,
        403,
        403,
        204,
        403,
        204,
        404,
        204,
    ),
    ("PUT", "api/environments/{ENV}/collaborators/autreprof", "permission"): (
        403,
        403,
        403,
        200,
        403,
        403,
        404,
        200,
    ),
    ("DELETE", "api/environments/{ENV}/collaborators/colview", None): (
        403,
        403,
        403,
        204,
        403,
        403,
        404,
        204,
    ),
    ("POST", "api/environments/{ENV}/join-link", "empty"): (403, 403, 403, 201, 403, 201, 404, 201),
    ("GET", "api/environments/{ENV}/servers", None): (403, 403, 403, 200, 200, 200, 404, 200),
    ("DELETE", "api/environments/{ENV}/servers", None): (403, 403, 403, 202, 403, 202, 404, 202),
    ("GET", "api/week", None): (403, 403, 403, 200, 200, 200, 200, 200),
    ("GET", "api/activity", None): (403, 403, 403, 403, 403, 403, 403, 200),
    ("GET", "api/me/environments", None): (403, 200, 200, 200, 200, 200, 200, 200),
    # always the caller's own start: nobody's here, so each gets the "gone" event
    ("GET", "api/me/environments/{ENV}/progress", None): (
        403,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
    ),
    # one student's server: nobody runs one, said once access is granted
    ("GET", "api/environments/{ENV}/servers/eleve", None): (
        403,
        403,
        403,
        404,
        404,
        404,
        404,
        404,
    ),
}

_names = (f"m{n}" for n in itertools.count())


def make_environment():
    """A fresh environment with a session and a join link; its name and their ids."""
    name = next(_names)
    now = datetime.now(UTC)
    with db.session() as session:
        row = EnvironmentRecord(name=name, title=name, image="img:1", status="READY", owner="prof")
        row.collaborators = [
            Collaborator(username="colview", permission="view"),
            Collaborator(username="coledit", permission="edit"),
        ]
        row.sessions = [
            SessionRecord(
                start=now + timedelta(days=1),
                end=now + timedelta(days=1, hours=2),
                timezone="Europe/Paris",
                expected_students=3,
            )
        ]
        row.join_links = [JoinLink(token=f"tok-{name}", created_by="prof")]
        session.add(row)
        session.flush()
        session_id = row.sessions[0].id
        db.Enrolment.add(session, name, "eleve")
    return name, session_id, f"tok-{name}"


def body_for(kind, name):
    """The form or JSON body of a case (a valid one: only permissions may refuse it)."""
    new = next(_names)
    if kind == "new":
        return {"name": new, "image": "img:1", "mem_limit": "1G", "cpu_limit": "1"}
    if kind == "edit":
        return {
            "title": "Edited",
            "image": "img:1",
            "mem_limit": "1G",
            "cpu_limit": "1",
            "version": "1",
        }
    if kind == "duplicate":
        return {"new_name": new, "name": new}
    if kind == "collaborator":
        return {"username": "autreprof", "permission": "view"}
    if kind == "patch":
        return {"title": "T", "version": 1}
    if kind == "permission":
        return {"permission": "edit"}
    if kind == "empty":
        return {}
    if kind == "session":
        return {
            "start": "2099-01-05T10:00",
            "end": "2099-01-05T12:00",
            "timezone": "Europe/Paris",
            "expected_students": "5",
        }
    raise ValueError(kind)


def send(hub, people, method, path, body, person, *, json_api):
    name, session_id, token = make_environment()
    url = hub.url + PORTAL + path.format(ENV=name, SESSION=session_id, TOKEN=token)
    data = body_for(body, name) if body is not None else None
    session = people[person]
    if json_api:
        if isinstance(data, dict) and body == "duplicate":
            data = {"name": data["name"]}
        headers = {"X-XSRFToken": session.xsrf} if session.xsrf else {}
        return session.request(method, url, json=data, headers=headers, allow_redirects=False)
    if method == "POST":
        data = {**(data or {}), "_xsrf": session.xsrf}
    return session.request(method, url, data=data, allow_redirects=False)


@pytest.mark.parametrize(("method", "path", "body", "person", "code"), cases(PAGES))
def test_page_permissions(hub, people, method, path, body, person, code):
    response = send(hub, people, method, path, body, person, json_api=False)
    assert response.status_code == code, response.text[-600:]
    assert "Traceback" not in response.text


@pytest.mark.parametrize(("method", "path", "body", "person", "code"), cases(API))
def test_api_permissions(hub, people, method, path, body, person, code):
    response = send(hub, people, method, path, body, person, json_api=True)
    assert response.status_code == code, response.text[-600:]
    if code >= 400:
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.json()["status"] == code

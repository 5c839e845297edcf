"""Who may do what with images and builds: every endpoint × every kind of person, exact codes.

As `test_portal_permissions` for environments, against the real hub and the
portal as its service. Each case acts on an image of its own, owned by
``prof`` (``colview`` may view it, ``coledit`` may edit it), with an OK build
#1 (and a build #2 still waiting, to cancel). Its Dockerfile starts from an image the
platform does not offer, so that a permitted build request is refused for
that reason (400) rather than run: what runs a build is tested in
`tests/integration/test_portal_builds.py`.
"""

import io
import itertools
import zipfile

import pytest
from conftest import cases

from mydocker_hub import db
from mydocker_hub.portal.image_models import OK, QUEUED, BuildRecord, ImageCollaborator, ImageRecord

PORTAL = "/services/mydocker/"

TEACHERS_ONLY_PAGE = (302, 403, 403, 200, 200, 200, 200, 200)
SEE_PAGE = (302, 403, 403, 200, 200, 200, 404, 200)
EDIT_FORM = (403, 403, 403, 302, 403, 302, 404, 302)
OWN_FORM = (403, 403, 403, 302, 403, 403, 404, 302)
PAGES = {
    ("GET", "images/", None): TEACHERS_ONLY_PAGE,
    ("GET", "images/new", None): TEACHERS_ONLY_PAGE,
    ("POST", "images/new", "new"): (403, 403, 403, 302, 302, 302, 302, 302),
    ("GET", "images/{IMG}", None): SEE_PAGE,
    ("POST", "images/{IMG}", "edit"): EDIT_FORM,
    ("POST", "images/{IMG}/builds", "empty"): (403, 403, 403, 400, 403, 400, 404, 400),
    ("GET", "images/{IMG}/builds/1", None): SEE_PAGE,
    ("POST", "images/{IMG}/builds/2/cancel", "empty"): EDIT_FORM,
    ("POST", "images/{IMG}/builds/1/test", "empty"): (403, 403, 403, 302, 302, 302, 404, 302),
    ("POST", "images/{IMG}/collaborators", "collaborator"): OWN_FORM,
    ("POST", "images/{IMG}/collaborators/colview/delete", "empty"): OWN_FORM,
    ("POST", "images/{IMG}/delete", "empty"): OWN_FORM,
}
SEE = (403, 403, 403, 200, 200, 200, 404, 200)
API = {
    ("GET", "api/images", None): (403, 403, 403, 200, 200, 200, 200, 200),
    ("POST", "api/images", "new"): (403, 403, 403, 201, 201, 201, 201, 201),
    ("GET", "api/images/{IMG}", None): SEE,
    ("PATCH", "api/images/{IMG}", "patch"): (403, 403, 403, 200, 403, 200, 404, 200),
    ("DELETE", "api/images/{IMG}", None): (403, 403, 403, 204, 403, 403, 404, 204),
    ("GET", "api/images/{IMG}/context", None): SEE,
    ("PUT", "api/images/{IMG}/context", "zip"): (403, 403, 403, 200, 403, 200, 404, 200),
    ("PUT", "api/images/{IMG}/collaborators/autreprof", "permission"): (
        403,
        403,
        403,
        200,
        403,
        403,
        404,
        200,
    ),
    ("DELETE", "api/images/{IMG}/collaborators/colview", None): (
        403,
        403,
        403,
        204,
        403,
        403,
        404,
        204,
    ),
    ("GET", "api/images/{IMG}/builds", None): SEE,
    ("POST", "api/images/{IMG}/builds", "empty"): (403, 403, 403, 400, 403, 400, 404, 400),
    ("GET", "api/images/{IMG}/builds/1", None): SEE,
    ("GET", "api/images/{IMG}/builds/1/log", None): SEE,
    ("POST", "api/images/{IMG}/builds/2/cancel", "empty"): (
        403,
        403,
        403,
        202,
        403,
        202,
        404,
        202,
    ),
    ("POST", "api/images/{IMG}/builds/1/test", "empty"): SEE,
}

_names = (f"i{n}" for n in itertools.count())
DOCKERFILE = "FROM not-offered:1\nUSER student\n"


def make_image(waiting):
    """A fresh image of ``prof``, shared, with an OK build #1 (and a `waiting` build #2)."""
    name = next(_names)
    with db.session() as session:
        row = ImageRecord(name=name, owner="prof", dockerfile=DOCKERFILE, description="")
        row.collaborators = [
            ImageCollaborator(username="colview", permission="view"),
            ImageCollaborator(username="coledit", permission="edit"),
        ]
        row.builds = [
            BuildRecord(
                number=1,
                status=OK,
                started_by="prof",
                tag=f"mydocker/{name}:1",
                log="Step 1/2 : FROM img:1\n",
            ),
        ]
        if waiting:  # a build under way: the image cannot be deleted meanwhile
            row.builds.append(
                BuildRecord(number=2, status=QUEUED, started_by="prof", tag=f"mydocker/{name}:2")
            )
        session.add(row)
    return name


def a_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("course/notes.md", "# Notes\n")
    return buffer.getvalue()


def body_for(kind):
    """The form or JSON body of a case (a valid one: only permissions may refuse it)."""
    if kind == "new":
        return {"name": next(_names), "dockerfile": DOCKERFILE}
    if kind == "edit":
        return {"description": "Edited", "dockerfile": DOCKERFILE, "version": "1"}
    if kind == "patch":
        return {"description": "Edited", "version": 1}
    if kind == "collaborator":
        return {"username": "autreprof", "permission": "view"}
    if kind == "permission":
        return {"permission": "edit"}
    if kind == "empty":
        return {}
    raise ValueError(kind)


def send(hub, people, method, path, body, person, *, json_api):
    url = hub.url + PORTAL + path.format(IMG=make_image(waiting="cancel" in path))
    session = people[person]
    headers = {"X-XSRFToken": session.xsrf} if session.xsrf else {}
    if body == "zip":
        return session.request(method, url, data=a_zip(), headers=headers, allow_redirects=False)
    data = body_for(body) if body is not None else None
    if json_api:
        return session.request(method, url, json=data, headers=headers, allow_redirects=False)
    if method == "POST":
        data = {**(data or {}), "_xsrf": session.xsrf}
    return session.request(method, url, data=data, allow_redirects=False)


@pytest.mark.parametrize(("method", "path", "body", "person", "code"), cases(PAGES))
def test_image_page_permissions(hub, people, method, path, body, person, code):
    response = send(hub, people, method, path, body, person, json_api=False)
    assert response.status_code == code, response.text[-600:]
    assert "Traceback" not in response.text


@pytest.mark.parametrize(("method", "path", "body", "person", "code"), cases(API))
def test_image_api_permissions(hub, people, method, path, body, person, code):
    response = send(hub, people, method, path, body, person, json_api=True)
    assert response.status_code == code, response.text[-600:]
    if code >= 400:
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.json()["status"] == code

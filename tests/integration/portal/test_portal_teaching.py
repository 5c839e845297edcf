"""A teacher's work in the portal, on the real hub: forms, conflicts, servers, join links, scripts.

The hub runs JupyterHub's simple spawner with a stand-in server (see
conftest.py): enough for servers to run, be listed and be stopped.
"""

import html
import re
import time
from datetime import UTC, datetime, timedelta

import requests
from portal_login import login

from mydocker_hub import db
from mydocker_hub.auth import store as people
from mydocker_hub.portal.models import JoinLink

PORTAL = "/services/mydocker/"


def xsrf_of(page):
    return re.search(r'name="_xsrf" value="([^"]+)"', page).group(1)


def teacher_session(hub, name="prof"):
    session = login(hub, name, f"{name}-password-1")
    session.xsrf = xsrf_of(session.get(f"{hub.url}{PORTAL}environments/new").text)
    return session


def create(hub, session, name, **fields):
    data = {"_xsrf": session.xsrf, "name": name, "title": name.title(), "image": "img:1"}
    data.update(cpu_limit="1", mem_limit="1G", status="READY", home_volume="on", **fields)
    response = session.post(f"{hub.url}{PORTAL}environments/new", data=data)
    assert response.status_code == 200, response.text[-800:]
    return response


def api(hub, session, method, path, **kwargs):
    headers = {"X-XSRFToken": session.xsrf}
    return session.request(method, f"{hub.url}{PORTAL}api/{path}", headers=headers, **kwargs)


def test_a_wrong_form_says_what_is_wrong_next_to_each_field_and_keeps_what_was_typed(hub):
    prof = teacher_session(hub)
    response = prof.post(
        f"{hub.url}{PORTAL}environments/new",
        data={
            "_xsrf": prof.xsrf,
            "name": "Bad Name!",
            "title": "Mon cours <b>",
            "image": "img:1",
            "cpu_limit": "500",
            "mem_limit": "lots",
            "idle_minutes": "60",
        },
    )
    assert response.status_code == 400
    page = response.text
    errors = {f: html.unescape(m) for f, m in re.findall(r'data-field="([a-z_]+)">([^<]+)<', page)}
    assert errors == {
        "name": "Use 1 to 30 characters: lowercase letters, digits and '-', "
        "starting with a letter or digit.",
        "cpu_limit": "Give a number of CPUs between 0.1 and 64.",
        "mem_limit": "Give a size such as 512M or 2G.",
    }
    assert 'value="Mon cours &lt;b&gt;"' in page  # kept, escaped
    assert 'value="lots"' in page
    assert "Traceback" not in page
    # nothing was written
    listing = api(hub, prof, "GET", "environments").json()["environments"]
    assert "bad name!" not in {e["name"] for e in listing}


def test_the_form_speaks_french_to_a_french_browser(hub):
    prof = teacher_session(hub)
    prof.headers["Accept-Language"] = "fr-FR,fr;q=0.9"
    response = prof.post(
        f"{hub.url}{PORTAL}environments/new",
        data={"_xsrf": prof.xsrf, "name": "x", "image": "nope", "mem_limit": "1G"},
    )
    assert response.status_code == 400
    assert "Choisissez une des images proposées." in response.text
    assert '<html lang="fr">' in response.text


def test_two_teachers_editing_at_once_do_not_overwrite_each_other(hub):
    prof = teacher_session(hub)
    create(hub, prof, "conflict-env")
    api(
        hub,
        prof,
        "PUT",
        "environments/conflict-env/collaborators/coledit",
        json={"permission": "edit"},
    )
    coledit = teacher_session(hub, "coledit")
    version = api(hub, prof, "GET", "environments/conflict-env").json()["version"]

    first = api(
        hub,
        prof,
        "PATCH",
        "environments/conflict-env",
        json={"title": "By prof", "version": version},
    )
    assert first.status_code == 200
    assert first.json()["version"] == version + 1
    second = coledit.post(
        f"{hub.url}{PORTAL}environments/conflict-env/edit",
        data={
            "_xsrf": coledit.xsrf,
            "title": "By coledit",
            "image": "img:1",
            "mem_limit": "1G",
            "cpu_limit": "1",
            "version": str(version),
        },
    )
    assert second.status_code == 400
    assert "Someone saved this environment while you were editing it." in second.text
    assert 'value="By coledit"' in second.text  # their typing is kept
    stale = api(
        hub,
        coledit,
        "PATCH",
        "environments/conflict-env",
        json={"title": "Stale", "version": version},
    )
    assert stale.status_code == 409
    assert stale.json()["version"] == version + 1
    assert api(hub, prof, "GET", "environments/conflict-env").json()["title"] == "By prof"


def wait_for_server(session, hub, user, environment, ready=True, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        servers = api(hub, session, "GET", f"environments/{environment}/servers").json()
        found = [s for s in servers["servers"] if s["user"] == user]
        if bool(found and found[0]["ready"]) == ready and (ready or not found):
            return found
        time.sleep(0.3)
    raise AssertionError(f"{user}/{environment} did not become ready={ready}:\n{hub.logs(40)}")


def test_a_teacher_sees_a_students_server_stops_it_and_may_then_delete(hub):
    prof = teacher_session(hub)
    create(hub, prof, "served-env", public="on")
    student = login(hub, "autre", "autre-password-1")
    assert (
        student.get(f"{hub.url}/hub/spawn/autre/served-env", allow_redirects=False).status_code
        == 302
    )
    [server] = wait_for_server(prof, hub, "autre", "served-env")
    assert server["started"]

    page = prof.get(f"{hub.url}{PORTAL}environments/served-env").text
    assert 'data-user="autre"' in page
    refused = api(hub, prof, "DELETE", "environments/served-env")
    assert refused.status_code == 409
    assert refused.json()["message"] == "Stop the running servers first: autre."

    stopped = prof.post(
        f"{hub.url}{PORTAL}environments/served-env/servers/autre/stop", data={"_xsrf": prof.xsrf}
    )
    assert stopped.status_code == 200
    assert stopped.url.endswith("/environments/served-env#servers")  # back on its page
    wait_for_server(prof, hub, "autre", "served-env", ready=False)
    assert api(hub, prof, "DELETE", "environments/served-env").status_code == 204
    assert api(hub, prof, "GET", "environments/served-env").status_code == 404


def test_a_join_link_enrols_and_starts_and_an_old_or_expired_one_says_why(hub):
    prof = teacher_session(hub)
    create(hub, prof, "joined-env")
    made = prof.post(
        f"{hub.url}{PORTAL}environments/joined-env/join-link",
        data={"_xsrf": prof.xsrf, "expires_in_days": "7"},
    )
    page = made.text
    first_url = re.search(
        r'class="form-control mydocker-join-url" id="join-url" readonly '
        r'value="([^"]+)"',
        page,
    ).group(1)
    assert "Works until" in page

    student = login(hub, "autre", "autre-password-1")
    before = student.get(f"{hub.url}{PORTAL}").text
    assert 'data-environment="joined-env"' not in before
    joined = student.get(first_url, allow_redirects=False)
    assert joined.status_code == 302
    assert joined.headers["Location"] == "/hub/spawn/autre/joined-env"
    assert 'data-environment="joined-env"' in student.get(f"{hub.url}{PORTAL}").text

    # regenerating: the old link stops working, with a reason the student can act on
    prof.post(f"{hub.url}{PORTAL}environments/joined-env/join-link", data={"_xsrf": prof.xsrf})
    old = student.get(first_url)
    assert old.status_code == 404
    assert "This join link does not work: ask your teacher for a new one." in old.text
    with db.session() as session:
        link = (
            session.query(JoinLink)
            .filter_by(created_by="prof")
            .order_by(JoinLink.created.desc())
            .first()
        )
        link.expires = datetime.now(UTC) - timedelta(minutes=1)
        token = link.token
    expired = student.get(f"{hub.url}{PORTAL}join/{token}")
    assert expired.status_code == 410
    assert "This join link has expired" in expired.text
    student.delete(f"{hub.url}/hub/api/users/autre/servers/joined-env")


def test_someone_not_logged_in_logs_in_then_joins(hub):
    prof = teacher_session(hub)
    create(hub, prof, "login-join")
    link = api(hub, prof, "POST", "environments/login-join/join-link", json={}).json()
    visitor = requests.Session()
    login_page = visitor.get(link["url"])
    assert "/hub/login" in login_page.url  # the hub's login, with the way back
    response = visitor.post(
        login_page.url,
        data={
            "username": "eleve",
            "password": "eleve-password-1",
            "_xsrf": xsrf_of(login_page.text),
        },
        allow_redirects=False,
    )
    for _ in range(10):  # login, OAuth, the join link, then the start of the environment
        location = response.headers["Location"]
        if location.startswith("/hub/spawn/"):
            break
        response = visitor.get(
            hub.url + location if location.startswith("/") else location, allow_redirects=False
        )
    assert location == "/hub/spawn/eleve/login-join"


def test_a_teachers_api_token_works_from_a_script_and_a_narrower_token_does_not(hub):
    scopes = ["custom:mydocker:environments:write", "access:services!service=mydocker"]
    wide = hub.api("POST", "/users/prof/tokens", hub.token, json={"scopes": scopes}).json()
    narrow = hub.api(
        "POST",
        "/users/prof/tokens",
        hub.token,
        json={"scopes": ["access:services!service=mydocker"]},
    ).json()
    body = {"name": "from-script", "image": "img:1", "mem_limit": "1G", "cpu_limit": 2}
    url = f"{hub.url}{PORTAL}api/environments"
    created = requests.post(url, json=body, headers={"Authorization": f"token {wide['token']}"})
    assert created.status_code == 201, created.text
    assert created.json()["owner"] == "prof"
    assert created.json()["cpu_limit"] == 2
    refused = requests.post(
        url, json={**body, "name": "nope"}, headers={"Authorization": f"token {narrow['token']}"}
    )
    assert refused.status_code == 403
    assert refused.json()["error"] == "error_teachers_only"


def test_an_edit_says_it_applies_at_the_next_start(hub):
    prof = teacher_session(hub)
    create(hub, prof, "edited-env")
    form = prof.get(f"{hub.url}{PORTAL}environments/edited-env/edit").text
    assert "running servers keep their settings until they stop" in form
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    saved = prof.post(
        f"{hub.url}{PORTAL}environments/edited-env/edit",
        data={
            "_xsrf": prof.xsrf,
            "title": "New title",
            "image": "img:1",
            "mem_limit": "2G",
            "cpu_limit": "1",
            "version": version,
        },
    )
    assert saved.status_code == 200
    assert "Saved. Running servers keep their settings until their next start." in saved.text
    assert "New title" in saved.text


def test_a_session_shows_its_capacity_and_warns_when_overbooked(platform, hub):
    # `platform` starts Docker and the Swarm, whose nodes the portal reads (the hub has none).
    prof = teacher_session(hub)
    create(hub, prof, "big-class", mem_reservation="1G", cpu_reservation="1")
    planned = prof.post(
        f"{hub.url}{PORTAL}environments/big-class/sessions",
        data={
            "_xsrf": prof.xsrf,
            "start": "2099-02-02T08:00",
            "end": "2099-02-02T10:00",
            "timezone": "Europe/Paris",
            "expected_students": "100000",
        },
    )
    assert planned.status_code == 400  # more students than a session may expect
    assert "Give a number of students between 0 and 2000." in planned.text
    planned = prof.post(
        f"{hub.url}{PORTAL}environments/big-class/sessions",
        data={
            "_xsrf": prof.xsrf,
            "start": "2099-02-02T08:00",
            "end": "2099-02-02T10:00",
            "timezone": "Europe/Paris",
            "expected_students": "2000",
        },
    )
    assert planned.status_code == 200
    sessions = api(hub, prof, "GET", "environments/big-class/sessions").json()["sessions"]
    assert sessions[0]["start"] == "2099-02-02T08:00:00+01:00"
    assert sessions[0]["capacity"]["cpus"] == 2000.0
    assert sessions[0]["capacity"]["known"] is True
    assert sessions[0]["capacity"]["overbooked"] is True
    assert "mydocker-overbooked" in planned.text


def test_my_environments_passes_on_the_progress_of_my_own_start_only(hub):
    student = login(hub, "eleve", "eleve-password-1")
    page = student.get(f"{hub.url}{PORTAL}").text
    student.xsrf = xsrf_of(page)
    nothing = api(hub, student, "GET", "me/environments/intro/progress", timeout=30)
    assert nothing.status_code == 200
    assert nothing.text == "event: gone\ndata: 404\n\n"  # no server: the page reads its state

    assert student.get(f"{hub.url}/hub/spawn/eleve/intro", allow_redirects=False).status_code == 302
    stream = api(hub, student, "GET", "me/environments/intro/progress", timeout=60)
    assert stream.headers["Content-Type"] == "text/event-stream"
    events = [line.removeprefix("data: ") for line in stream.text.splitlines() if line]
    assert '"ready": true' in events[-1], stream.text
    # the stream is always of the caller's own server: another student sees none
    other = login(hub, "autre", "autre-password-1")
    other.xsrf = xsrf_of(other.get(f"{hub.url}{PORTAL}").text)
    assert api(hub, other, "GET", "me/environments/intro/progress", timeout=30).text.startswith(
        "event: gone"
    )
    student.delete(
        f"{hub.url}/hub/api/users/eleve/servers/intro", headers={"Referer": f"{hub.url}/hub/"}
    )


def test_the_other_forms_keep_what_was_typed_and_say_what_is_wrong_next_to_it(hub):
    prof = teacher_session(hub)
    create(hub, prof, "forms-env")
    session = prof.post(
        f"{hub.url}{PORTAL}environments/forms-env/sessions",
        data={
            "_xsrf": prof.xsrf,
            "start": "2099-02-02T10:00",
            "end": "2099-02-02T09:00",
            "timezone": "Europe/Paris",
            "expected_students": "12",
            "stop_at_end": "on",
        },
    )
    assert session.status_code == 400
    page = session.text
    assert re.search(r'data-field="end">The session must end after it starts.<', page)
    assert 'name="start" value="2099-02-02T10:00"' in page
    assert 'name="expected_students" value="12"' in page
    assert re.search(r'id="stop_at_end" name="stop_at_end" checked', page)

    colleague = prof.post(
        f"{hub.url}{PORTAL}environments/forms-env/collaborators",
        data={"_xsrf": prof.xsrf, "username": "nobody-here", "permission": "edit"},
    )
    assert colleague.status_code == 400
    assert 'data-field="username">Nobody has this user name on the platform' in colleague.text
    assert 'name="username" value="nobody-here"' in colleague.text
    link = prof.post(
        f"{hub.url}{PORTAL}environments/forms-env/join-link",
        data={"_xsrf": prof.xsrf, "expires_in_days": "400"},
    )
    assert link.status_code == 400
    assert 'data-field="expires_in_days">Give a number of days between 1 and 366.<' in link.text
    # nothing was written by the three wrong forms
    view = api(hub, prof, "GET", "environments/forms-env").json()
    assert (view["sessions"], view["collaborators"], view["join_link"]) == ([], [], None)


def test_people_show_with_the_name_their_login_gave(hub):
    prof = teacher_session(hub)
    create(hub, prof, "names-env")
    with db.session() as session:
        db.Enrolment.add(session, "names-env", "eleve")
        people.record_person(session, "eleve", "Élise Durand")
    page = prof.get(f"{hub.url}{PORTAL}environments/names-env").text
    assert 'Élise Durand <span class="text-muted">(eleve)</span>' in page
    student = login(hub, "eleve", "eleve-password-1")
    header = student.get(f"{hub.url}{PORTAL}").text
    assert '<span class="me-1" title="eleve">Élise Durand</span>' in header

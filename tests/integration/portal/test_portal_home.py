"""My environments on a real hub, the portal running as a Hub-managed service."""

import re
import time

import requests
from portal_login import login

PORTAL = "/services/mydocker/"


def environments_on(page):
    return re.findall(r'data-environment="([^"]+)"', page)


def xsrf_of(page):
    return re.search(r'name="_xsrf" value="([^"]+)"', page).group(1)


def test_student_sees_exactly_the_environments_they_may_start_in_english(hub, student):
    response = student.get(f"{hub.url}{PORTAL}")
    assert response.status_code == 200, response.text
    assert response.url == f"{hub.url}{PORTAL}"
    page = response.text
    # public (intro, xss) and enrolled (python-l1); not another's, a draft or an archived one
    assert environments_on(page) == ["python-l1", "intro", "xss"]
    assert "My environments" in page
    assert 'lang="en"' in page
    assert 'href="/hub/spawn/eleve/intro">Start</a>' in page
    assert "Next session: Tuesday 3 March 2099, 14:00–16:00 (Europe/Paris)" in page
    assert 'id="jupyterhub-logo"' in page  # the hub's own header


def test_student_sees_french_with_accept_language_fr(hub):
    session = login(hub, "eleve", "eleve-password-1", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    page = session.get(f"{hub.url}{PORTAL}").text
    assert environments_on(page) == ["python-l1", "intro", "xss"]
    assert "Mes environnements" in page
    assert "Démarrer" in page
    assert "Prochaine séance : mardi 3 mars 2099, 14:00–16:00 (Europe/Paris)" in page
    assert "My environments" not in page
    assert 'lang="fr"' in page


def test_the_language_switch_wins_over_the_browser(hub):
    session = login(hub, "eleve", "eleve-password-1", headers={"Accept-Language": "en"})
    page = session.get(f"{hub.url}{PORTAL}").text
    switched = session.post(
        f"{hub.url}{PORTAL}language", data={"lang": "fr", "_xsrf": xsrf_of(page)}
    )
    assert switched.status_code == 200
    assert switched.url == f"{hub.url}{PORTAL}"
    assert "Mes environnements" in switched.text
    back = session.post(
        f"{hub.url}{PORTAL}language", data={"lang": "en", "_xsrf": xsrf_of(switched.text)}
    )
    assert "My environments" in back.text


def test_a_form_without_its_xsrf_token_is_refused_with_a_clear_page(hub, student):
    student.get(f"{hub.url}{PORTAL}")
    response = student.post(f"{hub.url}{PORTAL}language", data={"lang": "fr"})
    assert response.status_code == 403
    assert "Traceback" not in response.text
    assert 'class="alert alert-danger mydocker-error"' in response.text
    assert f'href="{PORTAL}">Back to my environments</a>' in response.text


def test_an_unknown_page_says_so_once_with_a_way_back(hub, student):
    student.get(f"{hub.url}{PORTAL}")
    response = student.get(f"{hub.url}{PORTAL}nothing-here")
    assert response.status_code == 404
    assert response.text.count("There is no such page.") == 1
    assert "moons" not in response.text
    assert f'href="{PORTAL}">Back to my environments</a>' in response.text


def test_anonymous_is_sent_to_the_hub_login(hub):
    response = requests.get(f"{hub.url}{PORTAL}", allow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/hub/api/oauth2/authorize?")
    landed = requests.get(f"{hub.url}{PORTAL}")
    assert landed.url.startswith(f"{hub.url}/hub/login?next=")
    assert 'id="login-main"' in landed.text


def test_logging_in_and_the_hub_home_lead_to_my_environments(hub):
    session = requests.Session()
    page = session.get(f"{hub.url}/hub/login").text
    response = session.post(
        f"{hub.url}/hub/login",
        data={"username": "autre", "password": "autre-password-1", "_xsrf": xsrf_of(page)},
        allow_redirects=False,
    )
    assert response.headers["Location"] == PORTAL
    home = session.get(f"{hub.url}/hub/home")
    assert home.status_code == 200
    assert f'<meta http-equiv="refresh" content="0; url={PORTAL}">' in home.text
    assert "Start My Server" not in home.text
    mine = session.get(f"{hub.url}{PORTAL}")
    assert mine.status_code == 200
    # not enrolled in anything: the public environments only
    assert environments_on(mine.text) == ["intro", "xss"]


def test_a_teacher_sees_their_draft_environment(hub):
    teacher = login(hub, "prof", "prof-password-1")
    page = teacher.get(f"{hub.url}{PORTAL}").text
    assert environments_on(page) == ["python-l1", "draft-env", "intro", "xss"]
    assert "Draft: only teachers see it" in page


def test_an_environment_title_is_escaped(hub, student):
    page = student.get(f"{hub.url}{PORTAL}").text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "&lt;b&gt;not bold&lt;/b&gt;" in page


def wait_for_state(session, hub, name, state, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = session.get(f"{hub.url}{PORTAL}").text
        match = re.search(rf'data-environment="{name}"\s+data-state="([a-z]+)"', page)
        if match and match.group(1) == state:
            return page
        time.sleep(0.5)
    raise AssertionError(f"{name} did not become {state}:\n{hub.logs(40)}")


def test_a_student_starts_opens_and_stops_an_environment(hub):
    session = login(hub, "eleve", "eleve-password-1")
    page = session.get(f"{hub.url}{PORTAL}").text
    start = re.search(r'href="(/hub/spawn/eleve/intro)"', page).group(1)
    started = session.get(f"{hub.url}{start}", allow_redirects=False)
    assert started.status_code == 302, started.text
    page = wait_for_state(session, hub, "intro", "running")
    assert 'href="/user/eleve/intro/">Open</a>' in page
    assert session.get(f"{hub.url}/user/eleve/intro/").status_code == 200
    stopped = session.post(f"{hub.url}{PORTAL}servers/intro/stop", data={"_xsrf": xsrf_of(page)})
    assert stopped.status_code == 200, stopped.text
    assert stopped.url == f"{hub.url}{PORTAL}"
    wait_for_state(session, hub, "intro", "stopped")


def test_a_student_cannot_stop_another_students_server_through_the_portal(hub):
    session = login(hub, "autre", "autre-password-1")
    page = session.get(f"{hub.url}{PORTAL}").text
    # the portal stops the caller's own server of that name, never another's
    response = session.post(
        f"{hub.url}{PORTAL}servers/python-l1/stop", data={"_xsrf": xsrf_of(page)}
    )
    assert response.status_code == 404
    assert "There is no environment “python-l1” in your list." in response.text


def test_a_students_visit_leaves_no_scope_warning_in_the_hubs_log(hub):
    started = len(hub.logs(100000))
    session = login(hub, "eleve", "eleve-password-1")
    assert session.get(f"{hub.url}/services/mydocker/").status_code == 200
    log = hub.logs(100000)[started:]
    assert "requested scopes" not in log, log

"""The teacher portal in Debian's chromium, on the real platform (Swarm spawner, real image).

A teacher logs in, creates an environment on the standard image, plans a
session and copies the join link; a student opens the link, logs in, follows
the start and lands in JupyterLab, then finds the environment in "My
environments"; the teacher sees the student's server (with its node) and
stops it; the admin's activity log tells the story. Screenshots of the main
pages, in English and in French, go to test-artifacts/.
"""

import os
import re
import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import requests
from deployment import ROOT, service_name, wait_until_gone
from lab_page import wait_for_lab

ARTIFACTS = os.path.join(ROOT, "test-artifacts")
PORTAL = "/services/mydocker/"
ENVIRONMENT = "journey-py"


def shot(page, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, f"portal-{name}.png"), full_page=True)


def log_in(page, platform, name, password):
    page.fill("#username_input", name)
    page.fill("#password_input", password)
    page.click("#login_submit")


def test_a_teacher_prepares_a_course_a_student_joins_and_the_teacher_stops_it(platform, browser):
    teacher_password = platform.add_user("mme-durand", "teacher")
    student_password = platform.add_user("leo", "student")
    teacher = browser.new_context(locale="en-GB", viewport={"width": 1200, "height": 900})
    page = teacher.new_page()
    page.goto(f"{platform.url}/hub/login")
    log_in(page, platform, "mme-durand", teacher_password)
    page.wait_for_url(f"{platform.url}{PORTAL}", timeout=30_000)

    # A new environment on the standard image
    page.click("a.mydocker-nav-teaching")
    page.click("a.mydocker-new")
    page.fill("#name", ENVIRONMENT)
    page.fill("#title", "Python, week 3")
    page.fill("#description", "NumPy exercises.")
    page.select_option("#status", "READY")
    page.fill("#mem_limit", "1G")
    shot(page, "new-environment-en")
    page.click("button.mydocker-save")
    page.wait_for_url(f"**{PORTAL}environments/{ENVIRONMENT}", timeout=30_000)
    assert page.locator("h1").inner_text().startswith("Python, week 3")
    assert page.locator("dl.mydocker-definition").inner_text().count("mydocker/jupyterlab:") == 1

    # A session going on now, then the join link
    now = datetime.now(ZoneInfo("Europe/Paris"))
    page.fill("#start", (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#end", (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#expected_students", "2")
    page.check("#stop_at_end")
    page.click("button.mydocker-add-session")
    page.wait_for_selector("li.mydocker-session")
    assert "2 students expected" in page.locator("li.mydocker-session").inner_text()
    page.click("button.mydocker-new-join-link")
    page.wait_for_selector("input.mydocker-join-url")
    join_url = page.locator("input.mydocker-join-url").input_value()
    assert re.fullmatch(rf"{platform.url}{PORTAL}join/[A-Za-z0-9_-]+", join_url), join_url
    shot(page, "environment-en")

    # The student opens the link, logs in, follows the start, lands in JupyterLab
    student = browser.new_context(locale="en-GB", viewport={"width": 1200, "height": 900})
    spage = student.new_page()
    visited = []
    spage.on("framenavigated", lambda frame: visited.append(frame.url))
    spage.goto(join_url)
    spage.wait_for_url("**/hub/login**", timeout=30_000)
    log_in(spage, platform, "leo", student_password)
    spage.wait_for_url(f"**/user/leo/{ENVIRONMENT}/lab**", timeout=240_000)
    wait_for_lab(spage)
    assert any(f"/hub/spawn-pending/leo/{ENVIRONMENT}" in url for url in visited), visited
    spage.goto(f"{platform.url}{PORTAL}")
    card = spage.locator(f'article[data-environment="{ENVIRONMENT}"]')
    assert card.get_attribute("data-state") == "running"
    assert "Session in progress" in card.inner_text()
    shot(spage, "my-environments-running-en")

    # The teacher sees the server, on its node, and stops it
    page.reload()
    row = page.locator('tr.mydocker-server[data-user="leo"]')
    node = row.locator("td").nth(2).inner_text()
    assert node and node != "—", row.inner_text()
    shot(page, "environment-servers-en")
    row.locator("button.mydocker-stop-server").click()
    page.wait_for_load_state()
    wait_until_gone(service_name(platform.prefix, "leo", ENVIRONMENT))

    # Started from elsewhere (an LMS link, another tab): My environments follows it live
    admin = requests.Session()
    admin.headers["Authorization"] = f"token {platform.cli('token').stdout.strip()}"
    starting = threading.Thread(
        target=admin.post, args=(f"{platform.url}/hub/api/users/leo/servers/{ENVIRONMENT}",)
    )
    starting.start()
    card = spage.locator(f'article[data-environment="{ENVIRONMENT}"]')
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        spage.goto(f"{platform.url}{PORTAL}")
        if card.get_attribute("data-state") != "stopped":
            break
    assert card.get_attribute("data-state") == "starting"  # a Swarm start takes seconds
    spage.wait_for_function(
        "document.querySelector('.mydocker-progress-message').textContent.length > 0",
        timeout=60_000,
    )
    shot(spage, "my-environments-starting-en")
    spage.wait_for_selector(
        f'article[data-environment="{ENVIRONMENT}"][data-state="running"]', timeout=240_000
    )
    starting.join()
    assert admin.delete(
        f"{platform.url}/hub/api/users/leo/servers/{ENVIRONMENT}", timeout=60
    ).status_code in (202, 204)
    wait_until_gone(service_name(platform.prefix, "leo", ENVIRONMENT))

    # The same pages in French
    french = browser.new_context(locale="fr-FR", viewport={"width": 1200, "height": 900})
    fpage = french.new_page()
    fpage.goto(f"{platform.url}/hub/login")
    log_in(fpage, platform, "mme-durand", teacher_password)
    fpage.wait_for_url(f"{platform.url}{PORTAL}", timeout=30_000)
    assert fpage.locator("h1").inner_text() == "Mes environnements"
    fpage.goto(f"{platform.url}{PORTAL}environments/")
    assert fpage.locator("h1").inner_text() == "Enseignement"
    shot(fpage, "environments-fr")
    fpage.goto(f"{platform.url}{PORTAL}environments/{ENVIRONMENT}")
    assert "Séances" in fpage.locator("#sessions h2").inner_text()
    shot(fpage, "environment-fr")
    fpage.goto(f"{platform.url}{PORTAL}environments/new")
    shot(fpage, "new-environment-fr")
    fpage.goto(f"{platform.url}{PORTAL}week")
    assert "Python, week 3" in fpage.locator("#mydocker-week").inner_text()
    shot(fpage, "week-fr")

    # A refused start, in the student's language, with the way back
    french_student = browser.new_context(locale="fr-FR", viewport={"width": 1200, "height": 900})
    rpage = french_student.new_page()
    rpage.goto(f"{platform.url}/hub/login")
    log_in(rpage, platform, "leo", student_password)
    rpage.wait_for_url(f"{platform.url}{PORTAL}", timeout=30_000)
    rpage.goto(f"{platform.url}/hub/spawn/leo/later")
    message = rpage.locator(".mydocker-error-message").inner_text()
    assert message == (
        "Cet environnement ouvre le lundi 5 janvier 2099 à 14:00 (Europe/Paris). "
        "Revenez à ce moment-là."
    )
    assert rpage.locator("html").get_attribute("lang") == "fr"
    assert "lots of moons" not in rpage.content()
    shot(rpage, "refused-start-fr")
    rpage.click("a.mydocker-way-back")
    rpage.wait_for_url(f"{platform.url}{PORTAL}", timeout=30_000)

    # A start followed in French, from "My environments"
    rpage.locator(f'article[data-environment="{ENVIRONMENT}"] a.mydocker-start').click()
    rpage.wait_for_url(f"**/hub/spawn-pending/leo/{ENVIRONMENT}**", timeout=30_000)
    assert "Votre environnement démarre." in rpage.locator("#progress-message").evaluate(
        "node => node.parentElement.innerText"
    )
    rpage.wait_for_function(
        "/Création de votre environnement|Tâche|Votre environnement tourne|patientez/"
        ".test(document.getElementById('progress-message').textContent)",
        timeout=120_000,
    )
    shot(rpage, "start-progress-fr")
    wait_for_lab(rpage, timeout_ms=240_000)
    assert admin.delete(
        f"{platform.url}/hub/api/users/leo/servers/{ENVIRONMENT}", timeout=60
    ).status_code in (202, 204)
    wait_until_gone(service_name(platform.prefix, "leo", ENVIRONMENT))
    for context in (teacher, student, french, french_student):
        context.close()

    # The admin's activity log: asked, ready on the node, stopped; twice
    events = admin.get(
        f"{platform.url}{PORTAL}api/activity", params={"user": "leo"}, timeout=30
    ).json()["events"]
    told = [(e["event"], e["environment"]) for e in reversed(events)]
    assert told == [
        *2 * [("requested", ENVIRONMENT), ("ready", ENVIRONMENT), ("stopped", ENVIRONMENT)],
        ("requested", "later"),
        ("failed", "later"),
        ("requested", ENVIRONMENT),
        ("ready", ENVIRONMENT),
        ("stopped", ENVIRONMENT),
    ], events
    assert [e["node"] for e in events if e["event"] == "ready"] == [node, node, node]
    failed = next(e for e in events if e["event"] == "failed")
    assert failed["detail"].startswith("Cet environnement ouvre le lundi 5 janvier 2099")

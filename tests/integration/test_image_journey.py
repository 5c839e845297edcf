"""A course image made in the portal, in Debian's chromium, on the real platform.

A teacher creates an image from the form's Dockerfile, uploads the course's
files, watches the build's log arrive live, tests the build (a server of it
for them alone, through the normal spawner), then gives it to an environment
that a student opens: the course file is in the student's JupyterLab.
Screenshots go to test-artifacts/.
"""

import io
import json
import os
import uuid
import zipfile

import pytest
from deployment import ROOT, docker_client, service_name, wait_until_gone
from lab_page import wait_for_lab

ARTIFACTS = os.path.join(ROOT, "test-artifacts")
PORTAL = "/services/mydocker/"
IMAGE = "journey-img"
ENVIRONMENT = "journey-built"
HELLO = f"Bienvenue au cours {uuid.uuid4().hex[:8]}\n"

DOCKERFILE = """FROM {base}
USER root
RUN echo "{run}" && for step in 1 2 3 4 5 6; do echo "preparing $step"; sleep 1; done
COPY --chown=student:student course/hello.txt /home/student/hello.txt
USER student
"""


def shot(page, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, f"image-{name}.png"), full_page=True)


def log_in(page, url, name, password):
    page.goto(f"{url}/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", password)
    page.click("#login_submit")
    page.wait_for_url(f"{url}{PORTAL}", timeout=30_000)


def course_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("course/hello.txt", HELLO)
    return buffer.getvalue()


def file_in_lab(page, url, user, server):
    """hello.txt of the user's home, read through their JupyterLab's contents API."""
    answer = page.goto(f"{url}/user/{user}/{server}/api/contents/hello.txt?content=1")
    assert answer.status == 200, answer.text()
    return json.loads(answer.text())["content"]


@pytest.fixture
def built_images():
    yield
    client = docker_client()
    for image in client.images.list(name=f"mydocker/{IMAGE}"):
        for tag in image.tags:
            client.images.remove(tag, force=True)


def test_a_teacher_builds_tests_and_gives_an_image_that_a_student_opens(
    platform, browser, built_images
):
    teacher_password = platform.add_user("m-martin", "teacher")
    student_password = platform.add_user("ines", "student")
    admin = platform.admin_api()
    teacher = browser.new_context(locale="en-GB", viewport={"width": 1200, "height": 900})
    page = teacher.new_page()
    log_in(page, platform.url, "m-martin", teacher_password)

    # A new image: the form starts the Dockerfile from the platform's image
    page.click("a.mydocker-nav-images")
    page.click("a.mydocker-new-image")
    # Until the page has loaded: a textarea being parsed is there, still empty.
    page.wait_for_url(f"**{PORTAL}images/new")
    starter = page.locator("#dockerfile").input_value()
    base = starter.split("FROM ", 1)[1].split()[0]
    assert base.startswith("mydocker/jupyterlab:") and "USER student" in starter
    shot(page, "new-en")
    page.fill("#name", IMAGE)
    page.fill("#description", "Course files of week 3")
    # a new step at each run: Docker's layer cache would skip it
    page.fill("#dockerfile", DOCKERFILE.format(base=base, run=uuid.uuid4().hex))
    page.click("button.mydocker-create-image")
    page.wait_for_url(f"**{PORTAL}images/{IMAGE}", timeout=30_000)

    # The course's files, as a zip
    page.set_input_files(
        "#context-file",
        files=[{"name": "course.zip", "mimeType": "application/zip", "buffer": course_zip()}],
    )
    page.click("#context-upload button[type=submit]")
    page.wait_for_selector("ul.mydocker-context-files", timeout=30_000)
    assert "course/hello.txt" in page.locator("ul.mydocker-context-files").inner_text()

    # The build: its log arrives while it runs
    page.click("button.mydocker-build-start")
    page.wait_for_url(f"**{PORTAL}images/{IMAGE}/builds/1", timeout=30_000)
    page.wait_for_function(
        "document.getElementById('build-log').textContent.includes('preparing 2')",
        timeout=120_000,
    )
    assert "preparing 6" not in page.locator("#build-log").inner_text()  # still under way
    assert page.locator("#build-step").inner_text().startswith("Step 3/5")
    shot(page, "build-live-en")
    page.wait_for_selector("#mydocker-build[data-status=OK]", timeout=300_000)
    assert "preparing 6" in page.locator("#build-log").inner_text()  # the log, kept
    shot(page, "build-ok-en")

    # Test: a server of the build, for the teacher alone, through the normal spawner
    page.click("button.mydocker-build-test")
    page.wait_for_url(f"**/user/m-martin/test-{IMAGE}/lab**", timeout=240_000)
    wait_for_lab(page)
    assert file_in_lab(page, platform.url, "m-martin", f"test-{IMAGE}") == HELLO
    admin.delete(f"{platform.url}/hub/api/users/m-martin/servers/test-{IMAGE}", timeout=60)
    wait_until_gone(service_name(platform.prefix, "m-martin", f"test-{IMAGE}"))

    # The image goes to an environment open to everyone; it follows the image's builds
    page.goto(f"{platform.url}{PORTAL}environments/new")
    page.fill("#name", ENVIRONMENT)
    page.fill("#title", "Week 3, with the course's files")
    page.select_option("#image", f"mydocker/{IMAGE}")
    page.select_option("#status", "READY")
    page.check("#public")
    page.fill("#mem_limit", "1G")
    page.click("button.mydocker-save")
    page.wait_for_url(f"**{PORTAL}environments/{ENVIRONMENT}", timeout=30_000)
    page.goto(f"{platform.url}{PORTAL}images/{IMAGE}")
    assert ENVIRONMENT in page.locator("#builds").inner_text()  # "Used by"
    shot(page, "image-en")

    # The student opens it from "My environments" and finds the course file
    student = browser.new_context(locale="fr-FR", viewport={"width": 1200, "height": 900})
    spage = student.new_page()
    log_in(spage, platform.url, "ines", student_password)
    spage.locator(f'article[data-environment="{ENVIRONMENT}"] a.mydocker-start').click()
    spage.wait_for_url(f"**/user/ines/{ENVIRONMENT}/lab**", timeout=240_000)
    wait_for_lab(spage)
    assert file_in_lab(spage, platform.url, "ines", ENVIRONMENT) == HELLO
    admin.delete(f"{platform.url}/hub/api/users/ines/servers/{ENVIRONMENT}", timeout=60)
    wait_until_gone(service_name(platform.prefix, "ines", ENVIRONMENT))

    # The teacher's pages in French
    french = browser.new_context(locale="fr-FR", viewport={"width": 1200, "height": 900})
    fpage = french.new_page()
    log_in(fpage, platform.url, "m-martin", teacher_password)
    fpage.goto(f"{platform.url}{PORTAL}images/{IMAGE}/builds/1")
    assert fpage.locator("h1").inner_text().startswith("Construction n°1")
    shot(fpage, "build-fr")
    for context in (teacher, student, french):
        context.close()

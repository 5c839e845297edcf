"""The image and build pages render in both languages, escape what teachers typed,
and offer each button only to whom may use it."""

from datetime import UTC, datetime

import pytest
from test_portal_pages import render

from mydocker_hub.portal import i18n
from mydocker_hub.portal.image_forms import IMAGE_INTERFACES

NOW = datetime(2026, 11, 25, 21, 0, tzinfo=UTC)


def build(number, status, **fields):
    return {
        "number": number,
        "status": status,
        "started_by": "prof",
        "tag": f"mydocker/data:{number}",
        "error": "",
        "root_warning": "",
        "queued": NOW,
        "started": NOW,
        "finished": None,
        "log": "",
        **fields,
    }


def image(access="own", builds=()):
    return {
        "name": "data",
        "description": "<script>alert(1)</script>",
        "dockerfile": "FROM mydocker/jupyterlab:1\nRUN echo '<b>'\nUSER student\n",
        "interfaces": ["jupyterlab"],
        "custom_port": 0,
        "owner": "prof",
        "public": False,
        "version": 3,
        "access": access,
        "repository": "mydocker/data",
        "latest_ok": 1,
        "collaborators": [{"username": "colview", "permission": "view"}],
        "builds": list(builds),
        "used_by": ["python-l1"],
    }


def image_page(lang="en", **values):
    defaults = {
        "files": [("course/hello.txt", 12)],
        "interfaces": IMAGE_INTERFACES,
        "upload_limit": 50 * 2**20,
        "display_names": {},
        "saved": "",
        "form": "",
        "form_values": {},
        "errors": {},
        "long_date": lambda moment: "25 November 2026",
    }
    defaults.update(values)
    return render("mydocker-image.html", lang=lang, **defaults)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_image_page_speaks_the_readers_language_and_escapes_what_was_typed(lang):
    page = image_page(lang, image=image(builds=[build(2, "RUNNING"), build(1, "OK")]))
    words = i18n.MESSAGES[lang]
    assert words["upload_context"] in page and words["build_status_OK"] in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "RUN echo &#39;&lt;b&gt;&#39;" in page  # the Dockerfile, as text
    assert "course/hello.txt" in page and "python-l1" in page


def test_a_view_collaborator_reads_tests_and_builds_nothing():
    page = image_page(image=image("view", builds=[build(2, "RUNNING"), build(1, "OK")]))
    assert "mydocker-build-test" in page  # testing an OK build is using the image
    assert "mydocker-build-start" not in page
    assert "/builds/2/cancel" not in page
    assert 'id="context-upload"' not in page
    assert "mydocker-image-save" not in page and "readonly" in page
    assert 'id="collaborators"' not in page and "/delete" not in page


def test_an_editor_builds_cancels_and_uploads_but_does_not_share():
    page = image_page(image=image("edit", builds=[build(2, "RUNNING"), build(1, "OK")]))
    assert "mydocker-build-start" in page and "/builds/2/cancel" in page
    assert 'id="context-upload"' in page and "mydocker-image-save" in page
    assert 'id="collaborators"' not in page


def test_a_refused_dockerfile_is_said_with_its_line():
    page = image_page(
        image=image(), form="build", errors={"dockerfile": "Line 2: “ubuntu” is not offered."}
    )
    assert "The Dockerfile cannot be built. Line 2: “ubuntu” is not offered." in page


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_running_build_follows_its_log_and_an_ended_one_shows_it(lang):
    running = render(
        "mydocker-build.html", lang=lang, image=image("edit"), build=build(2, "RUNNING")
    )
    assert "new EventSource(url)" in running and "?_xsrf=" in running
    assert "mydocker-build-cancel" in running
    ended = render(
        "mydocker-build.html",
        lang=lang,
        image=image("view"),
        build=build(3, "ERROR", error="exit 1", log="Step 1/2 : <FROM>\n"),
    )
    assert "EventSource" not in ended and "mydocker-build-cancel" not in ended
    assert "Step 1/2 : &lt;FROM&gt;" in ended
    assert i18n.MESSAGES[lang]["build_error_help"].replace("'", "&#39;") in ended


def test_a_build_that_runs_as_root_says_how_to_fix_it():
    page = render(
        "mydocker-build.html",
        image=image(),
        build=build(1, "OK", root_warning="runs as root"),
    )
    assert "USER student" in page and "mydocker-root-warning" in page


def test_the_new_image_form_offers_the_guide_and_keeps_what_was_typed():
    page = render(
        "mydocker-image-new.html",
        values={"name": "Bad!", "dockerfile": "FROM x", "interfaces": ["custom"]},
        errors={"name": "field_image_name", "custom_port": "field_custom_port"},
        interfaces=IMAGE_INTERFACES,
        standard_images=["mydocker/jupyterlab:1"],
    )
    assert i18n.MESSAGES["en"]["guide_user"].replace("“", "“") in page
    assert 'value="Bad!"' in page
    assert i18n.MESSAGES["en"]["field_custom_port"] in page
    assert 'id="interface-custom" value="custom" checked' in page

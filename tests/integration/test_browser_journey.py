"""A student in a real browser: a Moodle activity (LTI 1.1) -> progress page -> JupyterLab."""

import html
import os

from deployment import LTI11_KEY, LTI11_SECRET, ROOT, service_name, wait_until_gone
from lab_page import wait_for_lab
from lti import ToolConsumer

ARTIFACTS = os.path.join(ROOT, "test-artifacts")


def lms_launch_page(platform, user_id):
    """What Moodle sends the browser: a form of signed LTI parameters that posts itself."""
    consumer = ToolConsumer(
        consumer_key=LTI11_KEY,
        consumer_secret=LTI11_SECRET,
        launch_url=f"{platform.url}/hub/lti/launch",
        params={
            "lti_message_type": "basic-lti-launch-request",
            "lti_version": "LTI-1p0",
            "resource_link_id": "python-101-week-3",
            "user_id": user_id,
            "roles": "Learner",
            "lis_person_name_full": "Camille Martin",
            "custom_environment": "jupyterlab",
        },
    )
    fields = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in consumer.generate_launch_data().items()
    )
    action = html.escape(consumer.launch_url)
    return (
        f'<html><body><form id="launch" method="post" action="{action}">{fields}</form>'
        "<script>document.getElementById('launch').submit()</script></body></html>"
    )


def test_moodle_student_lands_in_jupyterlab_with_a_progress_page(platform, browser):
    page = browser.new_page()
    visited = []
    page.on("framenavigated", lambda frame: visited.append(frame.url))
    try:
        page.set_content(lms_launch_page(platform, "camille-42"))
        page.wait_for_url("**/lab**", timeout=180_000)
        wait_for_lab(page)
        page.wait_for_selector(".jp-LauncherCard", timeout=60_000)
    finally:
        os.makedirs(ARTIFACTS, exist_ok=True)
        page.screenshot(path=os.path.join(ARTIFACTS, "browser-journey.png"))
    user = "camille-42@moodle-e2e"
    assert any("/hub/spawn-pending/" in url for url in visited), visited
    assert page.url.startswith(f"{platform.url}/user/{user}/jupyterlab/lab"), page.url
    # No second login was asked on the way.
    assert not any("/hub/login" in url for url in visited), visited
    page.close()
    api = platform.admin_api()
    response = api.delete(f"{platform.url}/hub/api/users/{user}/servers/jupyterlab")
    assert response.status_code in (202, 204)
    wait_until_gone(service_name(platform.prefix, user, "jupyterlab"))

"""Two LTI 1.3 activities on one course page, launched at once in one chromium.

Moodle shows each external tool in its own frame: the browser starts both
launches before either comes back. Each launch must find its own state and nonce
cookies, so both land.
"""

from lti_platform import LEARNER


def test_two_activities_launched_at_once_in_one_browser_both_land(hub, browser):
    context = browser.new_context()
    try:
        pages = []
        for activity in ("week-1", "week-2"):
            # The platform's form posts back after a second: both launches are under way.
            url = hub.platform.prepare(
                "same-student", [LEARNER], resource_link=activity, form_delay_ms=1000
            )
            page = context.new_page()
            page.goto(url, wait_until="commit")
            pages.append(page)
        for page in pages:
            page.wait_for_url(f"{hub.url}/hub/home", timeout=30_000)
            assert "refused" not in page.content()
    finally:
        context.close()

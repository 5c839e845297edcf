"""Two LTI 1.3 launches under way in one browser (two activities on one course page)."""

import requests
from lti_platform import LEARNER


def start(session, login_url):
    """Login initiation and the platform's answer, as the browser follows them."""
    redirect = session.get(login_url, allow_redirects=False)
    assert redirect.status_code == 302, redirect.text
    form = session.get(redirect.headers["Location"], allow_redirects=False)
    assert form.status_code == 200, form.text
    return form.json()


def finish(session, form):
    return session.post(
        form["launch_url"],
        data={"id_token": form["id_token"], "state": form["state"]},
        allow_redirects=False,
    )


def test_two_launches_started_together_both_land(hub):
    browser = requests.Session()
    first = start(browser, hub.platform.prepare("two-tabs", [LEARNER]))
    second = start(browser, hub.platform.prepare("two-tabs", [LEARNER]))
    landed_first = finish(browser, first)
    assert landed_first.status_code == 302, landed_first.text
    landed_second = finish(browser, second)
    assert landed_second.status_code == 302, landed_second.text
    # both to the activity's destination on this hub (the same activity here)
    assert landed_first.headers["Location"].startswith("/hub/")
    assert landed_second.headers["Location"] == landed_first.headers["Location"]


def test_each_launch_cookie_is_used_once(hub):
    browser = requests.Session()
    form = start(browser, hub.platform.prepare("two-tabs-2", [LEARNER]))
    cookies = browser.cookies.copy()
    assert finish(browser, form).status_code == 302
    # the same state again, with the cookies as they were: refused, with the clear message
    again = requests.post(
        form["launch_url"],
        data={"id_token": form["id_token"], "state": form["state"]},
        cookies={c.name: c.value for c in cookies if not c.name.startswith("lti13-state-")},
        allow_redirects=False,
    )
    assert again.status_code == 400
    assert "third-party cookies" in again.content.decode()


def test_launch_cookies_are_named_per_launch_and_short_lived(hub):
    browser = requests.Session()
    for _ in range(2):
        redirect = browser.get(hub.platform.prepare("two-tabs-3", [LEARNER]), allow_redirects=False)
        assert "Max-Age=600" in redirect.headers["Set-Cookie"]
    names = {cookie.name for cookie in browser.cookies}
    assert len({n for n in names if n.startswith("lti13-state-")}) == 2
    assert len({n for n in names if n.startswith("lti13-nonce-")}) == 2

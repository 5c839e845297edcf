"""Logins that end in a running server, on the real platform, in chromium.

An LTI 1.3 platform (PyPI `lti1p3platform`) and an OpenID provider
(`oidc-provider-mock`) run in this process, on the address of the host that the
hub's container reaches (Docker's gateway bridge): the hub fetches their keys,
tokens and user info there, and the browser goes there too.

- LTI 1.3: a teacher launches from their course; a student of that course opens
  an activity that names the teacher's environment, which is not public: the
  launch enrols them, the server starts, JupyterLab opens and answers.
- LTI 1.3 deep linking: the teacher adds an activity from the LMS's picker of
  tools; a student of the course opens that activity and lands in its server.
- The federation: a student logs in through the provider and lands in their
  server, which answers them and no one else.
"""

import json
import os
import secrets
import sys
import threading

import oidc_provider_mock
import pytest
import requests
import werkzeug.serving
from deployment import IMAGE, TEST_ENVIRONMENTS, docker_client, service_name, wait_until_gone
from lab_page import wait_for_lab

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "auth"))
from lti_platform import INSTRUCTOR, LEARNER, TestPlatform  # noqa: E402

COURSE = {
    "name": "algo-course",
    "title": "Algorithms",
    "image": IMAGE,
    "teachers": ["prof-algo@lms"],
}
LAB_TIMEOUT_MS = 180_000


def host_address_for_containers():
    """The host's address on Docker's gateway bridge, which a Swarm container reaches."""
    network = docker_client().networks.get("docker_gwbridge")
    return network.attrs["IPAM"]["Config"][0]["Gateway"]


@pytest.fixture(scope="module")
def outside(platform):
    """The LMS and the federation's provider, and the hub configured for both."""
    host = host_address_for_containers()
    # The provider's library wants https except on localhost: here it is on Docker's bridge.
    insecure = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    # The browser posts deep linking's answer to the LMS on the loopback: plain http is
    # accepted there only on the hub's own host.
    lms = TestPlatform(platform.url, issuer_host=host, bind="0.0.0.0", browser_host="127.0.0.1")
    lms.start()
    provider = werkzeug.serving.make_server(host, 0, oidc_provider_mock.app(), threaded=True)
    threading.Thread(target=provider.serve_forever, daemon=True).start()
    provider_url = f"http://{host}:{provider.server_port}"
    saved = dict(platform.env)
    platform.up(
        MYDOCKER_LTI13_PLATFORMS=json.dumps([lms.registration]),
        MYDOCKER_OIDC_DISCOVERY_URL=f"{provider_url}/.well-known/openid-configuration",
        MYDOCKER_OIDC_CLIENT_ID="mydocker-hub",
        MYDOCKER_OIDC_CLIENT_SECRET=secrets.token_urlsafe(24),
        MYDOCKER_ENVIRONMENTS=json.dumps([*TEST_ENVIRONMENTS, COURSE]),
    )
    yield lms, provider_url
    platform.env.clear()
    platform.env.update(saved)
    platform.up()
    provider.shutdown()
    lms.stop()
    if insecure is None:
        os.environ.pop("AUTHLIB_INSECURE_TRANSPORT")
    else:
        os.environ["AUTHLIB_INSECURE_TRANSPORT"] = insecure


def open_lab(page, url, user, server):
    """Go to `url` and follow the browser's way to the user's JupyterLab."""
    page.goto(url)
    page.wait_for_url(f"**/user/{user}/{server}/lab**", timeout=LAB_TIMEOUT_MS)
    wait_for_lab(page)


def contents_status(platform, context, user, server):
    """The status of the server's contents API with `context`'s cookies."""
    url = f"{platform.url}/user/{user}/{server}/api/contents"
    return context.request.get(url, max_redirects=0).status


def stop_server(platform, user, server):
    api = platform.admin_api()
    response = api.delete(f"{platform.url}/hub/api/users/{user}/servers/{server}")
    assert response.status_code in (202, 204), response.text
    wait_until_gone(service_name(platform.prefix, user, server))


def test_lti13_student_enrolled_by_the_launch_in_a_private_environment_gets_its_server(
    platform, browser, outside
):
    lms, _ = outside
    # The course's teacher launches first: the platform learns who teaches course-algo.
    teacher = browser.new_context()
    page = teacher.new_page()
    page.goto(lms.prepare("prof-algo", [INSTRUCTOR], context="course-algo", form_delay_ms=0))
    page.wait_for_url(f"{platform.url}/hub/**", timeout=60_000)
    teacher.close()

    student = browser.new_context()
    page = student.new_page()
    launch = lms.prepare(
        "stud-algo",
        [LEARNER],
        context="course-algo",
        custom={"environment": "algo-course"},
        form_delay_ms=0,
    )
    open_lab(page, launch, "stud-algo@lms", "algo-course")
    assert contents_status(platform, student, "stud-algo@lms", "algo-course") == 200
    # the server answers its student only
    stranger = browser.new_context()
    assert contents_status(platform, stranger, "stud-algo@lms", "algo-course") != 200
    stranger.close()
    student.close()
    stop_server(platform, "stud-algo@lms", "algo-course")


def test_lti13_an_activity_made_by_deep_linking_opens_its_server_for_a_student(
    platform, browser, outside
):
    lms, _ = outside
    teacher = browser.new_context()
    page = teacher.new_page()
    page.goto(
        lms.prepare(
            "prof-algo", [INSTRUCTOR], context="course-algo", deep_linking=True, form_delay_ms=0
        )
    )
    # The hub's picker offers the teacher's environments; the answer posts itself back.
    page.check('input[value="algo-course"]', timeout=60_000)
    page.click("button:has-text('Link')")
    page.wait_for_url(f"{lms.browser_url}/deep_link_return", timeout=60_000)
    teacher.close()
    [item] = lms.deep_link_results[-1]["items"]
    assert item["custom"] == {"environment": "algo-course"}

    # The LMS launches the new activity with what the tool returned for it.
    student = browser.new_context()
    page = student.new_page()
    launch = lms.prepare(
        "stud-linked",
        [LEARNER],
        context="course-algo",
        custom=item["custom"],
        resource_link="linked-activity",
        form_delay_ms=0,
    )
    open_lab(page, launch, "stud-linked@lms", "algo-course")
    assert contents_status(platform, student, "stud-linked@lms", "algo-course") == 200
    student.close()
    stop_server(platform, "stud-linked@lms", "algo-course")


def test_a_federation_login_ends_in_the_students_own_server(platform, browser, outside):
    _, provider = outside
    claims = {"eduPersonPrincipalName": "alice@univ.fr", "eduPersonAffiliation": ["student"]}
    response = requests.put(f"{provider}/users/alice-sub", json=claims, timeout=10)
    assert response.status_code == 204, response.text
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{platform.url}/hub/oauth_login?next=/hub/spawn/alice@univ.fr/jupyterlab")
    page.wait_for_url(f"{provider}/**", timeout=60_000)
    page.fill("input[name=sub]", "alice-sub")
    page.click("button[type=submit]:has-text('Authorize')")
    page.wait_for_url("**/user/alice@univ.fr/jupyterlab/lab**", timeout=LAB_TIMEOUT_MS)
    wait_for_lab(page)
    assert contents_status(platform, context, "alice@univ.fr", "jupyterlab") == 200
    context.close()
    stop_server(platform, "alice@univ.fr", "jupyterlab")

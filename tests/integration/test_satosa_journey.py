"""The federation through SATOSA itself, on the real platform, in chromium.

SATOSA (`satosa_bridge`: OpenID Connect frontend, reflector backend, static
eduPerson attributes, client_secret_basic only) runs on this machine at the
address of Docker's gateway bridge, which the hub's container reaches, over
HTTPS with a test CA that the hub's image does not know. The platform gets
only the settings that ``mydocker_hub/auth/README.md`` documents, the CA
included: ``MYDOCKER_CA_FILE`` names its PEM file on this machine and `up`
puts it into the hub's container.

- a student logs in and lands in their own JupyterLab, in the group
  ``students``; a staff member lands in ``teachers``;
- two people get two accounts;
- nothing says how to authenticate at the token endpoint: the hub follows
  SATOSA's discovery document (client_secret_basic only);
- without ``MYDOCKER_CA_FILE``, the same login says that the bridge's
  certificate is not trusted, and the hub's log names the setting.
"""

import html
from urllib.parse import quote

import pytest
import requests
from deployment import docker_client, service_name, wait_until_gone
from lab_page import wait_for_lab
from satosa_bridge import SCOPE, Person, SatosaBridge

from mydocker_hub.deploy import trust

LAB_TIMEOUT_MS = 180_000
STUDENT = Person("lea.martin@univ.fr", ("member", "student"), name="Léa Martin")
STAFF = Person("paul.durand@univ.fr", ("member", "staff"), name="Paul Durand")
OTHER_STUDENT = Person("hugo.bernard@univ.fr", ("member", "student"))


def host_address_for_containers():
    """The host's address on Docker's gateway bridge, which a Swarm container reaches."""
    network = docker_client().networks.get("docker_gwbridge")
    return network.attrs["IPAM"]["Config"][0]["Gateway"]


@pytest.fixture(scope="module")
def satosa(platform, tmp_path_factory):
    """SATOSA on the gateway address, and the platform configured as the README says."""
    bridge = SatosaBridge(
        str(tmp_path_factory.mktemp("satosa")),
        host_address_for_containers(),
        [f"{platform.url}/hub/oauth_callback"],
    )
    bridge.serve(STUDENT)
    saved = dict(platform.env)
    up = platform.up(
        MYDOCKER_OIDC_DISCOVERY_URL=bridge.discovery_url,
        MYDOCKER_OIDC_CLIENT_ID=bridge.client_id,
        MYDOCKER_OIDC_CLIENT_SECRET=bridge.client_secret,
        MYDOCKER_OIDC_SCOPES=f"openid email profile {SCOPE}",
        MYDOCKER_CA_FILE=bridge.ca_pem_path,
    )
    bridge.up_output = up.stdout
    yield bridge
    platform.env.clear()
    platform.env.update(saved)
    platform.up()
    bridge.stop()


def hub_container(platform):
    return docker_client().containers.get(f"{platform.prefix}-hub")


def user(platform, name):
    response = platform.admin_api().get(f"{platform.url}/hub/api/users/{name}")
    return response.json() if response.status_code == 200 else None


def browser_login(browser, platform, bridge, person, next_url="/hub/home"):
    """Chromium from the hub's login page through SATOSA; returns the context and the page."""
    if bridge.person != person:
        bridge.serve(person)
    # The browser's trust in the test CA is not what is tested: the hub's is.
    context = browser.new_context(ignore_https_errors=True)
    page = context.new_page()
    page.goto(f"{platform.url}/hub/login?next={quote(next_url, safe='')}")
    page.click('a[href^="/hub/oauth_login"]')
    return context, page


def test_up_puts_the_ca_into_the_hub_and_keeps_it(platform, satosa):
    assert "the hub trusts 1 more certificate(s) from MYDOCKER_CA_FILE" in satosa.up_output
    environment = dict(
        line.split("=", 1) for line in hub_container(platform).attrs["Config"]["Env"]
    )
    assert environment["SSL_CERT_FILE"] == trust.BUNDLE_PATH
    assert "MYDOCKER_CA_FILE" not in environment
    code, bundle = hub_container(platform).exec_run(["cat", trust.BUNDLE_PATH])
    assert code == 0
    with open(satosa.ca_pem_path, "rb") as f:
        assert f.read().strip() in bundle
    assert bundle.count(b"BEGIN CERTIFICATE") > 100  # the image's public CAs are still there
    # an `up` with the same settings keeps the hub (the CA is in its spec, unchanged)
    again = platform.up()
    assert "Replacing the hub container" not in again.stdout


def test_the_hub_logged_what_satosa_supports_and_no_warning(platform, satosa):
    log = hub_container(platform).logs().decode(errors="replace")
    lines = [line for line in log.splitlines() if "Federation provider" in line]
    assert lines, log[-3000:]
    assert "token endpoint authentication: client_secret_basic" in lines[-1]
    assert not [line for line in lines if line.startswith("[W ")]


def test_a_student_lands_in_their_own_server_in_the_students_group(platform, browser, satosa):
    name = "lea.martin@univ.fr"
    context, page = browser_login(
        browser, platform, satosa, STUDENT, next_url=f"/hub/spawn/{name}/jupyterlab"
    )
    try:
        page.wait_for_url(f"**/user/{name}/jupyterlab/lab**", timeout=LAB_TIMEOUT_MS)
        wait_for_lab(page)
        contents = context.request.get(
            f"{platform.url}/user/{name}/jupyterlab/api/contents", max_redirects=0
        )
        assert contents.status == 200
    finally:
        context.close()
    model = user(platform, name)
    assert model["groups"] == ["students"]
    assert "teacher" not in model["roles"]
    api = platform.admin_api()
    response = api.delete(f"{platform.url}/hub/api/users/{name}/servers/jupyterlab")
    assert response.status_code in (202, 204), response.text
    wait_until_gone(service_name(platform.prefix, name, "jupyterlab"))


def test_a_staff_member_lands_in_the_teachers_group(platform, browser, satosa):
    context, page = browser_login(browser, platform, satosa, STAFF)
    try:
        page.wait_for_url(f"{platform.url}/hub/home", timeout=60_000)
    finally:
        context.close()
    model = user(platform, "paul.durand@univ.fr")
    assert model["groups"] == ["teachers"]
    assert "teacher" in model["roles"]


def test_two_people_get_two_accounts(platform, browser, satosa):
    for person in (OTHER_STUDENT, STUDENT):
        context, page = browser_login(browser, platform, satosa, person)
        try:
            page.wait_for_url(f"{platform.url}/hub/home", timeout=60_000)
        finally:
            context.close()
    hugo, lea = user(platform, "hugo.bernard@univ.fr"), user(platform, "lea.martin@univ.fr")
    assert hugo is not None and lea is not None
    assert hugo["name"] != lea["name"]
    assert hugo["groups"] == ["students"]


def test_without_the_ca_the_login_says_the_certificate_is_not_trusted(platform, satosa):
    """Last: it takes the CA away (the module's fixture puts the settings back)."""
    platform.env.pop("MYDOCKER_CA_FILE")
    platform.cli("up")
    response = requests.get(f"{platform.url}/hub/oauth_login", allow_redirects=False, timeout=60)
    text = html.unescape(response.content.decode())
    assert response.status_code == 502, text[-2000:]
    assert "could not verify the certificate" in text
    assert "try again in a few minutes" not in text
    log = hub_container(platform).logs(tail=200).decode(errors="replace")
    assert any(
        "certificate verify failed" in line and "MYDOCKER_CA_FILE" in line
        for line in log.splitlines()
    ), log[-3000:]

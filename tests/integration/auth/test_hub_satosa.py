"""Federation logins through SATOSA itself, with only the documented settings.

SATOSA runs under gunicorn over HTTPS with a test CA (`satosa_bridge`), as a
university runs it: client_secret_basic only, eduPerson attributes released
under its own scope (``eduperson``), a stable ``sub`` for each person. The hub
gets the variables that ``mydocker_hub/auth/README.md`` documents, and the
CA the way ``MYDOCKER_CA_FILE`` gives it to the hub's container
(`deploy.trust`): the system bundle and the CA in one file named by
``SSL_CERT_FILE``. No ``basic_auth``, no configuration file of its own.

Three more hubs show the failures an admin meets: a CA not trusted, a token
endpoint authentication the bridge refuses, a scope missing.
"""

import html
import os
import re
import sqlite3
import ssl
import time

import pytest
import requests
from authhub import Hub
from conftest import ADMIN_TOKEN, TEST_SERVICE_CONFIG
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from ports import free_port
from satosa_bridge import SCOPE, Person, SatosaBridge

from mydocker_hub.deploy import trust

STUDENT = Person("lea.martin@univ.fr", ("member", "student"), name="Léa Martin")
STAFF = Person("paul.durand@univ.fr", ("member", "staff"), name="Paul Durand")
OTHER_STUDENT = Person("hugo.bernard@univ.fr", ("member", "student"))
SCOPES = f"openid email profile {SCOPE}"  # as the README says for SATOSA
ENVIRONMENTS = [{"name": "intro", "image": "img:1", "public": True}]
HUBS = ("documented", "untrusted", "post", "no-scope")


@pytest.fixture(scope="module")
def ports():
    return {name: free_port() for name in HUBS}


@pytest.fixture(scope="module")
def bridge(tmp_path_factory, ports):
    callbacks = [f"http://localhost:{port}/hub/oauth_callback" for port in ports.values()]
    bridge = SatosaBridge(str(tmp_path_factory.mktemp("satosa")), "127.0.0.1", callbacks)
    bridge.serve(STUDENT)
    yield bridge
    bridge.stop()


def trusted_ca_environment(folder, ca_file):
    """What MYDOCKER_CA_FILE gives the hub's container, for a hub on this machine:
    the bundle of `deploy.trust` (this machine's CAs, then the CA) and its variables."""
    with open(ssl.get_default_verify_paths().cafile, "rb") as f:
        system = f.read()
    path = os.path.join(folder, "ca-bundle.pem")
    with open(path, "wb") as f:
        f.write(trust.combined_bundle(system, trust.read_ca_file(ca_file)))
    return {variable: path for variable in trust.environment()}


def start_hub(tmp_path_factory, name, port, bridge, trusted=True, **variables):
    folder = str(tmp_path_factory.mktemp(f"hub-{name}"))
    environ = {
        "MYDOCKER_OIDC_DISCOVERY_URL": bridge.discovery_url,
        "MYDOCKER_OIDC_CLIENT_ID": bridge.client_id,
        "MYDOCKER_OIDC_CLIENT_SECRET": bridge.client_secret,
        **variables,
    }
    if trusted:
        environ.update(trusted_ca_environment(folder, bridge.ca_pem_path))
    hub = Hub(folder, port, environ, ENVIRONMENTS)
    hub.extra_config = TEST_SERVICE_CONFIG.format(token=ADMIN_TOKEN)
    hub.token = ADMIN_TOKEN
    hub.start()
    return hub


def whole_log(hub):
    with open(hub.log_path, errors="replace") as f:
        return f.read()


def wait_for_log(hub, text, timeout=20):
    """The hub's log once it holds `text` (what the hub logs by itself, at start)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = whole_log(hub)
        if text in log:
            return log
        time.sleep(0.2)
    raise AssertionError(f"the hub did not log {text!r}:\n{hub.logs(40)}")


@pytest.fixture(scope="module")
def satosa_hub(tmp_path_factory, ports, bridge):
    hub = start_hub(
        tmp_path_factory, "documented", ports["documented"], bridge, MYDOCKER_OIDC_SCOPES=SCOPES
    )
    try:
        hub.start_log = wait_for_log(hub, "Federation provider")
        yield hub
    finally:
        hub.stop()


def user(hub, name):
    response = hub.api("GET", f"/users/{name}", hub.token)
    return response.json() if response.status_code == 200 else None


def identity_links(hub, username):
    with sqlite3.connect(hub.db_url.removeprefix("sqlite:///")) as db:
        rows = db.execute(
            "SELECT key FROM mydocker_identity_links WHERE username = ?", (username,)
        ).fetchall()
    return [key for (key,) in rows]


def login(hub, bridge, person):
    """The browser's way through requests: the hub, SATOSA (the reflector lets anyone in
    at once), the hub's callback. Returns the callback's answer."""
    if bridge.person != person:
        bridge.serve(person)
    session = requests.Session()
    start = session.get(
        f"{hub.url}/hub/oauth_login",
        params={"next": "/hub/home"},
        allow_redirects=False,
        timeout=30,
    )
    if start.status_code != 302:
        return start
    assert start.headers["Location"].startswith(bridge.base_url), start.headers["Location"]
    at_bridge = session.get(
        start.headers["Location"], allow_redirects=False, verify=bridge.ca_pem_path, timeout=30
    )
    assert at_bridge.status_code == 303, f"{at_bridge.text[-1000:]}\n{bridge.logs()}"
    callback = at_bridge.headers["Location"]
    assert callback.startswith(f"{hub.url}/hub/oauth_callback"), callback
    return session.get(callback, allow_redirects=False, timeout=30)


def browser_login(browser, hub, bridge, person):
    """The same in chromium, from the hub's login page to its home page."""
    if bridge.person != person:
        bridge.serve(person)
    # The browser's trust in the test CA is not what is tested: the hub's is.
    context = browser.new_context(ignore_https_errors=True)
    try:
        page = context.new_page()
        page.goto(f"{hub.url}/hub/login?next=%2Fhub%2Fhome")
        page.click('a[href^="/hub/oauth_login"]')
        try:
            page.wait_for_url(f"{hub.url}/hub/home", timeout=30_000)
        except PlaywrightTimeout:
            raise AssertionError(f"stopped at {page.url}:\n{page.content()[-2000:]}") from None
        return page.content()
    finally:
        context.close()


def test_the_hub_logs_at_start_what_the_bridge_supports_and_no_warning(satosa_hub):
    line = next(line for line in satosa_hub.start_log.splitlines() if "Federation provider" in line)
    offered = re.search(r"scopes: ([^;]*);", line).group(1).split(", ")
    assert sorted(offered) == sorted(["openid", "email", "profile", SCOPE])
    assert "claims: eduPersonPrincipalName, eduPersonAffiliation" in line
    assert "token endpoint authentication: client_secret_basic" in line
    assert "authenticates at the token endpoint with client_secret_basic" in line
    assert line.startswith("[I ")
    warnings = [
        line
        for line in satosa_hub.start_log.splitlines()
        if line.startswith("[W ") and "Federation provider" in line
    ]
    assert warnings == []


def test_a_student_and_a_staff_member_land_in_their_groups(satosa_hub, bridge, browser):
    page = browser_login(browser, satosa_hub, bridge, STUDENT)
    assert "refused" not in page
    student = user(satosa_hub, "lea.martin@univ.fr")
    assert student["groups"] == ["students"]
    assert "teacher" not in student["roles"]

    browser_login(browser, satosa_hub, bridge, STAFF)
    staff = user(satosa_hub, "paul.durand@univ.fr")
    assert staff["groups"] == ["teachers"]
    assert "teacher" in staff["roles"]


def test_a_later_login_takes_back_a_role_that_no_longer_applies(satosa_hub, bridge):
    former = Person("claire.petit@univ.fr", ("member", "faculty"))
    assert login(satosa_hub, bridge, former).status_code == 302
    assert user(satosa_hub, "claire.petit@univ.fr")["groups"] == ["teachers"]
    now_a_student = Person("claire.petit@univ.fr", ("member", "student"))
    assert login(satosa_hub, bridge, now_a_student).status_code == 302
    model = user(satosa_hub, "claire.petit@univ.fr")
    assert model["groups"] == ["students"]
    assert "teacher" not in model["roles"]


def test_two_people_get_two_accounts_each_with_a_stable_sub(satosa_hub, bridge):
    first = login(satosa_hub, bridge, OTHER_STUDENT)
    assert first.status_code == 302, first.text[-2000:]
    again = Person("lea.martin@univ.fr", ("member", "student"), name="Léa Martin")
    assert login(satosa_hub, bridge, again).status_code == 302
    assert login(satosa_hub, bridge, OTHER_STUDENT).status_code == 302
    lea, hugo = (
        identity_links(satosa_hub, "lea.martin@univ.fr"),
        identity_links(satosa_hub, "hugo.bernard@univ.fr"),
    )
    # one link each (the same sub at every login), and not the same sub
    assert len(lea) == 1 and len(hugo) == 1, (lea, hugo)
    assert lea != hugo
    assert user(satosa_hub, "hugo.bernard@univ.fr")["groups"] == ["students"]


def test_a_bridge_listing_only_client_secret_basic_needs_no_auth_setting(satosa_hub, bridge):
    assert bridge.discovery()["token_endpoint_auth_methods_supported"] == ["client_secret_basic"]
    assert "MYDOCKER_OIDC_TOKEN_AUTH_METHOD" not in satosa_hub.environ
    assert not any("basic_auth" in line for line in satosa_hub.extra_config.splitlines())
    response = login(satosa_hub, bridge, STUDENT)
    assert response.status_code == 302, response.text[-2000:]
    assert "invalid_client" not in whole_log(satosa_hub)


def test_a_ca_not_trusted_says_so_and_the_log_names_the_setting(tmp_path_factory, ports, bridge):
    hub = start_hub(
        tmp_path_factory,
        "untrusted",
        ports["untrusted"],
        bridge,
        trusted=False,
        MYDOCKER_OIDC_SCOPES=SCOPES,
    )
    try:
        response = requests.get(f"{hub.url}/hub/oauth_login", allow_redirects=False, timeout=30)
        text = html.unescape(response.content.decode())
        assert response.status_code == 502, text[-2000:]
        assert "could not verify the certificate" in text
        assert "n'a pas pu vérifier le certificat" in text
        assert "try again in a few minutes" not in text and "Traceback" not in text
        log = whole_log(hub)
        assert "certificate verify failed" in log
        [line] = [line for line in log.splitlines() if "Federation login failed" in line][-1:]
        assert "MYDOCKER_CA_FILE" in line and bridge.discovery_url in line
    finally:
        hub.stop()


def test_an_auth_method_the_bridge_refuses_is_warned_at_start_and_named(
    tmp_path_factory, ports, bridge
):
    hub = start_hub(
        tmp_path_factory,
        "post",
        ports["post"],
        bridge,
        MYDOCKER_OIDC_SCOPES=SCOPES,
        MYDOCKER_OIDC_TOKEN_AUTH_METHOD="client_secret_post",
    )
    try:
        log = wait_for_log(hub, "Federation provider")
        [warning] = [
            line
            for line in log.splitlines()
            if line.startswith("[W ") and "Federation provider" in line
        ]
        assert "MYDOCKER_OIDC_TOKEN_AUTH_METHOD" in warning
        assert "is client_secret_post, but" in warning and "accepts client_secret_basic" in warning
        response = login(hub, bridge, STUDENT)
        text = html.unescape(response.content.decode())
        assert response.status_code == 502, text[-2000:]
        assert "refused this platform" in text and "a refusé cette plateforme" in text
        assert "Traceback" not in text and "Internal Server Error" not in text
        assert user(hub, "lea.martin@univ.fr") is None
        [line] = [
            line
            for line in whole_log(hub).splitlines()
            if "Federation login failed at the provider's token endpoint" in line
        ]
        assert "HTTP 401" in line
        assert "invalid_client" in line and "MYDOCKER_OIDC_TOKEN_AUTH_METHOD" in line
        assert bridge.client_secret not in whole_log(hub)
    finally:
        hub.stop()


def test_without_the_bridges_scope_the_missing_attribute_is_named(tmp_path_factory, ports, bridge):
    hub = start_hub(tmp_path_factory, "no-scope", ports["no-scope"], bridge)  # default scopes
    try:
        log = wait_for_log(hub, "Federation provider")
        [warning] = [
            line
            for line in log.splitlines()
            if line.startswith("[W ") and "Federation provider" in line
        ]
        assert f"the provider's own {SCOPE}" in warning and "MYDOCKER_OIDC_SCOPES" in warning
        response = login(hub, bridge, STUDENT)
        text = html.unescape(response.content.decode())
        assert response.status_code == 403, text[-2000:]
        assert "did not send your eduPersonPrincipalName" in text
        assert "prévenez les administrateurs" in text.lower()
        assert "Traceback" not in text
        [line] = [
            line for line in whole_log(hub).splitlines() if "sent no eduPersonPrincipalName" in line
        ]
        assert "MYDOCKER_OIDC_SCOPES" in line and "scopes asked: openid email profile)" in line
    finally:
        hub.stop()

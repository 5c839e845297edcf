"""Federation logins refused or limited by the hub's settings, against a real OpenID provider.

One hub of this module's own: usernames from a verified ``email``
(``MYDOCKER_OIDC_USERNAME_CLAIM``), only ``univ.fr`` let in
(``MYDOCKER_OIDC_ALLOWED_DOMAINS``), admins from the ``groups`` claim
(`FederationOIDC.admin_claim`). Its discovery URL points at an address of the
tests' own that refuses connections until the fixture opens it, so the hub's
first login meets an unreachable provider.
"""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests
from authhub import Hub
from conftest import ADMIN_TOKEN, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, TEST_SERVICE_CONFIG
from ports import free_port
from test_hub_oidc import federation_login

ADMIN_CLAIM_CONFIG = """
c.FederationOIDC.admin_claim = "groups"
c.FederationOIDC.admin_claim_values = {"mydocker-admins"}
"""


class DiscoveryAddress:
    """Where the hub finds the provider's discovery document: refuses connections
    (bound, not listening) until `open` serves `document` there."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/.well-known/openid-configuration"
        self.server = None

    def open(self, document):
        body = json.dumps(document).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(self.sock.getsockname(), Handler, bind_and_activate=False)
        self.server.socket.close()
        self.server.socket = self.sock
        self.server.server_activate()
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        if self.server:
            self.server.shutdown()
        self.sock.close()


@pytest.fixture(scope="module")
def federation_hub(tmp_path_factory, oidc_provider):
    """The module's hub. Its first login happens here, while the provider cannot be
    reached: what the person got is kept as `login_while_provider_down`."""
    discovery = DiscoveryAddress()
    environ = {
        "MYDOCKER_OIDC_DISCOVERY_URL": discovery.url,
        "MYDOCKER_OIDC_CLIENT_ID": OIDC_CLIENT_ID,
        "MYDOCKER_OIDC_CLIENT_SECRET": OIDC_CLIENT_SECRET,
        "MYDOCKER_OIDC_USERNAME_CLAIM": "email",
        "MYDOCKER_OIDC_ALLOWED_DOMAINS": "univ.fr",
    }
    environments = [{"name": "intro", "image": "img:1", "public": True}]
    hub = Hub(str(tmp_path_factory.mktemp("federation-hub")), free_port(), environ, environments)
    hub.extra_config = TEST_SERVICE_CONFIG.format(token=ADMIN_TOKEN) + ADMIN_CLAIM_CONFIG
    hub.token = ADMIN_TOKEN
    hub.oidc_url = oidc_provider
    hub.start()
    try:
        hub.login_while_provider_down = requests.get(
            f"{hub.url}/hub/oauth_login", allow_redirects=False, timeout=30
        )
        document = requests.get(f"{oidc_provider}/.well-known/openid-configuration", timeout=10)
        discovery.open(document.json())
        yield hub
    finally:
        hub.stop()
        discovery.close()


def user(hub, name):
    response = hub.api("GET", f"/users/{name}", hub.token)
    return response.json() if response.status_code == 200 else None


def verified(email, **claims):
    return {"email": email, "email_verified": True, **claims}


def test_unreachable_discovery_url_gives_a_clear_502_page_and_later_logins_work(federation_hub):
    response = federation_hub.login_while_provider_down
    text = response.content.decode()
    assert response.status_code == 502, text[-2000:]
    assert response.headers["Content-Type"].startswith("text/html")
    assert "login service does not answer" in text
    assert "réessayez dans quelques minutes" in text
    assert "Traceback" not in text
    # the failure is not remembered: once the provider answers, logins work
    _, landed = federation_login(federation_hub, "sub-after-outage", verified("back@univ.fr"))
    assert landed.status_code == 302, landed.content.decode()[-2000:]
    assert user(federation_hub, "back@univ.fr") is not None


@pytest.mark.parametrize(
    "email", ["eve@evil.fr", "eve@univ.fr.evil.example"], ids=["other-domain", "suffix-trick"]
)
def test_email_outside_the_allowed_domains_is_refused_and_creates_no_user(federation_hub, email):
    sub = f"sub-outside-{email}"
    session, response = federation_login(federation_hub, sub, verified(email))
    text = response.content.decode()
    assert response.status_code == 403, text[-2000:]
    assert "not among those allowed" in text
    assert user(federation_hub, email) is None
    assert user(federation_hub, f"{sub}@federation") is None
    assert session.get(f"{federation_hub.url}/hub/api/user").status_code != 200


def test_email_inside_the_allowed_domains_lands_whatever_its_case(federation_hub):
    _, response = federation_login(federation_hub, "sub-inside", verified("Eve@Univ.FR"))
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert user(federation_hub, "eve@univ.fr") is not None


def test_admin_claim_value_makes_an_admin(federation_hub):
    claims = verified("chef@univ.fr", groups=["staff", "mydocker-admins"])
    _, response = federation_login(federation_hub, "sub-chef", claims)
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert user(federation_hub, "chef@univ.fr")["admin"] is True


def test_other_admin_claim_values_do_not_make_an_admin(federation_hub):
    claims = verified("presque@univ.fr", groups=["staff", "mydocker-admin"])
    _, response = federation_login(federation_hub, "sub-presque", claims)
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert user(federation_hub, "presque@univ.fr")["admin"] is False


def test_unverified_email_is_not_the_username_a_verified_one_is(federation_hub):
    """``email_verified: false``: the person is ``sub@federation``, never the email's owner."""
    unverified = {"email": "ann@univ.fr", "email_verified": False}
    session, response = federation_login(federation_hub, "sub-ann-unverified", unverified)
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert session.get(f"{federation_hub.url}/hub/api/user").json()["name"] == (
        "sub-ann-unverified@federation"
    )
    assert user(federation_hub, "ann@univ.fr") is None
    # the same email, verified, names its account
    session, response = federation_login(federation_hub, "sub-ann", verified("ann@univ.fr"))
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert session.get(f"{federation_hub.url}/hub/api/user").json()["name"] == "ann@univ.fr"

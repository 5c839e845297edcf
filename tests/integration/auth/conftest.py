"""One real hub for the auth tests, with a real LTI 1.3 platform and a real OIDC provider.

The LTI 1.3 platform (lti1p3platform) and the OpenID provider (oidc-provider-mock)
run in threads of the test process and answer over HTTP on ports from the OS;
the hub runs as its own process (see `authhub.Hub`). No Docker anywhere.
"""

import json
import secrets
import sys

import pytest
from authhub import Hub
from lti_platform import TestPlatform
from oidc_provider_mock import run_server_in_thread
from ports import free_port

from mydocker_hub import accounts, db

LTI11_KEY, LTI11_SECRET = "moodle-test", secrets.token_urlsafe(24)
OIDC_CLIENT_ID, OIDC_CLIENT_SECRET = "mydocker-hub", secrets.token_urlsafe(24)
ADMIN_TOKEN = secrets.token_hex(32)

ENVIRONMENTS = [
    {
        "name": "python-l1",
        "title": "Python (L1)",
        "image": "img:1",
        "teachers": ["teacher-1@lms", "t-link@moodle-test"],
    },
    {"name": "draft-env", "image": "img:1", "status": "DRAFT", "teachers": ["teacher-1@lms"]},
    {"name": "someone-else", "image": "img:1", "teachers": ["another@lms"]},
    {"name": "intro", "title": "Introduction", "image": "img:1", "public": True},
]

TEST_SERVICE_CONFIG = """
c.JupyterHub.services = [{{"name": "tests", "api_token": "{token}"}}]
c.JupyterHub.load_roles = [{{"name": "admin", "services": ["tests"]}}]
"""


@pytest.fixture(scope="session")
def oidc_provider():
    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="session")
def hub(tmp_path_factory, oidc_provider):
    data_dir = tmp_path_factory.mktemp("hub")
    port = free_port()
    platform = TestPlatform(f"http://localhost:{port}").start()
    trusted = TestPlatform(f"http://localhost:{port}").start()
    trusted_registration = dict(trusted.registration, name="trusted-lms", trust_username=True)
    environ = {
        "MYDOCKER_LTI11_CONSUMERS": f"{LTI11_KEY}:{LTI11_SECRET}",
        "MYDOCKER_LTI13_PLATFORMS": json.dumps([platform.registration, trusted_registration]),
        "MYDOCKER_OIDC_DISCOVERY_URL": f"{oidc_provider}/.well-known/openid-configuration",
        "MYDOCKER_OIDC_CLIENT_ID": OIDC_CLIENT_ID,
        "MYDOCKER_OIDC_CLIENT_SECRET": OIDC_CLIENT_SECRET,
        "MYDOCKER_ADMIN_USERS": "boss@univ.fr",
        "MYDOCKER_LMS_ORIGINS": "https://moodle.univ.fr",
    }
    hub = Hub(str(data_dir), port, environ, ENVIRONMENTS)
    hub.extra_config = TEST_SERVICE_CONFIG.format(token=ADMIN_TOKEN)
    db.configure(hub.db_url)
    accounts.create("prof", "teacher", password="prof-password-1")
    accounts.create("eleve", "student", password="eleve-password-1")
    accounts.create("marie@univ.fr", "teacher", password="marie-password-1")
    hub.start()
    hub.platform = platform
    hub.trusted_platform = trusted
    hub.oidc_url = oidc_provider
    hub.token = ADMIN_TOKEN
    yield hub
    hub.stop()
    platform.stop()
    trusted.stop()


@pytest.fixture
def own_hub(tmp_path):
    """A hub of its own (LTI 1.1 and 1.3), for tests that restart it or read its whole log."""
    port = free_port()
    platform = TestPlatform(f"http://localhost:{port}").start()
    environ = {
        "MYDOCKER_LTI11_CONSUMERS": f"{LTI11_KEY}:{LTI11_SECRET}",
        "MYDOCKER_LTI13_PLATFORMS": json.dumps([platform.registration]),
    }
    environments = [{"name": "python-l1", "image": "img:1", "teachers": ["teacher-r@lms"]}]
    hub = Hub(str(tmp_path), port, environ, environments)
    hub.platform = platform
    hub.start()
    yield hub
    hub.stop()
    platform.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed and "hub" in item.fixturenames:
        hub = item.funcargs.get("hub")
        if hub is not None:
            print(f"\n===== hub log =====\n{hub.logs(80)}", file=sys.stderr)
    return report

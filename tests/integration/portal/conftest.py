"""A real hub with the portal running as a Hub-managed service, for the portal's tests.

The hub is `authhub.Hub` (JupyterHub's simple spawner, configurable-http-proxy,
no Docker) configured with `mydocker_hub.portal.service.apply`: the same
service definition, roles and default URL as the platform. The environments
are written to the platform's database the way the hub writes those of its
configuration; enrolments are rows of that database. The portal offers the
platform's standard image besides a stand-in (``img:1``), builds on the local
Docker engine when a test brings it up, takes uploads up to 1 MiB and keeps
the last 2 builds of an image.
"""

import os
import re
import secrets
import sys

import pytest
import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "auth"))

from authhub import Hub  # noqa: E402
from deployment import IMAGE as STANDARD_IMAGE  # noqa: E402
from portal_login import login  # noqa: E402
from ports import free_port  # noqa: E402

from mydocker_hub import accounts, db  # noqa: E402
from mydocker_hub.environments import DatabaseEnvironmentCatalog  # noqa: E402

ADMIN_TOKEN = secrets.token_hex(32)
PORTAL = "/services/mydocker/"

ENVIRONMENTS = [
    {
        "name": "python-l1",
        "title": "Python (L1)",
        "description": "Exercises of the first year.",
        "image": "img:1",
        "teachers": ["prof"],
        "sessions": [
            {
                "start": "2099-03-03T14:00:00",
                "end": "2099-03-03T16:00:00",
                "timezone": "Europe/Paris",
            }
        ],
    },
    {
        "name": "draft-env",
        "title": "Draft of prof",
        "image": "img:1",
        "status": "DRAFT",
        "teachers": ["prof"],
    },
    {
        "name": "someone-else",
        "title": "Private of another",
        "image": "img:1",
        "teachers": ["another"],
    },
    {"name": "intro", "title": "Introduction", "image": "img:1", "public": True},
    {
        "name": "xss",
        "title": "<script>alert('x')</script>",
        "image": "img:1",
        "public": True,
        "description": "<b>not bold</b>",
    },
    {
        "name": "archived",
        "title": "Old course",
        "image": "img:1",
        "public": True,
        "status": "ARCHIVED",
    },
]

# A stand-in for JupyterLab: the simple spawner runs it, the hub sees it answer at its URL.
FAKE_SERVER = """
import http.server, os, urllib.parse
url = urllib.parse.urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
class Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"a server")
http.server.HTTPServer((url.hostname, url.port), Answer).serve_forever()
"""

HUB_CONFIG = """
import sys
from mydocker_hub.portal import service as portal_service
c.JupyterHub.services = [{{"name": "tests", "api_token": "{token}"}}]
c.JupyterHub.load_roles = [{{"name": "admin", "services": ["tests"]}}]
c.Spawner.cmd = [sys.executable, "-c", {fake_server!r}]
c.Spawner.args = []
portal_service.apply(
    c, "127.0.0.1", "{db_url}", port={port}, images=["img:1", "{standard_image}"],
    builds={{
        "MYDOCKER_IMAGES_DIR": "{images_dir}",
        "MYDOCKER_UPLOAD_LIMIT_MB": "1",
        "MYDOCKER_BUILDS_KEPT": "2",
    }},
)
"""


@pytest.fixture(scope="session")
def hub(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("portalhub")
    hub = Hub(str(data_dir), free_port(), {}, [])
    hub.extra_config = HUB_CONFIG.format(
        token=ADMIN_TOKEN,
        db_url=hub.db_url,
        port=free_port(),
        fake_server=FAKE_SERVER,
        standard_image=STANDARD_IMAGE,
        images_dir=data_dir / "images",
    )
    db._engine = None
    db.configure(hub.db_url)
    DatabaseEnvironmentCatalog(environments=ENVIRONMENTS)
    accounts.create("prof", "teacher", password="prof-password-1")
    accounts.create("eleve", "student", password="eleve-password-1")
    accounts.create("autre", "student", password="autre-password-1")
    for name in ("colview", "coledit", "autreprof"):
        accounts.create(name, "teacher", password=f"{name}-password-1")
    accounts.create("root", "admin", password="root-password-1")
    with db.session() as session:
        db.Enrolment.add(session, "python-l1", "eleve")
    hub.token = ADMIN_TOKEN
    hub.start()
    wait_for_portal(hub)
    yield hub
    hub.stop()


def wait_for_portal(hub, timeout=30):
    """The hub answers before its managed service listens: wait for the portal too."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            response = requests.get(
                f"{hub.url}/services/mydocker/", allow_redirects=False, timeout=2
            )
            if response.status_code == 302:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the portal did not answer:\n{hub.logs()}")


# The people of the permission matrices, and their accounts.
PEOPLE = ("anonymous", "student", "enrolled", "owner", "view", "edit", "other", "admin")
ACCOUNTS = {
    "student": "autre",
    "enrolled": "eleve",
    "owner": "prof",
    "view": "colview",
    "edit": "coledit",
    "other": "autreprof",
    "admin": "root",
}


@pytest.fixture(scope="module")
def people(hub):
    result = {"anonymous": requests.Session()}
    for person, account in ACCOUNTS.items():
        session = login(hub, account, f"{account}-password-1")
        page = session.get(f"{hub.url}{PORTAL}").text
        session.xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page).group(1)
        result[person] = session
    result["anonymous"].xsrf = ""
    return result


def cases(table):
    """The pytest cases of a permission table: one per person, with their expected code."""
    return [
        pytest.param(method, path, body, person, code, id=f"{method} {path} {person}")
        for (method, path, body), codes in table.items()
        for person, code in zip(PEOPLE, codes, strict=True)
    ]


@pytest.fixture
def student(hub):
    return login(hub, "eleve", "eleve-password-1")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed and "hub" in item.fixturenames:
        hub = item.funcargs.get("hub")
        if hub is not None:
            print(f"\n===== hub log =====\n{hub.logs(80)}", file=sys.stderr)
    return report

"""`make bench` (portal part): "My environments" against JupyterHub's own home page.

One real JupyterHub with the portal as its managed service (no Docker: the
pages only read), a database of 50 environments and 500 enrolments (50
students in 10 environments each, every environment with a session). The
same student loads our "My environments" and the hub's stock ``/hub/home``
(our template override switched off) in turn, `--requests` times each; the
server-side times come from each process's access log, the client-side ones
from the request. Prints one JSON line per page, then the ratios ours/stock.

    python -m benchmarks.portal [--requests 300]
"""

import argparse
import json
import os
import re
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# the tests' own hubs and counterparts, and their helpers (free ports)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration", "auth"))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration", "portal"))

from authhub import Hub  # noqa: E402
from portal_login import login  # noqa: E402
from ports import free_port  # noqa: E402

from benchmarks.stats import percentile  # noqa: E402
from mydocker_hub import accounts, db  # noqa: E402
from mydocker_hub.portal.models import EnvironmentRecord, SessionRecord  # noqa: E402

ENVIRONMENTS, STUDENTS, PER_STUDENT = 50, 50, 10
PORTAL = "/services/mydocker/"

CONFIG = """
from mydocker_hub.portal import service as portal_service
# Our login page, but JupyterHub's own home page, for the comparison.
c.JupyterHub.template_paths = ["{login_only}"]
portal_service.apply(c, "127.0.0.1", "{db_url}", port={port}, images=["img:1"])
"""
LOGIN_TEMPLATE = os.path.join(ROOT, "mydocker_hub", "templates", "login.html")

# Tornado's access log line: "200 GET /path (ip) 12.34ms"
ACCESS = re.compile(r"\] 200 GET (\S+) \([^)]*\) ([\d.]+)ms")


def seed():
    """50 environments with a session each; 50 students enrolled in 10 of them."""
    start = datetime.now(UTC) + timedelta(days=1)
    with db.session() as session:
        for n in range(ENVIRONMENTS):
            row = EnvironmentRecord(
                name=f"course-{n:02d}",
                title=f"Course {n}",
                image="img:1",
                owner="prof",
                status="READY",
            )
            row.sessions = [
                SessionRecord(start=start, end=start + timedelta(hours=2), timezone="Europe/Paris")
            ]
            session.add(row)
        for s in range(STUDENTS):
            for k in range(PER_STUDENT):
                db.Enrolment.add(session, f"course-{(s + k * 5) % ENVIRONMENTS:02d}", f"s{s:02d}")
    accounts.create("s00", "student", password="bench-password-1")


def measure(hub, session, path, count):
    for _ in range(20):  # warm up: caches, the OAuth token, the template
        session.get(hub.url + path).raise_for_status()
    log_start = len(hub.logs(10**7))
    client = []
    for _ in range(count):
        started = time.perf_counter()
        response = session.get(hub.url + path)
        client.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    time.sleep(0.5)  # the service's log is written by another process
    lines = ACCESS.findall(hub.logs(10**7)[log_start:])
    server = [float(ms) for p, ms in lines if p == path]
    # what the portal asks the hub for each page (the user's model and servers)
    hub_api = [float(ms) for p, ms in lines if p.startswith("/hub/api/users/")]
    return {
        "page": path,
        "requests": count,
        "server_ms_p50": round(percentile(server, 0.5), 2),
        "server_ms_p95": round(percentile(server, 0.95), 2),
        "client_ms_p50": round(percentile(client, 0.5), 2),
        "client_ms_p95": round(percentile(client, 0.95), 2),
        "server_samples": len(server),
        **({"hub_api_ms_p50": round(percentile(hub_api, 0.5), 2)} if hub_api else {}),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as data_dir:
        hub = Hub(data_dir, free_port(), {}, [])
        login_only = os.path.join(data_dir, "templates")
        os.makedirs(login_only)
        os.symlink(LOGIN_TEMPLATE, os.path.join(login_only, "login.html"))
        hub.extra_config = CONFIG.format(db_url=hub.db_url, port=free_port(), login_only=login_only)
        db._engine = None
        db.configure(hub.db_url)
        seed()
        hub.start()
        try:
            session = login(hub, "s00", "bench-password-1")
            page = session.get(hub.url + PORTAL).text
            shown = len(re.findall(r'data-environment="', page))
            assert shown == PER_STUDENT, f"the student should see {PER_STUDENT}, saw {shown}"
            ours = measure(hub, session, PORTAL, args.requests)
            stock = measure(hub, session, "/hub/home", args.requests)
        finally:
            hub.stop()
    print(json.dumps({"spawner": "ours", "environments": ENVIRONMENTS, **ours}))
    print(json.dumps({"spawner": "stock", **stock}))
    print(
        json.dumps(
            {
                "ratio": "ours/stock",
                "server_ms_p95": round(ours["server_ms_p95"] / stock["server_ms_p95"], 2),
                "client_ms_p95": round(ours["client_ms_p95"] / stock["client_ms_p95"], 2),
            }
        )
    )


if __name__ == "__main__":
    main()

"""`make bench` (launches part): a class arriving from its LMS, ours against ltiauthenticator.

Two real JupyterHubs in turn, the same configuration but the authenticator:
ours (``mydocker``) and the stock ``ltiauthenticator`` `LTI11Authenticator`,
each with the same LTI 1.1 consumer. `--launches` signed launches of distinct
students (PyPI `lti`'s ToolConsumer, as Moodle signs them) are posted
`--concurrency` at a time, redirects not followed; then `--single` more, one
at a time. Our launches enrol each student in the activity's environment;
the stock authenticator has no such thing. Prints one JSON line per
authenticator (p50/p95 latency, launches per second), then the ratios.

    python -m benchmarks.launches [--launches 300] [--concurrency 20] [--single 50]
"""

import argparse
import json
import os
import secrets
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from lti import ToolConsumer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration", "auth"))

from authhub import Hub, free_port  # noqa: E402

from benchmarks.stats import percentile  # noqa: E402

KEY, SECRET = "moodle-bench", secrets.token_urlsafe(24)
ENVIRONMENTS = [{"name": "intro", "title": "Introduction", "image": "img:1", "public": True}]
STOCK = f"""
c.JupyterHub.authenticator_class = "ltiauthenticator.lti11.auth.LTI11Authenticator"
c.LTI11Authenticator.consumers = {{"{KEY}": "{SECRET}"}}
# a student is the launch's user_id, and every launch that checks out may log in
# (without these, each launch is refused, quickly: no user is made)
c.LTI11Authenticator.username_key = "user_id"
c.LTI11Authenticator.allow_all = True
"""


def launch(hub, student):
    """One signed launch of `student`; its latency in ms."""
    data = ToolConsumer(
        consumer_key=KEY,
        consumer_secret=SECRET,
        launch_url=f"{hub.url}/hub/lti/launch",
        params={
            "lti_message_type": "basic-lti-launch-request",
            "lti_version": "LTI-1p0",
            "resource_link_id": "activity-1",
            "context_id": "course-1",
            "user_id": student,
            "roles": "Learner",
            "lis_person_name_full": f"Student {student}",
            "custom_environment": "intro",
        },
    ).generate_launch_data()
    started = time.perf_counter()
    response = requests.post(f"{hub.url}/hub/lti/launch", data=data, allow_redirects=False)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 302, (response.status_code, response.text[:300])
    # logged in: the hub's login cookie (a refused launch is a 302 too)
    assert "jupyterhub-hub-login" in response.cookies, response.headers.get("Location")
    return elapsed


def measure(name, extra_config, args):
    with tempfile.TemporaryDirectory() as data_dir:
        hub = Hub(data_dir, free_port(), {"MYDOCKER_LTI11_CONSUMERS": f"{KEY}:{SECRET}"}, [])
        hub.environments = ENVIRONMENTS
        hub.extra_config = extra_config
        hub.ready_path = "/hub/health"
        hub.start()
        try:
            for n in range(10):  # warm up
                launch(hub, f"warm-{n}")
            started = time.perf_counter()
            with ThreadPoolExecutor(args.concurrency) as pool:
                times = list(pool.map(lambda n: launch(hub, f"s-{n}"), range(args.launches)))
            wall = time.perf_counter() - started
            single = [launch(hub, f"one-{n}") for n in range(args.single)]
        finally:
            hub.stop()
    return {
        "authenticator": name,
        "launches": args.launches,
        "concurrency": args.concurrency,
        "ms_p50": round(percentile(times, 0.5), 1),
        "ms_p95": round(percentile(times, 0.95), 1),
        "per_second": round(args.launches / wall, 1),
        "single_ms_p50": round(percentile(single, 0.5), 1),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launches", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--single", type=int, default=50)
    args = parser.parse_args(argv)
    ours = measure("ours", "", args)
    stock = measure("stock", STOCK, args)
    print(json.dumps(ours))
    print(json.dumps(stock))
    print(
        json.dumps(
            {
                "ratio": "ours/stock",
                "ms_p50": round(ours["ms_p50"] / stock["ms_p50"], 2),
                "ms_p95": round(ours["ms_p95"] / stock["ms_p95"], 2),
                "per_second": round(ours["per_second"] / stock["per_second"], 2),
                "single_ms_p50": round(ours["single_ms_p50"] / stock["single_ms_p50"], 2),
            }
        )
    )


if __name__ == "__main__":
    main()

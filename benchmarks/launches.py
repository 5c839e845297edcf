"""`make bench` (launches part): a class arriving from its LMS, ours against ltiauthenticator.

Real JupyterHubs in turn, one per authenticator and LTI version, the same
configuration but the authenticator: ours (``mydocker``) and the stock
``ltiauthenticator`` one (`LTI11Authenticator`, `LTI13Authenticator`).

- LTI 1.1: each hub has the same consumer; `--launches` signed launches of
  distinct students (PyPI `lti`'s ToolConsumer, as Moodle signs them) are
  posted `--concurrency` at a time, redirects not followed; then `--single`
  more, one at a time.
- LTI 1.3: each hub has the same platform, the tests' `lti_platform`
  (PyPI `lti1p3platform`, served by uvicorn in a thread of this process, its
  signing key parsed once as an LMS keeps it loaded); the stock
  `LTI13Authenticator` is configured as its documentation says, its username
  being the id_token's ``sub``. `--launches` students play the whole flow as a
  browser does, `--concurrency` at a time, then `--single` more one at a time:
  login initiation at the hub, the hub's redirect to the platform's auth
  endpoint, whose signed id_token is posted to the hub's launch endpoint
  (redirects not followed). Timed whole (the platform's part, the same for
  both, included) and the final post alone (``post_*``).

Every launch must end logged in (the hub's login cookie): a refused launch is
a redirect too, and much quicker. Our launches enrol each student in the
activity's environment; the stock authenticators have no such thing. Prints
one JSON line per authenticator and version (p50/p95 latency, launches per
second), then the ratios ours/stock per version.

    python -m benchmarks.launches [--launches 300] [--concurrency 20] [--single 50]
                                  [--versions 1.1,1.3]
"""

import argparse
import functools
import json
import os
import secrets
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from cryptography.hazmat.primitives import serialization
from lti import ToolConsumer
from lti1p3platform.registration import Registration

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# the tests' own hubs and counterparts, and their helpers (free ports)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration", "auth"))

from authhub import Hub  # noqa: E402
from lti_platform import LEARNER, PlatformConfig, TestPlatform  # noqa: E402
from ports import free_port  # noqa: E402

from benchmarks.stats import percentile  # noqa: E402

VERSIONS = ("1.1", "1.3")
KEY, SECRET = "moodle-bench", secrets.token_urlsafe(24)
ENVIRONMENTS = [{"name": "intro", "title": "Introduction", "image": "img:1", "public": True}]
STOCK_LTI11 = f"""
c.JupyterHub.authenticator_class = "ltiauthenticator.lti11.auth.LTI11Authenticator"
c.LTI11Authenticator.consumers = {{"{KEY}": "{SECRET}"}}
# a student is the launch's user_id, and every launch that checks out may log in
# (without these, each launch is refused, quickly: no user is made)
c.LTI11Authenticator.username_key = "user_id"
c.LTI11Authenticator.allow_all = True
"""
STOCK_LTI13 = """
c.JupyterHub.authenticator_class = "ltiauthenticator.lti13.auth.LTI13Authenticator"
c.LTI13Authenticator.issuer = "{issuer}"
c.LTI13Authenticator.client_id = ["{client_id}"]
c.LTI13Authenticator.authorize_url = "{issuer}/auth"
c.LTI13Authenticator.jwks_endpoint = "{issuer}/jwks"
# a student is the id_token's sub (the default, email, is not in every launch),
# and every launch that checks out may log in
c.LTI13Authenticator.username_key = "sub"
c.LTI13Authenticator.allow_all = True
"""


@functools.cache
def _loaded_key(pem):
    return serialization.load_pem_private_key(pem.encode(), None)


@functools.cache
def _kid(pem):
    return Registration.get_jwk(pem).get("kid")


class KeptKeyRegistration(Registration):
    """lti1p3platform's registration with its private key parsed once, as an LMS keeps
    it loaded: the library parses the PEM twice per launch (0.13 s of CPU in this
    process, the same for both hubs, which would make the platform the bottleneck)."""

    def get_platform_private_key(self):
        return _loaded_key(super().get_platform_private_key())

    def get_kid(self):
        return _kid(super().get_platform_private_key())


class KeptKeyConfig(PlatformConfig):
    def get_registration_by_params(self, **kwargs):
        registration = super().get_registration_by_params(**kwargs)
        # lti_platform builds a plain Registration: the same one, keeping its key
        registration.__class__ = KeptKeyRegistration
        return registration


class BenchPlatform(TestPlatform):
    """The tests' LTI 1.3 platform, but for its key kept loaded (`KeptKeyRegistration`)."""

    def config(self):
        return KeptKeyConfig(**self.settings)


def assert_logged_in(response):
    """A launch that ended logged in: the hub's login cookie (a refused one is a 302 too)."""
    assert response.status_code == 302, (response.status_code, response.text[:300])
    assert "jupyterhub-hub-login" in response.cookies, response.headers.get("Location")


def launch11(hub, student):
    """One signed LTI 1.1 launch of `student`; its latency in ms."""
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
    assert_logged_in(response)
    return {"ms": elapsed}


def launch13(hub, student):
    """One LTI 1.3 launch of `student`, as a browser plays it; ms whole and of the post."""
    url = hub.platform.prepare(student, [LEARNER], custom={"environment": "intro"})
    session = requests.Session()
    started = time.perf_counter()
    start = session.get(url, allow_redirects=False)
    assert start.status_code == 302, (start.status_code, start.text[:300])
    form = session.get(start.headers["Location"], allow_redirects=False)
    assert form.status_code == 200, (form.status_code, form.text[:300])
    data = form.json()
    posted = time.perf_counter()
    response = session.post(
        data["launch_url"],
        data={"id_token": data["id_token"], "state": data["state"]},
        allow_redirects=False,
    )
    ended = time.perf_counter()
    assert_logged_in(response)
    return {"ms": (ended - started) * 1000, "post_ms": (ended - posted) * 1000}


def stock_config(version, platform):
    """The stock authenticator's configuration, for `platform` in LTI 1.3."""
    if version == "1.1":
        return STOCK_LTI11
    return STOCK_LTI13.format(issuer=platform.url, client_id=platform.registration["client_id"])


def start_hub(name, version, data_dir):
    """A hub with `name`'s authenticator for `version` launches (and its platform)."""
    port = free_port()
    environ = {"MYDOCKER_LTI11_CONSUMERS": f"{KEY}:{SECRET}"}
    platform = None
    if version == "1.3":
        # the platform's issuer is its own URL; it sends the id_token to this port
        platform = BenchPlatform(f"http://localhost:{port}").start()
        environ["MYDOCKER_LTI13_PLATFORMS"] = json.dumps([platform.registration])
    hub = Hub(data_dir, port, environ, ENVIRONMENTS)
    hub.extra_config = stock_config(version, platform) if name == "stock" else ""
    hub.ready_path = "/hub/health"
    hub.platform = platform
    try:
        hub.start()
    except BaseException:
        stop_hub(hub)
        raise
    return hub


def stop_hub(hub):
    hub.stop()
    if hub.platform:
        hub.platform.stop()


def summary(prefix, runs):
    """p50 (and p95) of each timing of `runs` (dicts of ms), named `prefix` + timing."""
    figures = {}
    for timing in runs[0]:
        values = [run[timing] for run in runs]
        stem = prefix + timing.removesuffix("ms")
        figures[f"{stem}ms_p50"] = round(percentile(values, 0.5), 1)
        if not prefix:
            figures[f"{stem}ms_p95"] = round(percentile(values, 0.95), 1)
    return figures


def measure(name, version, args):
    launch = {"1.1": launch11, "1.3": launch13}[version]
    with tempfile.TemporaryDirectory() as data_dir:
        hub = start_hub(name, version, data_dir)
        try:
            for n in range(10):  # warm up
                launch(hub, f"warm-{n}")
            started = time.perf_counter()
            with ThreadPoolExecutor(args.concurrency) as pool:
                runs = list(pool.map(lambda n: launch(hub, f"s-{n}"), range(args.launches)))
            wall = time.perf_counter() - started
            single = [launch(hub, f"one-{n}") for n in range(args.single)]
        finally:
            stop_hub(hub)
    return {
        "authenticator": name,
        "version": version,
        "launches": args.launches,
        "concurrency": args.concurrency,
        **summary("", runs),
        "per_second": round(args.launches / wall, 1),
        **summary("single_", single),
    }


def ratios(ours, stock):
    """ours/stock for every figure (lower is better but for per_second)."""
    figures = {k: v for k, v in ours.items() if k.endswith(("_p50", "_p95", "per_second"))}
    return {
        "ratio": "ours/stock",
        "version": ours["version"],
        **{k: round(v / stock[k], 2) for k, v in figures.items()},
    }


def versions(text):
    chosen = [v.strip() for v in text.split(",") if v.strip()]
    unknown = sorted(set(chosen) - set(VERSIONS))
    if not chosen or unknown:
        raise argparse.ArgumentTypeError(f"expected some of {','.join(VERSIONS)}, got {text!r}")
    return chosen


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launches", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--single", type=int, default=50)
    parser.add_argument(
        "--versions",
        type=versions,
        default=",".join(VERSIONS),
        help="the LTI versions to launch with, comma-separated (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    results = [(measure("ours", v, args), measure("stock", v, args)) for v in args.versions]
    for ours, stock in results:
        print(json.dumps(ours))
        print(json.dumps(stock))
    for ours, stock in results:
        print(json.dumps(ratios(ours, stock)))


if __name__ == "__main__":
    main()

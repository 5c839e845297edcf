"""A real platform for the integration tests: `mydocker-hub up` on the local Swarm.

It runs under its own prefix (``mydtest``, ``mydtest1`` for the second
pytest-xdist worker) and port, so that it never touches a platform deployed
on the same machine; everything named with the prefix is removed before and
after the session. When a test fails, its report shows the hub's logs and the
logs of the platform's services.
"""

import contextlib
import fcntl
import json
import os
import re
import subprocess
import sys
import tempfile

import pytest
from deployment import (
    CLI,
    LMS_ORIGIN,
    LTI11_KEY,
    LTI11_SECRET,
    PORT,
    PREFIX,
    ROOT,
    SUBNET,
    TEST_ENVIRONMENTS,
    Platform,
    platform_logs,
    remove_everything,
)

from mydocker_hub.deploy import engine

HUB_ONLY_FOLDERS = ("auth", "portal")


def pytest_collection_modifyitems(items):
    """Mark `hub_only` the tests of pages that need their own hub and no platform.

    `make integration` runs them beside the platform's tests (see the Makefile).
    """
    here = os.path.dirname(__file__)
    folders = tuple(os.path.join(here, folder) + os.sep for folder in HUB_ONLY_FOLDERS)
    for item in items:
        if str(item.path).startswith(folders) and "platform" not in item.fixturenames:
            item.add_marker(pytest.mark.hub_only)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed and "platform" in item.fixturenames:
        try:
            logs = platform_logs(PREFIX)
        except Exception as e:  # the logs are a help; never hide the failure
            logs = f"(could not read the logs: {e})"
        # A section of the report: pytest-xdist brings it back from the worker.
        report.sections.append(("logs of the platform", logs))
    return report


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by Playwright (installed here when missing).

    Per module: Playwright's synchronous API keeps an event loop running in
    this thread while it is open, which asyncio tests of other modules refuse.
    """
    if not os.path.exists(CHROMIUM):
        subprocess.run(
            ["apt-get", "install", "-y", "chromium"],
            check=True,
            capture_output=True,
            env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


# Locks shared by the pytest-xdist workers of `make integration`.
SETUP_LOCK = os.path.join(tempfile.gettempdir(), "mydocker-tests-setup.lock")
TURN_LOCK = os.path.join(tempfile.gettempdir(), "mydocker-tests-turn.lock")


@contextlib.contextmanager
def locked(path, operation):
    with open(path, "a") as file:
        fcntl.flock(file, operation)
        yield


@pytest.fixture(autouse=True)
def turn_on_the_platforms(request):
    """A test marked `alone` runs while no other worker runs a platform test.

    Such a test loads every CPU of the machine on purpose (a whole class
    starting at once): beside another worker's starts, its own would be timed
    out by a machine busier than the test says.
    """
    if "platform" not in request.fixturenames:
        yield
        return
    alone = request.node.get_closest_marker("alone") is not None
    with locked(TURN_LOCK, fcntl.LOCK_EX if alone else fcntl.LOCK_SH):
        yield


@pytest.fixture(scope="session")
def platform():
    """The platform, brought up with the same command an admin uses."""
    env = dict(
        os.environ,
        MYDOCKER_PREFIX=PREFIX,
        MYDOCKER_PORT=str(PORT),
        MYDOCKER_SUBNET=SUBNET,
        MYDOCKER_ENVIRONMENTS=json.dumps(TEST_ENVIRONMENTS),
        MYDOCKER_LTI11_CONSUMERS=f"{LTI11_KEY}:{LTI11_SECRET}",
        MYDOCKER_LMS_ORIGINS=LMS_ORIGIN,
    )
    env.pop("MYDOCKER_NETWORK", None)
    # One worker at a time: the first starts the engine and the Swarm and builds the
    # images; the others find them ready.
    with locked(SETUP_LOCK, fcntl.LOCK_EX):
        # Docker may not run yet (a fresh machine, or a restarted one): start it with
        # `up`'s own code, so that what an interrupted session left (the volumes that
        # keep the accounts, above all) is removed before `up`, which must start from
        # nothing.
        engine.ensure(say=print)
        subprocess.run([CLI, "down"], env=env, cwd=ROOT, capture_output=True)
        remove_everything(PREFIX)
        result = subprocess.run([CLI, "up"], env=env, cwd=ROOT, capture_output=True, text=True)
    sys.stdout.write(result.stdout)
    assert result.returncode == 0, f"mydocker-hub up failed:\n{result.stdout}\n{result.stderr}"
    password = re.search(r"password: (\S+)", result.stdout)
    assert password, "the first `up` must print the first administrator's password"
    yield Platform(
        url=f"http://127.0.0.1:{PORT}", prefix=PREFIX, admin_password=password.group(1), env=env
    )
    # The admin's command first, as they stop it; then what it keeps by design (the
    # volumes, the database) and anything it missed. A `down` that fails fails here.
    down = subprocess.run([CLI, "down"], env=env, cwd=ROOT, capture_output=True, text=True)
    remove_everything(PREFIX)
    assert down.returncode == 0, f"mydocker-hub down failed:\n{down.stdout}\n{down.stderr}"

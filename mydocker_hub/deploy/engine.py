"""Docker Engine: installed from Debian's packages and started when missing."""

import json
import os
import shutil
import subprocess
import time

import docker
from docker.errors import DockerException

from . import DeployError

DOCKERD_LOG = "/var/log/mydocker-dockerd.log"
DAEMON_CONFIG = "/etc/docker/daemon.json"


def connect(timeout=5):
    """A client of the local engine, or None when it does not answer."""
    try:
        client = docker.from_env(version="auto", timeout=timeout)
        client.ping()
        # Long operations (builds, imports) need more than the ping's timeout.
        client.api.timeout = 600
        return client
    except DockerException:
        return None


def install(say):
    if shutil.which("dockerd"):
        return
    if os.geteuid() != 0:
        raise DeployError(
            "Docker Engine is not installed; run as root to let mydocker-hub install it"
        )
    say("Installing Docker Engine from Debian's packages (docker.io)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "docker.io"]):
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            tail = (result.stderr or result.stdout).strip().splitlines()[-1:]
            raise DeployError(f"{' '.join(command)} failed: {' '.join(tail)}")


def _wait_for_exit_of_old_daemon(timeout=30):
    # A new dockerd exits at once while the old one still holds its pid file.
    deadline = time.monotonic() + timeout
    while os.path.exists("/var/run/docker.pid") and time.monotonic() < deadline:
        try:
            with open("/var/run/docker.pid") as f:
                os.kill(int(f.read().strip() or 0), 0)
        except (ProcessLookupError, ValueError):
            return
        except PermissionError:
            pass
        time.sleep(0.5)


def write_daemon_config(say, path=DAEMON_CONFIG):
    """Harden every container of a daemon this command starts: no-new-privileges.

    The Swarm API (1.41) has no such setting per service, so it is set for
    the whole daemon. An existing configuration is the admin's: left as it is.
    """
    if os.path.exists(path):
        with open(path) as f:
            try:
                config = json.load(f)
            except json.JSONDecodeError:
                config = {}
        if not config.get("no-new-privileges"):
            say(f'{path} does not set "no-new-privileges": true; user containers will lack it')
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump({"no-new-privileges": True}, f, indent=2)
    say(f"Wrote {path} (no-new-privileges for every container)")


def start(say, timeout=60):
    write_daemon_config(say)
    say(f"Starting the Docker daemon (log: {DOCKERD_LOG})")
    _wait_for_exit_of_old_daemon()
    log = open(DOCKERD_LOG, "ab")
    subprocess.Popen(
        [shutil.which("dockerd")],
        stdout=log,
        stderr=log,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        client = connect()
        if client is not None:
            return client
        time.sleep(1)
    raise DeployError(f"the Docker daemon did not answer within {timeout} s; see {DOCKERD_LOG}")


def ensure(say):
    """A client of a running engine, installing and starting it when needed."""
    client = connect()
    if client is not None:
        return client
    if os.environ.get("DOCKER_HOST"):
        raise DeployError(f"Docker is not reachable at DOCKER_HOST={os.environ['DOCKER_HOST']}")
    install(say)
    return start(say)


def require():
    """A client of the running engine, or a clear error (for commands that only look)."""
    client = connect()
    if client is None:
        raise DeployError("Docker is not reachable: is the platform up? (run `make up`)")
    return client

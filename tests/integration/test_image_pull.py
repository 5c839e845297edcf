"""Images fetched from a registry: the progress page shows the download."""

import io
import json
import os
import shutil
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import docker
import pytest
from deployment import (
    IMAGE,
    REGISTRY,
    docker_client,
    progress,
    service_name,
    start,
    start_ready,
    stop,
    wait_for_http,
    wait_until_gone,
)

REGISTRY_CONFIG = """\
version: 0.1
storage:
  filesystem:
    rootdirectory: {root}
  delete:
    enabled: true
http:
  addr: {address}
"""
# The registry's storage is kept between runs, so that the default image's
# layers are pushed once and not at every run (about half a minute). What no
# tag names any more, such as an earlier run's test layer, is collected before
# the registry starts.
REGISTRY_STORAGE = os.path.join(os.path.expanduser("~"), ".cache", "mydocker-tests", "registry")


def collect_garbage(config):
    """Remove the layers that no tag names; start afresh from a storage that is unusable."""
    if not os.path.isdir(
        os.path.join(REGISTRY_STORAGE, "docker", "registry", "v2", "repositories")
    ):
        return  # nothing pushed yet
    collected = subprocess.run(
        ["docker-registry", "garbage-collect", "--delete-untagged", str(config)],
        capture_output=True,
    )
    if collected.returncode != 0:
        shutil.rmtree(REGISTRY_STORAGE)


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    """Debian's docker-registry (distribution 2.8), on the loopback interface."""
    if not shutil.which("docker-registry"):
        subprocess.run(
            ["apt-get", "install", "-y", "docker-registry"],
            check=True,
            capture_output=True,
            env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
        )
    root = tmp_path_factory.mktemp("registry")
    config = root / "config.yml"
    config.write_text(REGISTRY_CONFIG.format(root=REGISTRY_STORAGE, address=REGISTRY))
    collect_garbage(config)
    process = subprocess.Popen(
        ["docker-registry", "serve", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_http(f"http://{REGISTRY}/v2/", "the registry", timeout=30)
    yield process
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="module")
def published_image(registry):
    """An image only the registry has: a 30 MB layer on top of the default image.

    From a local registry the layer arrives within one of Docker's progress
    ticks: the percentages in between are the unit tests' business.
    """
    client = docker_client()
    tag = f"{REGISTRY}/mydtest/pulled:1"
    dockerfile = f"FROM {IMAGE}\nRUN head -c 30000000 /dev/urandom > /home/student/.blob\n"
    client.images.build(fileobj=io.BytesIO(dockerfile.encode()), tag=tag, rm=True)
    for line in client.images.push(tag, stream=True, decode=True):
        assert "error" not in line, line
    client.images.remove(tag, force=True)
    yield tag
    try:
        client.images.remove(tag, force=True)
    except Exception:
        pass


@pytest.fixture(scope="module")
def api(platform):
    return platform.admin_api()


def test_fetching_the_image_is_shown_with_its_percentage(platform, api, published_image):
    user = "pull-student"
    events = start_ready(platform, api, user, "pulled")
    messages = [e["message"] for e in events]
    assert f"Fetching the image {published_image}" in messages
    percents = [int(m.split(": ")[1][:-1]) for m in messages if m.startswith("Fetching the image:")]
    assert percents == sorted(percents) and percents[-1] == 100, messages
    assert docker_client().images.get(published_image)
    stop(platform, api, user, "pulled")


def test_an_image_no_registry_has_fails_at_once(platform, api, registry):
    started = time.monotonic()
    response = start(platform, api, "unpublished-student", "unpublished")
    if response.status_code == 202:
        events = progress(platform, api, "unpublished-student", "unpublished")
        message = events[-1]["message"]
    else:
        assert response.status_code == 503, response.text
        message = response.json()["message"]
    assert "could not be fetched" in message
    assert time.monotonic() - started < 15
    wait_until_gone(service_name(platform.prefix, "unpublished-student", "unpublished"), 5)


def wait_for_message(platform, api, user, environment, beginning, timeout=60):
    """Until the start's progress has a message beginning with `beginning`."""
    url = f"{platform.url}/hub/api/users/{user}/servers/{environment}/progress"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with api.get(url, stream=True, timeout=timeout) as response:
            for line in response.iter_lines(decode_unicode=True):
                if line.startswith("data:"):
                    message = json.loads(line[5:]).get("message", "")
                    if message.startswith(beginning):
                        return
                    if time.monotonic() > deadline:
                        break
        time.sleep(0.2)  # the start was not under way yet: its stream ended at once
    raise AssertionError(f"{user}'s start never said {beginning!r}")


def test_two_students_starting_a_missing_image_at_once_cause_one_pull(
    platform, api, published_image, registry
):
    client = docker_client()
    try:
        client.images.remove(published_image, force=True)  # pulled by an earlier test
    except docker.errors.ImageNotFound:
        pass
    hub = client.containers.get(f"{platform.prefix}-hub")
    # To the fraction of a second: the test before pulled the same image a moment ago.
    since = time.time()
    users = ["pull-twin-a", "pull-twin-b"]
    # The registry holds its answer until both starts wait for the download: "at once"
    # does not depend on how fast the first download is.
    registry.send_signal(signal.SIGSTOP)
    try:
        with ThreadPoolExecutor(2) as pool:
            started = [pool.submit(start_ready, platform, api, user, "pulled") for user in users]
            for user in users:
                wait_for_message(platform, api, user, "pulled", "Fetching the image")
            registry.send_signal(signal.SIGCONT)
            results = [run.result() for run in started]
    finally:
        registry.send_signal(signal.SIGCONT)
    for events in results:  # both saw the download's percentage
        messages = [e["message"] for e in events]
        assert any(m.startswith("Fetching the image") for m in messages), messages
    log = hub.logs(since=since).decode(errors="replace")
    pulls = [line for line in log.splitlines() if f"Pulled {published_image}" in line]
    assert len(pulls) == 1, pulls
    for user in users:
        stop(platform, api, user, "pulled")

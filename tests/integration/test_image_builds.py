"""Image builds on the real Docker engine: the log as it comes, limits, failure, cancel, root.

`mydocker_hub.portal.builds.runner` builds from the platform's standard
image (made by `make up`), the way the portal will run a teacher's build.
"""

import os
import threading
import time
import uuid

import docker
import pytest
from deployment import IMAGE, docker_client

from mydocker_hub.portal.builds import runner

TAG = "mydtest/build-test"


@pytest.fixture(scope="module")
def client(platform):  # the platform fixture brings up the engine and the standard image
    api = docker.APIClient(version="auto", timeout=600)
    yield api
    # by tag: an image of these tests may be a layer of another build on the engine
    for image in api.images(name=TAG):
        for tag in image["RepoTags"] or ():
            api.remove_image(tag)
    api.close()


@pytest.fixture
def context(tmp_path):
    # new content at each run: the steps after COPY run again, not from Docker's cache
    (tmp_path / "hello.txt").write_text(f"bonjour {uuid.uuid4()}\n")
    return str(tmp_path)


def build(client, context, dockerfile, tag, **kwargs):
    lines = []
    job = runner.BuildJob(context_dir=context, dockerfile=dockerfile, tag=tag, **kwargs)
    started = time.monotonic()
    result = runner.run_build(client, job, lines.append)
    return result, lines, time.monotonic() - started


COURSE = f"""FROM {IMAGE}
COPY hello.txt /opt/course/hello.txt
RUN cat /sys/fs/cgroup/memory.max 2>/dev/null || \\
    cat /sys/fs/cgroup/memory/memory.limit_in_bytes
USER root
RUN pip install --no-cache-dir --no-deps six==1.16.0 && \\
    python -c "import six; print('six', six.__version__)"
USER student
"""


def test_a_course_image_builds_with_its_log_in_order_its_limits_and_its_files(client, context):
    result, lines, seconds = build(client, context, COURSE, f"{TAG}:1", memory="512M")
    log = "".join(lines)
    assert result.status == runner.OK, log
    assert [number for number, _, _ in result.steps] == [1, 2, 3, 4, 5, 6]
    assert result.steps[1][2] == "COPY hello.txt /opt/course/hello.txt"
    assert str(512 * 2**20) in log  # the build ran under its memory limit
    assert "six 1.16.0" in log
    assert result.root_warning == ""
    out = docker_client().containers.run(
        f"{TAG}:1", ["cat", "/opt/course/hello.txt"], remove=True, network_disabled=True
    )
    assert out == open(os.path.join(context, "hello.txt"), "rb").read()
    again, lines_again, cached_seconds = build(client, context, COURSE, f"{TAG}:2", memory="512M")
    assert again.status == runner.OK
    assert "Using cache" in "".join(lines_again)
    print(f"\nbuild: {seconds:.1f} s without the layer cache, {cached_seconds:.1f} s with it")


def test_a_failing_step_ends_in_error_with_its_output(client, context):
    dockerfile = f"FROM {IMAGE}\nRUN echo about-to-fail && false\n"
    result, lines, _ = build(client, context, dockerfile, f"{TAG}:fail")
    assert result.status == runner.ERROR
    assert "returned a non-zero code: 1" in result.error
    assert "about-to-fail" in "".join(lines)


def test_an_image_that_runs_as_root_is_flagged_with_the_fix(client, context):
    result, lines, _ = build(client, context, f"FROM {IMAGE}\nUSER root\n", f"{TAG}:root")
    assert result.status == runner.OK
    assert result.root_warning == runner.ROOT_ADVICE
    assert runner.ROOT_ADVICE in "".join(lines)


def test_a_cancelled_build_stops_within_five_seconds_and_leaves_no_container(client, context):
    dockerfile = f"FROM {IMAGE}\nRUN echo sleeping {uuid.uuid4()} && sleep 120\n"
    cancel = threading.Event()
    lines, outcome = [], {}
    job = runner.BuildJob(context_dir=context, dockerfile=dockerfile, tag=f"{TAG}:cancel")

    def run():
        outcome["result"] = runner.run_build(client, job, lines.append, cancel)
        outcome["ended"] = time.monotonic()

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 120
    while not any(line.startswith("sleeping") for line in lines) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert any(line.startswith("sleeping") for line in lines), lines
    asked = time.monotonic()
    cancel.set()
    thread.join(30)
    assert outcome["result"].status == runner.CANCELLED
    assert outcome["ended"] - asked < 5
    # Docker removes the step's container once the client has gone
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and sleeping_containers(client):
        time.sleep(0.5)
    assert sleeping_containers(client) == []


def sleeping_containers(client):
    return [c["Id"] for c in client.containers(all=True) if "sleep 120" in c["Command"]]


def test_nothing_of_the_platform_reaches_the_build(client, context):
    os.environ["JUPYTERHUB_API_TOKEN"] = "must-not-leak"
    try:
        dockerfile = f"FROM {IMAGE}\nRUN echo {uuid.uuid4()}; env; " + (
            "ls /var/run/docker.sock || echo no-socket\n"
        )
        result, lines, _ = build(client, context, dockerfile, f"{TAG}:env")
    finally:
        del os.environ["JUPYTERHUB_API_TOKEN"]
    log = "".join(lines)
    assert result.status == runner.OK, log
    assert "must-not-leak" not in log
    assert "no-socket" in log

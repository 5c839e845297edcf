"""A teacher's image built through the portal on the real Docker engine.

The portal runs as the hub's service (the portal's test hub) and builds with
the local engine that the `platform` fixture brings up, from the platform's
standard image. The tests read the build's log the way the page does (its
server-sent events), and check the result with Docker itself. The figures
(build times, the first line's delay, the hub's answers during a build) are
those of `make bench` (`benchmarks/builds.py`).
"""

import json
import os
import re
import socket
import time
import uuid
import zipfile
from io import BytesIO

import pytest
from deployment import IMAGE, docker_client
from portal_login import login

PORTAL = "/services/mydocker/"
NAME = f"course-{uuid.uuid4().hex[:6]}"


def dockerfile(extra=""):
    return f"""FROM {IMAGE}
COPY course/hello.txt /opt/course/hello.txt
USER root
RUN pip install --no-cache-dir --no-deps six==1.16.0 && \\
    python -c "import six; print('six', six.__version__)"
{extra}USER student
"""


@pytest.fixture(scope="module")
def prof(platform, hub):  # `platform`: the Docker engine and the standard image
    session = login(hub, "prof", "prof-password-1")
    page = session.get(f"{hub.url}{PORTAL}images/new").text
    session.xsrf = page.split('name="_xsrf" value="', 1)[1].split('"', 1)[0]
    yield session
    # the image, its builds and its test environment go: the hub is shared with other tests
    deleted = api(hub, session, "DELETE", NAME)
    assert deleted.status_code == 204, deleted.text
    client = docker_client()
    for image in client.images.list(name=f"mydocker/{NAME}"):
        for tag in image.tags:
            client.images.remove(tag, force=True)


def api(hub, session, method, path, **kwargs):
    headers = {"X-XSRFToken": session.xsrf}
    url = f"{hub.url}{PORTAL}api/images" + (f"/{path}" if path else "")
    return session.request(method, url, headers=headers, timeout=60, **kwargs)


def context_zip(files):
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def follow(hub, session, number):
    """The build's log as the page reads it: (lines with their arrival time, end event)."""
    url = f"{hub.url}{PORTAL}api/images/{NAME}/builds/{number}/log"
    lines, end = [], None
    with session.get(url, stream=True, timeout=600) as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        kind = "message"
        for raw in response.iter_lines(decode_unicode=True):
            if raw.startswith("event: "):
                kind = raw[len("event: ") :]
            elif raw.startswith("data: "):
                data = json.loads(raw[len("data: ") :])
                if kind == "end":
                    end = data
                    break
                lines.append((time.monotonic(), data["line"]))
                kind = "message"
    return lines, end


def start(hub, session):
    response = api(hub, session, "POST", f"{NAME}/builds")
    assert response.status_code == 202, response.text
    return response.json()["number"], time.monotonic()


def test_an_image_builds_through_the_portal_with_its_log_live_and_its_files(hub, prof):
    content = f"bonjour {uuid.uuid4()}\n"
    created = api(hub, prof, "POST", "", json={"name": NAME, "dockerfile": dockerfile()})
    assert created.status_code == 201, created.text
    uploaded = api(
        hub, prof, "PUT", f"{NAME}/context", data=context_zip({"course/hello.txt": content})
    )
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["files"] == [{"path": "course/hello.txt", "size": len(content)}]

    number, _ = start(hub, prof)
    lines, end = follow(hub, prof, number)
    log = "".join(line for _, line in lines)
    assert end["status"] == "OK", log
    assert end["root_warning"] == ""
    steps = [line.split(" : ")[0] for _, line in lines if line.startswith("Step ")]
    assert steps == [f"Step {n}/5" for n in range(1, 6)]  # each step, in order
    assert "six 1.16.0" in log
    tag = f"mydocker/{NAME}:{number}"
    out = docker_client().containers.run(
        tag, ["cat", "/opt/course/hello.txt"], remove=True, network_disabled=True
    )
    assert out.decode() == content
    assert docker_client().images.get(tag).attrs["Config"]["User"] == "student"

    stored = api(hub, prof, "GET", f"{NAME}/builds/{number}").json()
    assert stored["status"] == "OK" and "six 1.16.0" in stored["log"]  # kept for later

    tested = api(hub, prof, "POST", f"{NAME}/builds/{number}/test")
    assert tested.status_code == 200, tested.text
    assert tested.json()["environment"] == f"test-{NAME}"
    environment = prof.get(
        f"{hub.url}{PORTAL}api/environments/test-{NAME}", headers={"X-XSRFToken": prof.xsrf}
    ).json()
    assert (environment["image"], environment["status"]) == (tag, "TEST")

    again, _ = start(hub, prof)  # nothing changed: Docker's layer cache
    lines, end = follow(hub, prof, again)
    assert end["status"] == "OK"
    assert "Using cache" in "".join(line for _, line in lines)


def change_dockerfile(hub, session, text):
    version = api(hub, session, "GET", NAME).json()["version"]
    changed = api(hub, session, "PATCH", NAME, json={"dockerfile": text, "version": version})
    assert changed.status_code == 200, changed.text


def test_a_failing_step_ends_in_error_with_its_output_in_the_log(hub, prof):
    change_dockerfile(hub, prof, f"FROM {IMAGE}\nRUN echo about-to-fail && false\n")
    number, _ = start(hub, prof)
    lines, end = follow(hub, prof, number)
    log = "".join(line for _, line in lines)
    assert end["status"] == "ERROR"
    assert "returned a non-zero code: 1" in end["error"]
    assert "about-to-fail" in log
    stored = api(hub, prof, "GET", f"{NAME}/builds/{number}").json()
    assert "about-to-fail" in stored["log"]  # readable later


def test_a_cancelled_build_stops_within_seconds_and_leaves_no_container(hub, prof):
    client = docker_client()
    # This build's step alone (the engine runs other tests' containers meanwhile).
    step = f"echo sleeping {uuid.uuid4().hex} && sleep 300"
    change_dockerfile(hub, prof, f"FROM {IMAGE}\nRUN {step}\n")
    number, _ = start(hub, prof)
    asked = {}
    url = f"{hub.url}{PORTAL}api/images/{NAME}/builds/{number}/log"
    with prof.get(url, stream=True, timeout=120) as response:
        for raw in response.iter_lines(decode_unicode=True):
            if "sleeping" in raw and "cancel" not in asked:
                asked["cancel"] = time.monotonic()
                cancelled = api(hub, prof, "POST", f"{NAME}/builds/{number}/cancel")
                assert cancelled.status_code == 202, cancelled.text
            if raw.startswith("event: end"):
                asked["ended"] = time.monotonic()
                break
    assert "cancel" in asked, "the step never started"
    seconds = asked["ended"] - asked["cancel"]
    assert seconds < 5
    assert api(hub, prof, "GET", f"{NAME}/builds/{number}").json()["status"] == "CANCELLED"
    # Docker may still be removing the step's container: within the 5 s, none is left
    while True:
        left = {c["Id"] for c in client.api.containers(all=True) if step in c["Command"]}
        if not left or time.monotonic() > asked["cancel"] + 5:
            break
        time.sleep(0.2)
    assert not left, f"containers left by the build: {left}"


def test_an_upload_too_large_is_refused_before_its_body_is_read_and_nothing_is_stored(hub, prof):
    # Straight to the portal: the headers alone go out, announcing 8 MiB (the
    # test hub's limit is 1 MiB), and the answer comes without the body.
    portal_port = int(re.search(r"port=(\d+)", hub.extra_config).group(1))
    cookies = "; ".join(f"{c.name}={c.value}" for c in prof.cookies)
    request = (
        f"PUT {PORTAL}api/images/{NAME}/context HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{portal_port}\r\nCookie: {cookies}\r\nX-XSRFToken: {prof.xsrf}\r\n"
        f"Content-Type: application/zip\r\nContent-Length: {8 * 2**20}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", portal_port), timeout=10) as connection:
        connection.sendall(request.encode())
        answer = connection.recv(65536).decode("utf-8", "replace")
    assert answer.startswith("HTTP/1.1 413"), answer[:300]
    assert "The file is too large to upload: the limit is 1 MiB." in answer
    # Through the hub's proxy, as a script sends it, a body a little too large: the
    # portal reads and drops it, and the same answer comes back (not the proxy's 503).
    refused = api(hub, prof, "PUT", f"{NAME}/context", data=b"x" * (2 * 2**20))
    assert refused.status_code == 413
    assert refused.json()["error"] == "archive_too_large"
    assert refused.json()["message"] == "The file is too large to upload: the limit is 1 MiB."
    french = prof.put(
        f"{hub.url}{PORTAL}api/images/{NAME}/context",
        data=b"x" * (2 * 2**20),
        headers={"X-XSRFToken": prof.xsrf, "Accept-Language": "fr"},
        timeout=60,
    )
    assert french.status_code == 413
    assert french.json()["message"].startswith("Le fichier est trop gros pour être envoyé")
    images_dir = re.search(r'"MYDOCKER_IMAGES_DIR": "([^"]+)"', hub.extra_config).group(1)
    assert os.listdir(os.path.join(images_dir, NAME)) == ["context"]  # no upload kept


def test_a_crafted_archive_is_refused_with_its_reason_and_the_old_context_kept(hub, prof):
    before = api(hub, prof, "GET", f"{NAME}/context").json()["files"]
    assert before  # the context of the first test
    refused = api(
        hub, prof, "PUT", f"{NAME}/context", data=context_zip({"../../etc/cron.d/x": "boom"})
    )
    assert refused.status_code == 400
    assert "uses “..” to leave its folder" in refused.json()["message"]
    assert api(hub, prof, "GET", f"{NAME}/context").json()["files"] == before


def test_a_build_gets_no_secret_of_the_platform_and_an_image_as_root_is_flagged(hub, prof):
    change_dockerfile(
        hub,
        prof,
        f"FROM {IMAGE}\nUSER root\n"
        "RUN env | cut -d= -f1 | sort | tr '\\n' ' ' && echo && "
        "(test -S /var/run/docker.sock && echo SOCKET-FOUND || echo no-socket)\n",
    )
    number, _ = start(hub, prof)
    lines, end = follow(hub, prof, number)
    log = "".join(line for _, line in lines)
    assert end["status"] == "OK", log
    outputs = log.splitlines()  # whole lines: the step's command, echoed, names both
    assert "no-socket" in outputs and "SOCKET-FOUND" not in outputs
    for secret in ("JUPYTERHUB_API_TOKEN", "JUPYTERHUB_CLIENT_ID", "MYDOCKER_DB_URL", "COOKIE"):
        assert secret not in log
    # it ends as root: built, but flagged with the fix, since the platform refuses to run it
    assert "USER student" in end["root_warning"]
    assert "runs as root" in log
    builds = api(hub, prof, "GET", f"{NAME}/builds").json()["builds"]
    assert builds[0]["number"] == number and builds[0]["root_warning"]


def test_old_builds_are_removed_from_the_engine_but_not_the_tested_one(hub, prof):
    change_dockerfile(hub, prof, dockerfile())
    number, _ = start(hub, prof)
    _, end = follow(hub, prof, number)
    assert end["status"] == "OK"
    kept = [b["number"] for b in api(hub, prof, "GET", f"{NAME}/builds").json()["builds"]]
    # the test hub keeps 2 builds; build 1 stays: the test environment runs it
    assert kept == [number, number - 1, 1], kept
    tags = {
        tag for image in docker_client().images.list(name=f"mydocker/{NAME}") for tag in image.tags
    }
    assert f"mydocker/{NAME}:1" in tags and f"mydocker/{NAME}:{number}" in tags
    assert f"mydocker/{NAME}:2" not in tags  # an OK build nobody uses any more

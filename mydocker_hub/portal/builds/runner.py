"""Run one image build on the Docker engine, its log line by line, within its limits.

Blocking code for a thread of its own (docker-py's low-level client, never on
the event loop). The build context is the teacher's extracted folder plus
their Dockerfile, sent as a tar stream; Docker's answer is read as it comes,
and each line of output is handed to `on_line` (the portal stores it and
streams it to the page). The build runs with a memory and CPU limit, gets
nothing of the platform (no token, no secret, no socket: only what is in
the context), and stops when its time is up or when `cancel` is set; Docker
removes its intermediate containers in every case (``forcerm``).

At the end, an image that would run as root is flagged: the spawner refuses
such an image, and the teacher is told how to fix it.
"""

import io
import os
import re
import tarfile
import threading
from dataclasses import dataclass, field

from docker.errors import APIError, DockerException
from docker.utils import parse_bytes
from requests.exceptions import ConnectionError as RequestsConnectionError

from ...swarm.passwd import numeric_uid, read_image_passwd, runs_as_root

OK, ERROR, CANCELLED = "OK", "ERROR", "CANCELLED"
STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")
RUNNING_IN = re.compile(r"---> Running in ([0-9a-f]+)")
ROOT_ADVICE = (
    "This image runs as root, which the platform refuses to start. End the Dockerfile "
    "with a USER line naming an ordinary user, for example: USER student"
)


@dataclass(frozen=True)
class BuildJob:
    """What to build: the context folder, the Dockerfile's text, the tag, the limits."""

    context_dir: str
    dockerfile: str
    tag: str
    memory: str = "2G"
    cpu_shares: int = 512  # half a CPU's weight when CPUs are contended
    timeout_seconds: int = 20 * 60


@dataclass
class BuildResult:
    status: str
    image_id: str = ""
    error: str = ""
    root_warning: str = ""
    steps: list = field(default_factory=list)  # (number, total, instruction), in order


def context_stream(job):
    """The build context as an uncompressed tar: the folder's files, then the Dockerfile."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name in sorted(os.listdir(job.context_dir)):
            if name == "Dockerfile":
                continue  # the teacher's Dockerfile is the one of the page
            archive.add(os.path.join(job.context_dir, name), arcname=name)
        data = job.dockerfile.encode()
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(data)
        info.mode = 0o644
        archive.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    return buffer


def run_build(client, job, on_line, cancel=None):
    """Build `job` with the low-level `client`; each output line goes to `on_line(text)`.

    Returns a `BuildResult`: OK with the image's id (and a root warning when
    it runs as root), ERROR with Docker's message, or CANCELLED (asked, or out
    of time). A step may print nothing for minutes: a watcher thread stops
    it as soon as `cancel` is set or the time is up.
    """
    cancel = cancel or threading.Event()
    result = BuildResult(status=ERROR)
    state = {"container": None, "stopped": ""}
    finished = threading.Event()

    def watch():
        asked = cancel.wait(job.timeout_seconds)
        if finished.is_set():
            return
        state["stopped"] = "Cancelled." if asked else "Out of time."
        stop_step(client, state["container"])

    threading.Thread(target=watch, daemon=True, name="mydocker-build-watch").start()
    stream = client.build(
        fileobj=context_stream(job),
        custom_context=True,
        tag=job.tag,
        rm=True,
        forcerm=True,
        pull=False,
        decode=True,
        container_limits={"memory": parse_bytes(job.memory), "cpushares": job.cpu_shares},
        timeout=job.timeout_seconds + 60,
    )
    try:
        for chunk in stream:
            if state["stopped"]:
                break
            if "stream" in chunk:
                text = chunk["stream"]
                running = RUNNING_IN.search(text)
                if running:
                    state["container"] = running[1]
                    if state["stopped"]:  # asked while this step's container was made
                        stop_step(client, running[1])
                step = STEP.match(text.strip())
                if step:
                    result.steps.append((int(step[1]), int(step[2]), step[3]))
                on_line(text)
            elif "error" in chunk:
                result.error = chunk["error"].strip()
                break
            elif "aux" in chunk and "ID" in chunk["aux"]:
                result.image_id = chunk["aux"]["ID"]
    except (APIError, DockerException, RequestsConnectionError) as e:
        result.error = f"The build stopped: {e}"
    finally:
        finished.set()
        close = getattr(stream, "close", None)
        if close:
            close()
    if state["stopped"]:
        stop_step(client, state["container"])
        result.status, result.error, result.image_id = CANCELLED, state["stopped"], ""
    if result.error:
        on_line(f"{result.error}\n")
        return result
    if not result.image_id:
        result.image_id = client.inspect_image(job.tag)["Id"]
    result.status = OK
    result.root_warning = root_warning(client, result.image_id)
    if result.root_warning:
        on_line(f"{result.root_warning}\n")
    return result


def stop_step(client, container_id):
    """Remove the container of the step under way: Docker's builder does not stop a step
    when its client goes away, so the step's own container is killed."""
    if container_id:
        try:
            client.remove_container(container_id, force=True)
        except (APIError, DockerException):
            pass  # already gone: the step ended on its own


def root_warning(client, image_id):
    """The advice for an image that runs as root, or ""."""
    user = client.inspect_image(image_id)["Config"].get("User") or ""
    # a user by name other than root: its uid is in the image's /etc/passwd
    passwd_text = read_image_passwd(client, image_id) if numeric_uid(user) is None else ""
    return ROOT_ADVICE if runs_as_root(user, passwd_text) else ""

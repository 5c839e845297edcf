"""`make bench` (builds part): a teacher's build through the portal against Docker alone.

One real JupyterHub with the portal as its managed service, building on the
local engine (`make up` brought it up, with the standard image). The same
course Dockerfile (a file copied from the context, a pip install) is built
`--builds` times each way, each time with new context content so that the
steps after COPY run again:

- ours: asked with the portal's API, its log read as the page reads it
  (server-sent events through the hub's proxy);
- stock: ``docker build`` through docker-py, the log read from the engine.

For each: the time to the first log line and to the end, with and without the
layer cache. Meanwhile the hub's ``/hub/health`` is asked every 0.1 s: its
answer time during the portal's builds against the same hub idle. Prints one
JSON line per side, then the ratios ours/stock.

    python -m benchmarks.builds [--builds 3]
"""

import argparse
import io
import json
import os
import sys
import tarfile
import tempfile
import threading
import time
import uuid
import zipfile

import docker
import requests

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
from mydocker_hub.deploy.images import JUPYTERLAB_IMAGE  # noqa: E402

PORTAL = "/services/mydocker/"
CONFIG = """
from mydocker_hub.portal import service as portal_service
portal_service.apply(
    c, "127.0.0.1", "{db_url}", port={port}, images=["{image}"],
    builds={{"MYDOCKER_IMAGES_DIR": "{images_dir}", "MYDOCKER_BUILDS_KEPT": "2"}},
)
"""
DOCKERFILE = f"""FROM {JUPYTERLAB_IMAGE}
COPY course/hello.txt /opt/course/hello.txt
USER root
RUN pip install --no-cache-dir --no-deps six==1.16.0
USER student
"""
STOCK_TAG = "mydocker-bench/stock"


class HealthProbe(threading.Thread):
    """``/hub/health`` every 0.1 s, its answer times in ms, while `running` is set."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.url, self.times = url, []
        self.running, self.stop = threading.Event(), threading.Event()

    def run(self):
        while not self.stop.is_set():
            if self.running.is_set():
                started = time.perf_counter()
                requests.get(f"{self.url}/hub/health", timeout=10).raise_for_status()
                self.times.append((time.perf_counter() - started) * 1000)
            time.sleep(0.1)


def context_of(content):
    return {"course/hello.txt": content}


def portal_build(hub, session, content):
    """(first line s, total s) of one build through the portal."""
    headers = {"X-XSRFToken": session.xsrf}
    api = f"{hub.url}{PORTAL}api/images/bench"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in context_of(content).items():
            archive.writestr(name, text)
    session.put(f"{api}/context", data=buffer.getvalue(), headers=headers).raise_for_status()
    asked = time.perf_counter()
    answer = session.post(f"{api}/builds", headers=headers)
    answer.raise_for_status()
    first, kind, status = None, "message", None
    url = f"{api}/builds/{answer.json()['number']}/log"
    with session.get(url, stream=True, timeout=600) as stream:
        for raw in stream.iter_lines(decode_unicode=True):
            if raw.startswith("event: "):
                kind = raw[len("event: ") :]
            elif raw.startswith("data: "):
                if kind == "end":
                    status = json.loads(raw[len("data: ") :])["status"]
                    break
                first = first or time.perf_counter()
    assert status == "OK", f"the portal's build ended {status}"
    return first - asked, time.perf_counter() - asked


def stock_build(client, content, number):
    """(first line s, total s) of the same build with docker-py alone."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, text in {**context_of(content), "Dockerfile": DOCKERFILE}.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    asked = time.perf_counter()
    first = None
    for chunk in client.build(
        fileobj=buffer, custom_context=True, tag=f"{STOCK_TAG}:{number}", rm=True, decode=True
    ):
        first = first or time.perf_counter()
        assert "error" not in chunk, chunk
    return first - asked, time.perf_counter() - asked


def summary(side, runs):
    fresh = [r for r in runs if not r["cached"]]
    cached = [r for r in runs if r["cached"]]
    return {
        "builder": side,
        "builds": len(fresh),
        "first_line_ms_p50": round(percentile([r["first"] for r in fresh], 0.5) * 1000, 1),
        "build_s_p50": round(percentile([r["total"] for r in fresh], 0.5), 2),
        "cached_build_s_p50": round(percentile([r["total"] for r in cached], 0.5), 2),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--builds", type=int, default=3)
    args = parser.parse_args(argv)
    client = docker.APIClient(version="auto", timeout=600)
    with tempfile.TemporaryDirectory() as data_dir:
        hub = Hub(data_dir, free_port(), {}, [])
        hub.extra_config = CONFIG.format(
            db_url=hub.db_url,
            port=free_port(),
            image=JUPYTERLAB_IMAGE,
            images_dir=os.path.join(data_dir, "images"),
        )
        db._engine = None
        db.configure(hub.db_url)
        accounts.create("prof", "teacher", password="bench-password-1")
        hub.start()
        probe = HealthProbe(hub.url)
        probe.start()
        try:
            session = login(hub, "prof", "bench-password-1")
            page = session.get(f"{hub.url}{PORTAL}images/new").text
            session.xsrf = page.split('name="_xsrf" value="', 1)[1].split('"', 1)[0]
            session.post(
                f"{hub.url}{PORTAL}api/images",
                json={"name": "bench", "dockerfile": DOCKERFILE},
                headers={"X-XSRFToken": session.xsrf},
            ).raise_for_status()
            probe.running.set()  # the hub, idle
            time.sleep(5)
            idle = list(probe.times)
            ours, stock = [], []
            for n in range(args.builds):
                content = f"{uuid.uuid4()}\n"
                probe.times.clear()
                first, total = portal_build(hub, session, content)
                during = list(probe.times)
                ours.append({"first": first, "total": total, "cached": False, "health": during})
                first, total = portal_build(hub, session, content)  # the layer cache
                ours.append({"first": first, "total": total, "cached": True, "health": []})
                content = f"{uuid.uuid4()}\n"
                first, total = stock_build(client, content, 2 * n + 1)
                stock.append({"first": first, "total": total, "cached": False})
                first, total = stock_build(client, content, 2 * n + 2)
                stock.append({"first": first, "total": total, "cached": True})
        finally:
            probe.stop.set()
            hub.stop()
            for image in client.images(name=STOCK_TAG) + client.images(name="mydocker/bench"):
                client.remove_image(image["Id"], force=True)
    health = [t for run in ours for t in run["health"]]
    ours_line = {
        **summary("ours", ours),
        "health_ms_p95_idle": round(percentile(idle, 0.95), 1),
        "health_ms_p95_during_builds": round(percentile(health, 0.95), 1),
        "health_ms_max_during_builds": round(max(health), 1),
    }
    stock_line = summary("stock", stock)
    print(json.dumps(ours_line))
    print(json.dumps(stock_line))
    print(
        json.dumps(
            {
                "ratio": "ours/stock",
                "build_s_p50": round(ours_line["build_s_p50"] / stock_line["build_s_p50"], 2),
                "cached_build_s_p50": round(
                    ours_line["cached_build_s_p50"] / stock_line["cached_build_s_p50"], 2
                ),
                "health_ms_p95_during/idle": round(
                    ours_line["health_ms_p95_during_builds"] / ours_line["health_ms_p95_idle"], 2
                ),
            }
        )
    )


if __name__ == "__main__":
    main()

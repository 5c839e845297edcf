"""A browser-like client for the tests: logs in with the form, starts servers
through the hub's API with the session cookie, and runs code in a kernel over
the single-user server's REST and websocket API."""

import asyncio
import json
import time
import uuid
from dataclasses import dataclass
from urllib.parse import quote, urlparse

import requests
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect


class HubUser:
    def __init__(self, base_url, name):
        self.base_url = base_url
        self.name = name
        self.session = requests.Session()

    def xsrf_headers(self):
        return {"X-XSRFToken": self.session.cookies.get("_xsrf", path="/hub/") or ""}

    def login(self, password):
        page = self.session.get(f"{self.base_url}/hub/login", timeout=30)
        page.raise_for_status()
        response = self.session.post(
            f"{self.base_url}/hub/login",
            data={
                "username": self.name,
                "password": password,
                "_xsrf": self.session.cookies.get("_xsrf", path="/hub/"),
            },
            allow_redirects=False,
            timeout=30,
        )
        return response

    def api(self, method, path, **kwargs):
        return self.session.request(
            method,
            f"{self.base_url}/hub/api{path}",
            headers=self.xsrf_headers(),
            timeout=120,
            **kwargs,
        )

    def server_path(self, server_name=""):
        if server_name:
            return f"/users/{self.name}/servers/{server_name}"
        return f"/users/{self.name}/server"

    def start(self, server_name="", **options):
        return self.api("POST", self.server_path(server_name), json=options or None)

    def stop(self, server_name=""):
        return self.api("DELETE", self.server_path(server_name))

    def progress(self, server_name="", timeout=180):
        """The progress events of a start, read from the event stream until it ends."""
        events = []
        with self.session.get(
            f"{self.base_url}/hub/api{self.server_path(server_name)}/progress",
            headers=self.xsrf_headers(),
            stream=True,
            timeout=timeout,
        ) as response:
            response.raise_for_status()
            for line in response.iter_lines(decode_unicode=True):
                if line and line.startswith("data:"):
                    event = json.loads(line[5:])
                    events.append(event)
                    if event.get("ready") or event.get("failed"):
                        break
        return events

    def wait_ready(self, server_name="", timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.api("GET", f"/users/{self.name}").json()
            server = model["servers"].get(server_name)
            if server and server["ready"]:
                return server
            if server is None and not model.get("pending"):
                raise AssertionError(f"server {server_name!r} of {self.name} is not starting")
            time.sleep(0.5)
        raise AssertionError(f"server {server_name!r} of {self.name} not ready in {timeout} s")

    def server_url(self, server_name=""):
        suffix = f"{quote(server_name)}/" if server_name else ""
        return f"{self.base_url}/user/{self.name}/{suffix}"

    def open_server(self, server_name=""):
        """Open JupyterLab like a browser: the OAuth dance with the hub sets the cookies."""
        response = self.session.get(self.server_url(server_name) + "lab", timeout=60)
        response.raise_for_status()
        return response

    def server_xsrf(self, server_name=""):
        """The single-user server's XSRF cookie (its path is the server's own)."""
        path = urlparse(self.server_url(server_name)).path
        candidates = [
            c for c in self.session.cookies if c.name == "_xsrf" and path.startswith(c.path)
        ]
        return max(candidates, key=lambda c: len(c.path)).value if candidates else ""

    def server_api(self, method, path, server_name="", **kwargs):
        url = self.server_url(server_name) + "api" + path
        xsrf = self.server_xsrf(server_name)
        return self.session.request(
            method, url, headers={"X-XSRFToken": xsrf}, timeout=60, **kwargs
        )

    async def execute(self, code, server_name="", timeout=60):
        """Run `code` in a new kernel and return its text/plain result."""
        outcome = await self.run(code, server_name, timeout)
        assert outcome.result is not None, outcome
        return outcome.result

    async def run(self, code, server_name="", timeout=60):
        """Start a kernel, run `code`, delete the kernel; return what happened."""
        [outcome] = await self.run_cells([code], server_name, timeout)
        return outcome

    async def run_cells(self, cells, server_name="", timeout=60):
        """Run `cells` one after the other in one kernel, like a notebook; after a
        cell that killed the kernel, the next one runs in the kernel restarted for it."""
        kernel = self.server_api("POST", "/kernels", server_name, json={"name": "python3"})
        kernel.raise_for_status()
        kernel_id = kernel.json()["id"]
        try:
            ws_url = self.server_url(server_name).replace("http", "ws", 1)
            cookies = "; ".join(f"{c.name}={c.value}" for c in self.session.cookies)
            xsrf = self.server_xsrf(server_name)
            request = HTTPRequest(
                f"{ws_url}api/kernels/{kernel_id}/channels",
                headers={"Cookie": cookies, "X-XSRFToken": xsrf},
                request_timeout=timeout,
            )
            connection = await websocket_connect(request)
            outcomes = []
            try:
                for code in cells:
                    if outcomes and outcomes[-1].died:
                        await wait_for_restart(connection, timeout)
                    outcomes.append(await read_outcome(connection, code, timeout))
                return outcomes
            finally:
                connection.close()
        finally:
            self.server_api("DELETE", f"/kernels/{kernel_id}", server_name)


@dataclass
class Outcome:
    """What running a cell gave: its result, its printed streams, or the kernel's death."""

    result: str | None = None
    streams: str = ""
    error: str | None = None
    died: bool = False


async def read_outcome(connection, code, timeout):
    msg_id = uuid.uuid4().hex
    connection.write_message(json.dumps(execute_request(msg_id, code)))
    outcome = Outcome()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        raw = await connection.read_message()
        if raw is None:
            raise AssertionError("the kernel's websocket closed")
        message = json.loads(raw)
        kind, content = message["msg_type"], message["content"]
        if kind == "status" and content["execution_state"] in ("restarting", "dead"):
            outcome.died = True
            return outcome
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        if kind == "stream":
            outcome.streams += content["text"]
        elif kind == "execute_result":
            outcome.result = content["data"]["text/plain"]
        elif kind == "error":
            outcome.error = content["ename"]
        elif kind == "status" and content["execution_state"] == "idle":
            return outcome
    raise AssertionError(f"the kernel did not finish in {timeout} s: {outcome}")


async def wait_for_restart(connection, timeout):
    """Until the kernel that the server restarts after a death answers again.

    A request sent while it restarts is lost: ask once a second until one is answered.
    """
    asked = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg_id = uuid.uuid4().hex
        asked.add(msg_id)
        connection.write_message(json.dumps(shell_request(msg_id, "kernel_info_request", {})))
        try:
            while True:
                raw = await asyncio.wait_for(connection.read_message(), timeout=1)
                if raw is None:
                    raise AssertionError("the kernel's websocket closed")
                message = json.loads(raw)
                if message.get("parent_header", {}).get("msg_id") in asked and (
                    message["msg_type"] == "kernel_info_reply"
                ):
                    return
        except TimeoutError:
            continue
    raise AssertionError(f"the kernel did not come back in {timeout} s")


def execute_request(msg_id, code):
    content = {
        "code": code,
        "silent": False,
        "store_history": False,
        "user_expressions": {},
        "allow_stdin": False,
    }
    return shell_request(msg_id, "execute_request", content)


def shell_request(msg_id, msg_type, content):
    return {
        "header": {
            "msg_id": msg_id,
            "username": "test",
            "session": uuid.uuid4().hex,
            "msg_type": msg_type,
            "version": "5.3",
        },
        "parent_header": {},
        "metadata": {},
        "content": content,
        "channel": "shell",
    }

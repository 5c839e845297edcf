"""A real JupyterHub process on 127.0.0.1 with our authenticator, for the HTTP-layer tests.

It runs from the project's venv with configurable-http-proxy (installed from npm
when missing), on ports given by the OS, with its database and data dir in a
temporary folder. Nothing here touches Docker: the spawner is JupyterHub's
simple local one and no server is ever started.
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time

import requests
from ports import free_port

BIN = os.path.dirname(sys.executable)

CONFIG = textwrap.dedent(
    """
    import json, os
    from mydocker_hub.auth import settings

    c.JupyterHub.authenticator_class = "mydocker"
    c.JupyterHub.spawner_class = "simple"
    c.JupyterHub.allow_named_servers = True
    c.JupyterHub.ip = "127.0.0.1"
    c.JupyterHub.port = {port}
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = {hub_port}
    c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
    c.JupyterHub.db_url = "sqlite:///{data_dir}/jupyterhub.sqlite"
    c.JupyterHub.cookie_secret_file = "{data_dir}/cookie_secret"
    c.ConfigurableHTTPProxy.pid_file = "{data_dir}/proxy.pid"
    c.JupyterHub.log_level = "INFO"
    c.StaticEnvironmentCatalog.environments = json.loads(os.environ["TEST_ENVIRONMENTS"])
    settings.configure(c, os.environ)
    """
)


def ensure_proxy():
    """configurable-http-proxy on the PATH, installed from npm when missing."""
    if shutil.which("configurable-http-proxy"):
        return
    npm = shutil.which("npm")
    assert npm, "npm is needed to install configurable-http-proxy for the hub tests"
    subprocess.run([npm, "install", "-g", "configurable-http-proxy"], check=True)
    assert shutil.which("configurable-http-proxy"), "configurable-http-proxy did not install"


class Hub:
    """A running hub: `url` is ``http://localhost:PORT`` (cookies need a host name)."""

    # what answers 200 once the hub is up (a stock LTI authenticator sends /hub/login away)
    ready_path = "/hub/login"

    def __init__(self, data_dir, port, environ, environments):
        self.data_dir = data_dir
        self.port = port
        self.url = f"http://localhost:{port}"
        self.environ = environ
        self.environments = environments
        self.process = None
        self.log_path = os.path.join(data_dir, "hub.log")
        self.extra_config = ""

    @property
    def db_url(self):
        return f"sqlite:///{self.data_dir}/mydocker.sqlite"

    def start(self, timeout=60):
        ensure_proxy()
        config_path = os.path.join(self.data_dir, "jupyterhub_config.py")
        with open(config_path, "w") as f:
            f.write(
                CONFIG.format(
                    port=self.port,
                    hub_port=free_port(),
                    proxy_api_port=free_port(),
                    data_dir=self.data_dir,
                )
                + self.extra_config
            )
        env = dict(os.environ)
        env.update(self.environ)
        env.update(
            {
                "MYDOCKER_DATA_DIR": self.data_dir,
                "MYDOCKER_DB_URL": self.db_url,
                "TEST_ENVIRONMENTS": json.dumps(self.environments),
                "PATH": f"{BIN}:{env.get('PATH', '')}",
            }
        )
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [os.path.join(BIN, "jupyterhub"), "-f", config_path],
            cwd=self.data_dir,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the hub exited at start:\n{self.logs(proxy=False)}")
            try:
                if requests.get(f"{self.url}{self.ready_path}", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the hub did not answer in {timeout} s:\n{self.logs()}")

    def logs(self, tail=200, proxy=True):
        """The log's last `tail` lines; without the proxy's, whose 404s may fill it."""
        with open(self.log_path, errors="replace") as f:
            lines = [line for line in f if proxy or "[ConfigProxy]" not in line]
        return "".join(lines[-tail:])

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.process:
            self.log.close()

    def api(self, method, path, token, **kwargs):
        return requests.request(
            method,
            f"{self.url}/hub/api{path}",
            headers={"Authorization": f"token {token}"},
            timeout=10,
            **kwargs,
        )


def user_exists(hub, name):
    return hub.api("GET", f"/users/{name}", hub.token).status_code == 200


def assert_refused(hub, response, status, message, username):
    """A refusal a person can read: its status and message, no traceback, no user made."""
    text = response.content.decode()
    assert response.status_code == status, text[-2000:]
    assert message in text
    assert "Traceback" not in text
    assert not user_exists(hub, username)

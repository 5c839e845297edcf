"""A throw-away PostgreSQL cluster for tests: Debian's server, run from a temporary directory.

The cluster belongs to no service of the machine: `initdb` makes it in a fresh
directory, `pg_ctl` starts it listening only on a unix socket in that directory
(no TCP port is opened, so its password-less access concerns nobody else), and
`stop` removes it all. PostgreSQL refuses to run as root: as root, the server
runs as the ``postgres`` user that Debian's package creates.
"""

import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

import sqlalchemy as sa

PACKAGE = "postgresql"
SERVER_USER = "postgres"
# Not UTC, so that a test which loses a datetime's time zone fails instead of passing by luck.
TIMEZONE = "Asia/Tokyo"


def server_bin():
    """The directory of the newest installed server's programs, installing Debian's when missing."""
    if not _pg_ctls():
        _apt_get_install(PACKAGE)
    found = _pg_ctls()
    assert found, f"`apt-get install {PACKAGE}` installed no pg_ctl"
    return os.path.dirname(max(found, key=_major_version))


def _pg_ctls():
    return glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")


def _major_version(path):
    return int(re.search(r"/postgresql/(\d+)/", path).group(1))


def _apt_get_install(package):
    # As the browser tests install chromium; the package lists may be missing on a fresh machine.
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", package]
    if subprocess.run(install, capture_output=True, env=env).returncode != 0:
        subprocess.run(["apt-get", "update"], check=True, capture_output=True, env=env)
        subprocess.run(install, check=True, capture_output=True, env=env)


def free_port():
    # Only names the socket file (.s.PGSQL.<port>): unique, like a real port would be.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A running cluster; `database()` gives the URL of a new, empty database in it."""

    def __init__(self):
        self.bin = server_bin()
        self.directory = tempfile.mkdtemp(prefix="mydocker-pg-")
        self.data = os.path.join(self.directory, "data")
        self.port = free_port()
        self._as_server_user = []
        if os.geteuid() == 0:
            shutil.chown(self.directory, user=SERVER_USER)
            self._as_server_user = ["runuser", "-u", SERVER_USER, "--"]
        self._databases = 0

    def start(self):
        self._run("initdb", "-D", self.data, "-U", SERVER_USER, "--auth=trust", "--no-sync")
        with open(os.path.join(self.data, "postgresql.conf"), "a") as conf:
            conf.write(
                f"listen_addresses = ''\n"
                f"unix_socket_directories = '{self.directory}'\n"
                f"port = {self.port}\n"
                f"timezone = '{TIMEZONE}'\n"
                # Durability is of no use to a database thrown away after the tests.
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            )
        log = os.path.join(self.directory, "server.log")
        self._run("pg_ctl", "start", "-w", "-D", self.data, "-l", log)
        return self

    def stop(self):
        try:
            if os.path.exists(os.path.join(self.data, "postmaster.pid")):
                self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", self.data)
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)

    def url(self, database="postgres"):
        return (
            f"postgresql+psycopg://{SERVER_USER}@/{database}?host={self.directory}&port={self.port}"
        )

    def database(self):
        """A new empty database: each test starts from nothing, without a new cluster."""
        self._databases += 1
        name = f"test_{self._databases}"
        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return self.url(name)

    def log(self):
        path = os.path.join(self.directory, "server.log")
        if not os.path.exists(path):
            return ""
        with open(path) as log:
            return log.read()

    def _run(self, program, *args):
        command = [*self._as_server_user, os.path.join(self.bin, program), *args]
        result = subprocess.run(command, cwd=self.directory, capture_output=True, text=True)
        output = f"{result.stdout}\n{result.stderr}\n{self.log()}"
        assert result.returncode == 0, f"{program} failed:\n{output}"


def started_cluster():
    """A started `Cluster` and the seconds it took to make and start it."""
    began = time.monotonic()
    cluster = Cluster()
    try:
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    return cluster, time.monotonic() - began

"""The hub's container: on the overlay network, its data on a named volume,
published on the loopback interface (or MYDOCKER_BIND)."""

import hashlib
import io
import json
import os
import tarfile
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

import requests
from docker.errors import APIError, NotFound

from . import DeployError
from .images import HUB_IMAGE
from .swarm import address_plan

CONFIG_PATH = "/etc/mydocker/jupyterhub_config.py"
SPEC_LABEL = "mydocker.spec-hash"
# How the hub's container runs, besides its image and settings.
HUB_RUN_OPTIONS = {
    # What must not outlive the container (the proxy's pid file): a tmpfs, empty at
    # each start, even when Docker restarts the same container after a crash.
    "tmpfs": {"/run/mydocker": "size=1m,mode=0700"},
    # The hub must stay responsive while a class's servers start around it.
    # Its weight counts against all the servers together (4096 against 50
    # busy servers is 7% of the CPU): the highest, which the hub rarely uses.
    "cpu_shares": 262144,
    # A log line must never stall the hub while Docker is busy; the files
    # rotate so that a term of logs does not fill the disk.
    "log_config": {
        "Type": "json-file",
        "Config": {
            "mode": "non-blocking",
            "max-buffer-size": "4m",
            "max-size": "50m",
            "max-file": "5",
        },
    },
}
# Settings of the command line itself, not passed to the hub.
HOST_ONLY = {"MYDOCKER_PORT", "MYDOCKER_BIND", "MYDOCKER_SUBNET", "MYDOCKER_CONFIG"}


@dataclass
class Instance:
    """One deployment on this machine, told apart from others by its prefix."""

    prefix: str = "mydocker"
    port: int = 8000
    bind: str = "127.0.0.1"
    subnet: str = "10.213.0.0/16"
    config_file: str = ""  # jupyterhub_config.py to apply; default: the source tree's
    settings: dict = field(default_factory=dict)  # MYDOCKER_* passed to the hub

    @classmethod
    def from_env(cls, environ):
        prefix = environ.get("MYDOCKER_PREFIX", "mydocker")
        try:
            port = int(environ.get("MYDOCKER_PORT", "8000"))
        except ValueError:
            raise DeployError(
                f"MYDOCKER_PORT must be a port number, not {environ['MYDOCKER_PORT']!r}"
            ) from None
        settings = {
            key: value
            for key, value in environ.items()
            if key.startswith("MYDOCKER_") and key not in HOST_ONLY
        }
        return cls(
            prefix=prefix,
            port=port,
            bind=environ.get("MYDOCKER_BIND", "127.0.0.1"),
            subnet=environ.get("MYDOCKER_SUBNET", cls.subnet),
            config_file=environ.get("MYDOCKER_CONFIG", ""),
            settings=settings,
        )

    @property
    def container(self):
        return f"{self.prefix}-hub"

    @property
    def network(self):
        return self.settings.get("MYDOCKER_NETWORK", self.prefix)

    @property
    def data_volume(self):
        return f"{self.prefix}-hub-data"

    @property
    def hub_ip(self):
        return address_plan(self.subnet)[0]

    @property
    def url(self):
        host = "127.0.0.1" if self.bind in ("0.0.0.0", "") else self.bind
        return f"http://{host}:{self.port}"

    def hub_environment(self):
        env = dict(self.settings)
        env.update(
            MYDOCKER_PREFIX=self.prefix,
            MYDOCKER_NETWORK=self.network,
            MYDOCKER_HUB_HOST=self.hub_ip,
        )
        # The address students use (https://... behind a TLS proxy) when the
        # admin gives one; else the local one.
        env.setdefault("MYDOCKER_PUBLIC_URL", self.url)
        return env


def read_config(instance, root):
    path = instance.config_file or os.path.join(root, "jupyterhub_config.py")
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise DeployError(f"cannot read the hub's configuration {path}: {e.strerror}") from None


def spec_hash(image_id, instance, config):
    data = json.dumps(
        [image_id, instance.hub_environment(), instance.port, instance.bind, HUB_RUN_OPTIONS],
        sort_keys=True,
    ).encode()
    return hashlib.sha256(data + config).hexdigest()[:16]


def get_container(client, instance):
    return container_named(client, instance.container)


def container_named(client, name):
    try:
        return client.containers.get(name)
    except NotFound:
        return None


def _config_archive(config):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo(os.path.basename(CONFIG_PATH))
        info.size = len(config)
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(config))
    return buffer.getvalue()


def create(client, instance, config, wanted_hash):
    try:
        container = client.containers.create(
            HUB_IMAGE,
            name=instance.container,
            hostname=instance.container,
            network=instance.network,
            networking_config={
                instance.network: client.api.create_endpoint_config(ipv4_address=instance.hub_ip)
            },
            ports={"8000/tcp": (instance.bind, instance.port)},
            volumes={
                instance.data_volume: {"bind": "/srv/jupyterhub", "mode": "rw"},
                # The hub (and only the hub) drives Docker to run the servers.
                "/var/run/docker.sock": {"bind": "/var/run/docker.sock", "mode": "rw"},
            },
            environment=instance.hub_environment(),
            labels={SPEC_LABEL: wanted_hash, "mydocker.instance": instance.prefix},
            restart_policy={"Name": "unless-stopped"},
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            **HUB_RUN_OPTIONS,
        )
    except APIError as e:
        raise DeployError(f"could not create the hub container: {e.explanation}") from None
    container.put_archive(os.path.dirname(CONFIG_PATH), _config_archive(config))
    return container


def ensure(client, instance, root, say):
    """Run the hub with the current image and settings; keep it if nothing changed."""
    config = read_config(instance, root)
    image = client.images.get(HUB_IMAGE)
    wanted = spec_hash(image.id, instance, config)
    container = get_container(client, instance)
    replacing = container is not None and container.labels.get(SPEC_LABEL) != wanted
    with network_held(client, instance) if replacing else nullcontext():
        if replacing:
            say(f"Replacing the hub container {instance.container} (image or settings changed)")
            container.remove(force=True)
            container = None
        if container is None:
            say(f"Creating the hub container {instance.container}")
            container = create(client, instance, config, wanted)
        if container.status != "running":
            container = start_or_recreate(
                container, lambda: create(client, instance, config, wanted), say
            )
    return container


@contextmanager
def network_held(client, instance):
    """Keep the overlay network in use on this machine while the hub is replaced.

    When the old hub leaves the network as its last container there, Docker
    drops this machine's copy of it, and the new hub's attachment races with
    that: the Swarm may then never free the hub's fixed address ("Address
    already in use", moby/moby#27754), and no hub starts until Docker restarts.
    A placeholder container on the network meanwhile keeps the copy.
    """
    name = f"{instance.container}-network-holder"
    stale = container_named(client, name)
    if stale is not None:  # left by an interrupted replacement
        stale.remove(force=True)
    holder = client.containers.run(
        HUB_IMAGE,
        entrypoint=["sleep", "infinity"],
        name=name,
        network=instance.network,
        labels={"mydocker.instance": instance.prefix},
        cap_drop=["ALL"],
        security_opt=["no-new-privileges"],
        mem_limit="16m",
        detach=True,
    )
    try:
        yield
    finally:
        holder.remove(force=True)


# What Docker answers, for a while, when this machine's copy of an attachable overlay
# network is new, or was dropped as its last container left (a hub being replaced).
PASSING_NETWORK_ERRORS = ("attaching to network failed", "not found")


class NetworkNotSettled(DeployError):
    """The overlay network still was not usable by the container after every attempt."""


def start(container, attempts=5):
    """Start the hub's container, again while the overlay network settles on this machine."""
    for attempt in range(1, attempts + 1):
        try:
            container.start()
            return
        except APIError as e:
            explanation = str(e.explanation)
            passing = "network" in explanation and any(
                error in explanation for error in PASSING_NETWORK_ERRORS
            )
            if passing and attempt == attempts:
                raise NetworkNotSettled(f"could not start the hub: {e.explanation}") from None
            if not passing:
                raise DeployError(f"could not start the hub: {e.explanation}") from None
            time.sleep(2)


def start_or_recreate(container, recreate, say):
    """Start the container; if the network it names is still gone, start a new one once.

    A container keeps the id of the network copy it was created with; when
    this machine dropped that copy (the replaced hub was its last container),
    a container created now attaches to the network anew.
    """
    try:
        start(container)
        return container
    except NetworkNotSettled:
        say("The overlay network was not ready for the hub: creating its container again")
        container.remove(force=True)
    container = recreate()
    start(container)
    return container


def wait_until_ready(client, instance, timeout=120):
    """Wait for /hub/api to answer; return JupyterHub's version."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            response = requests.get(f"{instance.url}/hub/api", timeout=2)
            if response.status_code == 200:
                return response.json()["version"]
        except requests.RequestException:
            pass
        container = get_container(client, instance)
        if container is None or container.status in ("exited", "dead"):
            break
        time.sleep(0.5)
    logs = logs_tail(client, instance, 20)
    raise DeployError(f"the hub did not answer on {instance.url}/hub/api; its last logs:\n{logs}")


def logs_tail(client, instance, lines):
    container = get_container(client, instance)
    if container is None:
        return "(no hub container)"
    return container.logs(tail=lines).decode(errors="replace").rstrip()


def exec_admin(client, instance, args):
    """Run `python -m mydocker_hub.admin ARGS` in the hub; return (exit code, output)."""
    container = get_container(client, instance)
    if container is None or container.status != "running":
        raise DeployError(f"the hub ({instance.container}) is not running: run `make up` first")
    result = container.exec_run(["python3", "-m", "mydocker_hub.admin", *args], demux=True)
    out, err = result.output
    return result.exit_code, (out or b"").decode(), (err or b"").decode()

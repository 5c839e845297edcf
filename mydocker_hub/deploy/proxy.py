"""The proxy's container: configurable-http-proxy, apart from the hub.

It publishes the platform's port and keeps its routes in memory while the hub
restarts (an upgrade, a crash), so that a student's open JupyterLab keeps its
connections; the hub puts the routes back in order at its start. The hub
reaches its API by the container's name on the overlay network, with a token
that both containers get in their environment, as configurable-http-proxy
and JupyterHub read it (``CONFIGPROXY_AUTH_TOKEN``).

The container is kept while its image and settings stay the same: a new hub
image does not replace it.
"""

import hashlib
import json
import secrets

from docker.errors import APIError

from . import DeployError
from .hub import PLATFORM_CPU_SHARES, container_named, start
from .images import PROXY_IMAGE

TOKEN_VARIABLE = "CONFIGPROXY_AUTH_TOKEN"
SPEC_LABEL = "mydocker.spec-hash"
API_PORT = 8001


def container_name(instance):
    return f"{instance.prefix}-proxy"


def api_url(instance):
    """Where the hub reaches the proxy's API: its container's name, on the overlay network."""
    return f"http://{container_name(instance)}:{API_PORT}"


def command(instance):
    """configurable-http-proxy's arguments: the hub is its default target."""
    hub = f"http://{instance.hub_ip}:8081"
    return [
        "--ip=0.0.0.0",
        "--port=8000",
        "--api-ip=0.0.0.0",
        f"--api-port={API_PORT}",
        f"--default-target={hub}",
        f"--error-target={hub}/hub/error",
        # Every request would be a line otherwise.
        "--log-level=warn",
    ]


def existing_token(container):
    """The token a running proxy was given, so that a new hub can talk to it."""
    if container is None:
        return None
    for item in container.attrs["Config"].get("Env") or []:
        name, _, value = item.partition("=")
        if name == TOKEN_VARIABLE and value:
            return value
    return None


def spec_hash(image_id, instance):
    data = json.dumps([image_id, command(instance), instance.port, instance.bind], sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def ensure(client, instance, say, cgroup_parent=None):
    """Run the proxy; keep it (and its token) when its image and settings are the same.

    Returns the token that the hub must use. A new proxy goes in `cgroup_parent`
    (see `priority`); a running one keeps its place, and its routes.
    """
    image = client.images.get(PROXY_IMAGE)
    wanted = spec_hash(image.id, instance)
    container = container_named(client, container_name(instance))
    token = existing_token(container)
    if container is not None and (container.labels.get(SPEC_LABEL) != wanted or not token):
        say(f"Replacing the proxy container {container.name} (image or settings changed)")
        container.remove(force=True)
        container = None
    if container is None:
        # A new proxy knows no route: the hub gets the new token, hence restarts,
        # and gives it every route again.
        token = secrets.token_hex(32)
        say(f"Creating the proxy container {container_name(instance)}")
        container = create(client, instance, token, wanted, cgroup_parent)
    elif container.attrs["HostConfig"].get("CpuShares") != PLATFORM_CPU_SHARES:
        # A proxy made before it had its CPU weight gets it without a restart.
        container.update(cpu_shares=PLATFORM_CPU_SHARES)
    if container.status != "running":
        start(container, what="the proxy")
    return token


def create(client, instance, token, wanted_hash, cgroup_parent=None):
    try:
        return client.containers.create(
            PROXY_IMAGE,
            command=command(instance),
            name=container_name(instance),
            hostname=container_name(instance),
            network=instance.network,
            ports={"8000/tcp": (instance.bind, instance.port)},
            environment={TOKEN_VARIABLE: token},
            labels={SPEC_LABEL: wanted_hash, "mydocker.instance": instance.prefix},
            restart_policy={"Name": "unless-stopped"},
            cpu_shares=PLATFORM_CPU_SHARES,
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            read_only=True,
            mem_limit="512m",
            log_config={
                "Type": "json-file",
                "Config": {"mode": "non-blocking", "max-size": "20m", "max-file": "3"},
            },
            cgroup_parent=cgroup_parent,  # None: where Docker puts containers
        )
    except APIError as e:
        raise DeployError(f"could not create the proxy container: {e.explanation}") from None


def remove(client, instance):
    """Remove the proxy's container; True if there was one."""
    container = container_named(client, container_name(instance))
    if container is None:
        return False
    container.remove(force=True)
    return True

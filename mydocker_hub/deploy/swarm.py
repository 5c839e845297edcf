"""The Swarm and the overlay network that the hub and the servers share."""

import ipaddress
import time

from docker.errors import APIError, NotFound
from docker.types import IPAMConfig, IPAMPool

from . import DeployError


def ensure_swarm(client, say, advertise_addr="127.0.0.1"):
    state = client.info().get("Swarm", {}).get("LocalNodeState")
    if state == "active":
        return
    say(f"Initialising a single-node Docker Swarm (advertised on {advertise_addr})")
    try:
        client.swarm.init(advertise_addr=advertise_addr)
    except APIError as e:
        raise DeployError(f"docker swarm init failed: {e.explanation}") from None


def address_plan(subnet):
    """The hub's fixed address and the range left to the servers, in `subnet`.

    The hub keeps the same address across restarts: the servers' Hub API
    clients may hold on to its address (DNS cache, kept-alive connections), so
    a new address after a restart would cut them off.
    """
    network = ipaddress.ip_network(subnet)
    if network.prefixlen > 24:
        raise DeployError(f"MYDOCKER_SUBNET {subnet} is too small: use a /24 or larger")
    servers = list(network.subnets(prefixlen_diff=1))[1]
    return str(network.network_address + 2), str(servers)


def ensure_network(client, name, subnet, say):
    """The attachable overlay network, with a fixed place for the hub."""
    hub_ip, servers_range = address_plan(subnet)
    try:
        network = client.networks.get(name)
    except NotFound:
        network = None
    if network is not None:
        pools = network.attrs.get("IPAM", {}).get("Config") or []
        if not any(pool.get("Subnet") == subnet for pool in pools):
            raise DeployError(
                f"the network {name} exists without the subnet {subnet}: remove it "
                f"(docker network rm {name}) or set MYDOCKER_SUBNET to its subnet"
            )
        return network
    say(f"Creating the overlay network {name} ({subnet})")
    pool = IPAMPool(subnet=subnet, iprange=servers_range)
    try:
        network = client.networks.create(
            name,
            driver="overlay",
            attachable=True,
            ipam=IPAMConfig(pool_configs=[pool]),
            labels={"mydocker.network": name},
        )
    except APIError as e:
        raise DeployError(f"could not create the network {name}: {e.explanation}") from None
    return wait_for_allocation(network, subnet)


def wait_for_allocation(network, subnet, timeout=15):
    """The Swarm allocates a network's addresses after creating it: wait for it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        network.reload()
        if network.attrs.get("Driver") == "overlay" and network.attrs["IPAM"].get("Config"):
            return network
        time.sleep(0.5)
    network.remove()
    raise DeployError(
        f"the Swarm could not allocate the subnet {subnet} to the network {network.name} "
        "(does it overlap another network?); choose another MYDOCKER_SUBNET"
    )

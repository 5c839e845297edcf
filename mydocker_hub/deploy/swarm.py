"""The Swarm and the overlay network that the hub and the servers share."""

from docker.errors import APIError, NotFound

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


def ensure_network(client, name, say):
    try:
        return client.networks.get(name)
    except NotFound:
        pass
    say(f"Creating the overlay network {name}")
    return client.networks.create(
        name, driver="overlay", attachable=True, labels={"mydocker.network": name}
    )

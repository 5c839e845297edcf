"""`mydocker-hub down` removes its own deployment's servers, never another's."""

import os
import subprocess

import docker
import pytest
from deployment import CLI, IMAGE, ROOT, docker_client

PREFIX = "mydtestcli"  # no hub runs under it: `down` only has servers to remove


def remove_services(prefix):
    for service in docker_client().services.list():
        if service.name.startswith(prefix):
            service.remove()


@pytest.fixture
def services(platform):
    """Real services of this deployment, and of deployments with a prefix that starts alike
    (on the Swarm that the tests' platform's `up` made)."""
    remove_services(PREFIX)
    own = {
        f"{PREFIX}-alice": {"mydocker.instance": PREFIX, "mydocker.user": "alice"},
        # Made before services carried their deployment's label.
        f"{PREFIX}-bob--jupyterlab": {"mydocker.user": "bob", "mydocker.server": "jupyterlab"},
    }
    others = {
        f"{PREFIX}2-alice": {"mydocker.instance": f"{PREFIX}2", "mydocker.user": "alice"},
        f"{PREFIX}-2-alice": {"mydocker.instance": f"{PREFIX}-2", "mydocker.user": "alice"},
        f"{PREFIX}-2-carol--jupyterlab": {
            "mydocker.user": "carol",
            "mydocker.server": "jupyterlab",
        },
    }
    for name, labels in {**own, **others}.items():
        labels = {"mydocker.server": "", "mydocker.environment": "jupyterlab", **labels}
        docker_client().services.create(
            IMAGE,
            command=["sleep", "infinity"],
            name=name,
            labels=labels,
            mode=docker.types.ServiceMode("replicated", replicas=0),  # no container needed
        )
    yield set(own), set(others)
    remove_services(PREFIX)


def test_down_removes_only_its_own_deployment_s_servers(services):
    own, others = services
    env = dict(os.environ, MYDOCKER_PREFIX=PREFIX)
    result = subprocess.run([CLI, "down"], env=env, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Stopped 2 user server(s)" in result.stdout
    left = {s.name for s in docker_client().services.list() if s.name.startswith(PREFIX)}
    assert left == others

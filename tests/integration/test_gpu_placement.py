"""GPUs and compute types placed by a real Swarm scheduler, on a node with fake GPUs.

The machine has no GPU, and its own Docker must not be reconfigured by a
test, so a second Docker Engine runs in a container (Docker-in-Docker, as a
single-node Swarm) advertising two fake ``NVIDIA-GPU``. Services are built
by the spawner's own spec builder (mydocker_hub.swarm.specs) and scheduled
by that Swarm: a GPU per server while they last, then the student's message.
"""

import io
import tempfile
import time

import docker
import pytest
from deployment import PREFIX, docker_client

from mydocker_hub.environments import Environment
from mydocker_hub.swarm import messages, specs

DIND_IMAGE = "mydtest/dind:1"
DIND_CONTAINER = f"{PREFIX}-gpu-node"  # removed with the platform, if left
BASE_IMAGE = "debian:bookworm-slim"
FAKE_GPUS = ["GPU-fake0", "GPU-fake1"]
# Without --privileged the cgroup hierarchies come read-only: mount them
# again (CAP_SYS_ADMIN) before the inner Docker Engine starts.
WRITABLE_CGROUPS = """
mount -o remount,rw /sys/fs/cgroup
for dir in /sys/fs/cgroup/*; do
    [ -L "$dir" ] && continue
    controller=$(basename "$dir")
    [ "$controller" = systemd ] && controller=none,name=systemd
    umount "$dir" && mount -t cgroup -o "$controller" cgroup "$dir"
done
exec "$@"
"""
DOCKERFILE = f"""FROM {BASE_IMAGE}
RUN apt-get update \\
 && apt-get install -y --no-install-recommends docker.io iptables \\
 && rm -rf /var/lib/apt/lists/*
"""


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def gpu_node(platform):
    """A Docker client for a one-node Swarm that advertises two fake GPUs."""
    host = docker_client()
    host.images.build(fileobj=io.BytesIO(DOCKERFILE.encode()), tag=DIND_IMAGE, rm=True)
    try:
        host.containers.get(DIND_CONTAINER).remove(force=True, v=True)
    except docker.errors.NotFound:
        pass
    socket_dir = tempfile.mkdtemp(prefix="mydtest-gpu-")
    gpu_flags = [f"--node-generic-resource=NVIDIA-GPU={gpu}" for gpu in FAKE_GPUS]
    # No --privileged here (see machine notes): every capability but
    # SYS_RESOURCE, and the vfs storage driver.
    container = host.containers.run(
        DIND_IMAGE,
        [
            *("sh", "-c", WRITABLE_CGROUPS, "dind"),
            *("dockerd", "--storage-driver=vfs", f"--cgroup-parent=/{DIND_CONTAINER}"),
            *("-H", "unix:///run/dind/docker.sock", *gpu_flags),
        ],
        name=DIND_CONTAINER,
        detach=True,
        cap_add=["ALL"],
        cap_drop=["SYS_RESOURCE"],
        security_opt=["seccomp=unconfined", "apparmor=unconfined"],
        volumes={socket_dir: {"bind": "/run/dind", "mode": "rw"}},
        tmpfs={"/var/lib/docker": "rw,exec"},
        # Images come from the host (no registry): do not try to pull them.
        environment={"DOCKER_SERVICE_PREFER_OFFLINE_IMAGE": "1"},
    )
    try:
        node = docker.DockerClient(
            base_url=f"unix://{socket_dir}/docker.sock", version="1.41", timeout=120
        )
        try:
            wait_for(lambda: _answers(node), 60, "the GPU node's Docker Engine")
        except AssertionError:
            raise AssertionError(container.logs(tail=20).decode(errors="replace")) from None
        node.swarm.init(advertise_addr="127.0.0.1")
        node.images.load(b"".join(host.images.get(BASE_IMAGE).save(named=True)))
        node.networks.create("gpu-test", driver="overlay", attachable=True)
        # Engine 20.10's constraint enforcer rejects tasks holding generic
        # resources whenever their node is updated, and a node's first task on
        # a network updates it: run one server without GPU first, as on a
        # node that already ran servers.
        create(node, "first-server")
        assert settled(node, "first-server")["Status"]["State"] == "running"
        yield node
    finally:
        container.remove(force=True, v=True)


def _answers(client):
    try:
        return client.ping()
    except Exception:  # the socket is not there yet
        return False


def create(node, name, **environment):
    plan = specs.ServerPlan(
        service_name=name,
        user_name=name,
        server_name="",
        environment=Environment(name="course", image=BASE_IMAGE, mem_limit="64M", **environment),
        env={},
        args=["sleep", "infinity"],
        network="gpu-test",
        home_volume=f"{name}-home",
    )
    spec = specs.service_spec(plan)
    # The base image has no command; the spawner takes it from the image.
    spec["task_template"]["ContainerSpec"]["Command"] = ["sleep", "infinity"]
    spec["task_template"]["ContainerSpec"].pop("Args")
    return node.api.create_service(**spec)


def settled(node, name, timeout=60):
    """The service's task once it runs or the scheduler said why it cannot."""
    return wait_for(lambda: running_or_refused(node, name), timeout, f"the task of {name}")


def task_of(node, name):
    tasks = node.api.tasks(filters={"service": name})
    return tasks[0] if tasks else None


def running(node, name):
    task = task_of(node, name)
    return task if task and task["Status"]["State"] == "running" else None


def running_or_refused(node, name):
    task = task_of(node, name)
    if task and (task["Status"]["State"] == "running" or task["Status"].get("Err")):
        return task
    return None


def test_each_gpu_server_gets_its_own_gpu_then_students_are_told(gpu_node):
    assigned = []
    for name in ("gpu-a", "gpu-b"):
        create(gpu_node, name, gpus=1)
        task = settled(gpu_node, name)
        assert task["Status"]["State"] == "running", task["Status"]
        container = gpu_node.containers.get(task["Status"]["ContainerStatus"]["ContainerID"])
        gpus = [e for e in container.attrs["Config"]["Env"] if e.startswith("DOCKER_RESOURCE_")]
        assert len(gpus) == 1, gpus
        assigned.append(gpus[0].split("=", 1)[1])
    assert sorted(assigned) == FAKE_GPUS

    create(gpu_node, "gpu-c", gpus=1)
    task = settled(gpu_node, "gpu-c", timeout=30)
    status = task["Status"]
    assert status["State"] == "pending", status
    message = messages.task_failure(status["State"], status["Err"])
    assert message.startswith("No machine has enough free CPU, memory or GPUs"), status

    # A GPU given back goes to the next server.
    gpu_node.api.remove_service("gpu-a")
    gpu_node.api.remove_service("gpu-c")
    create(gpu_node, "gpu-d", gpus=1)
    wait_for(lambda: running(gpu_node, "gpu-d"), 60, "gpu-d to get the GPU given back")


def test_compute_types_follow_node_labels(gpu_node):
    create(gpu_node, "typed", compute_type="gpu")
    task = settled(gpu_node, "typed", timeout=30)
    assert "no suitable node" in task["Status"]["Err"], task["Status"]

    node = gpu_node.nodes.list()[0]
    spec = node.attrs["Spec"]
    spec.setdefault("Labels", {})["mydocker.compute"] = "gpu"
    node.update(spec)
    task = wait_for(lambda: running(gpu_node, "typed"), 60, "typed to run on the labelled node")
    assert task["NodeID"] == node.id

"""Pure builders of Docker Swarm specs: no I/O, tested against exact dicts."""

from dataclasses import dataclass, field

from docker.types import (
    ContainerSpec,
    DriverConfig,
    EndpointSpec,
    Healthcheck,
    Mount,
    Placement,
    Resources,
    RestartPolicy,
    TaskTemplate,
)
from docker.utils import parse_bytes

LABEL_PREFIX = "mydocker"
INSTANCE_LABEL = f"{LABEL_PREFIX}.instance"


@dataclass
class ServerPlan:
    """Everything that decides how one user's environment runs."""

    service_name: str
    user_name: str
    server_name: str
    environment: object  # mydocker_hub.environments.Environment
    env: dict
    args: list
    network: str
    home_volume: str = ""
    work_volume: str = ""
    home_path: str = "/home/student"
    work_path: str = "/home/student/work"
    volume_driver: str = "local"
    volume_driver_options: dict = field(default_factory=dict)
    volume_size_option: str = ""
    gpu_kind: str = "NVIDIA-GPU"
    compute_label: str = "mydocker.compute"
    cap_add: list = field(default_factory=list)
    extra_labels: dict = field(default_factory=dict)
    instance: str = ""  # the deployment's prefix, which `mydocker-hub down` looks for


def labels(plan):
    """Labels that find a server's service and volumes again (and clean them up)."""
    base = {
        f"{LABEL_PREFIX}.user": plan.user_name,
        f"{LABEL_PREFIX}.server": plan.server_name,
        f"{LABEL_PREFIX}.environment": plan.environment.name,
    }
    if plan.instance:
        base[INSTANCE_LABEL] = plan.instance
    base.update(plan.extra_labels)
    return base


def volume_driver_config(plan):
    """The driver and its options; the environment's disk quota when the driver takes a size."""
    options = dict(plan.volume_driver_options)
    if plan.volume_size_option and plan.environment.disk_quota:
        options[plan.volume_size_option] = plan.environment.disk_quota
    if plan.volume_driver == "local" and not options:
        return None
    return DriverConfig(plan.volume_driver, options=options or None)


def volume_labels(plan, kind):
    base = {f"{LABEL_PREFIX}.user": plan.user_name, f"{LABEL_PREFIX}.volume": kind}
    if kind == "work":
        base[f"{LABEL_PREFIX}.environment"] = plan.environment.name
    base.update(plan.extra_labels)
    return base


def mounts(plan):
    """Named volumes (never bind mounts): the home, and the work directory if asked.

    Docker creates a missing volume on the node that runs the task, with these
    labels and driver options, and fills it from the image the first time.
    """
    wanted = (
        ("home", plan.home_volume, plan.home_path),
        ("work", plan.work_volume, plan.work_path),
    )
    return [
        Mount(
            target=target,
            source=source,
            type="volume",
            labels=volume_labels(plan, kind),
            driver_config=volume_driver_config(plan),
        )
        for kind, source, target in wanted
        if source
    ]


def resources(plan):
    environment = plan.environment
    generic = {plan.gpu_kind: environment.gpus} if environment.gpus else None
    spec = Resources(
        cpu_limit=round(environment.cpu_limit * 1e9),
        cpu_reservation=round(environment.cpu_reservation * 1e9) or None,
        mem_limit=parse_bytes(environment.mem_limit) if environment.mem_limit else None,
        mem_reservation=(
            parse_bytes(environment.mem_reservation) if environment.mem_reservation else None
        ),
        generic_resources=generic,
    )
    if environment.pids_limit:
        # API 1.41 knows Limits.Pids; docker-py has no argument for it yet.
        spec.setdefault("Limits", {})["Pids"] = environment.pids_limit
    return spec


def placement(plan):
    compute_type = plan.environment.compute_type
    constraints = [f"node.labels.{plan.compute_label}=={compute_type}"] if compute_type else None
    return Placement(constraints=constraints)


def container_spec(plan):
    return ContainerSpec(
        image=plan.environment.image,
        args=plan.args,
        env=plan.env,
        labels=labels(plan),
        mounts=mounts(plan),
        # A throttled server answers health checks late: never let one kill it.
        healthcheck=Healthcheck(test=["NONE"]),
        cap_drop=["ALL"],
        cap_add=plan.cap_add or None,
        init=True,
        stop_grace_period=10 * 10**9,
    )


def service_spec(plan):
    """The keyword arguments of `docker.APIClient.create_service` for `plan`."""
    task = TaskTemplate(
        container_spec=container_spec(plan),
        resources=resources(plan),
        # A server that exits stays stopped: the hub notices and the student
        # restarts it, rather than a new task appearing behind the hub's back.
        restart_policy=RestartPolicy(condition="none"),
        placement=placement(plan),
        networks=[plan.network] if plan.network else None,
    )
    return {
        "task_template": task,
        "name": plan.service_name,
        "labels": labels(plan),
        # No IPVS on many kernels: DNS round robin instead of a virtual IP.
        "endpoint_spec": EndpointSpec(mode="dnsrr"),
    }

"""Will a session fit? Its students' reservations against the Swarm's ready nodes.

A session needs, for each expected student, the environment's CPU and memory
reservation (its limit when it reserves nothing: what a student may use is
what the class may need at once). Sessions of any environment that overlap
it in time need the nodes too, so they are counted with it. The nodes are the
Swarm's ready and active ones, of the environment's compute type when it has
one. Pure functions; `read_nodes` is the only Docker call (run it in a thread).
"""

from dataclasses import dataclass

from docker.utils import parse_bytes

COMPUTE_LABEL = "mydocker.compute"  # the spawner's default `compute_label`


@dataclass(frozen=True)
class Node:
    name: str
    cpus: float
    memory: int
    labels: dict
    gpus: int = 0

    @property
    def compute_type(self):
        return self.labels.get(COMPUTE_LABEL, "")


@dataclass(frozen=True)
class Demand:
    """What one session asks of the nodes."""

    environment: str
    start: object
    end: object
    cpus: float
    memory: int
    compute_type: str = ""


@dataclass(frozen=True)
class Verdict:
    """A session's demand with those that overlap it, against what the nodes offer."""

    cpus: float
    memory: int
    available_cpus: float
    available_memory: int
    overlapping: tuple

    @property
    def known(self):
        """Whether the nodes were read (the portal may fail to reach Docker)."""
        return self.available_cpus > 0

    @property
    def overbooked(self):
        if not self.known:
            return False
        return self.cpus > self.available_cpus or self.memory > self.available_memory

    def as_view(self):
        """The figures as pages and the API show them (CPUs, GiB)."""
        return {
            "cpus": round(self.cpus, 1),
            "memory_gb": round(self.memory / 2**30, 1),
            "available_cpus": round(self.available_cpus, 1),
            "available_memory_gb": round(self.available_memory / 2**30, 1),
            "overbooked": self.overbooked,
            "known": self.known,
            "overlapping": sorted(set(self.overlapping)),
        }


def demand(environment_row, session_record):
    """The `Demand` of a session of an environment (database rows)."""
    cpus = environment_row.cpu_reservation or environment_row.cpu_limit
    memory_text = environment_row.mem_reservation or environment_row.mem_limit
    memory = parse_bytes(memory_text) if memory_text else 0
    students = session_record.expected_students
    return Demand(
        environment=environment_row.name,
        start=session_record.start,
        end=session_record.end,
        cpus=students * cpus,
        memory=students * memory,
        compute_type=environment_row.compute_type,
    )


def nodes_for(nodes, compute_type, compute_label=COMPUTE_LABEL):
    if not compute_type:
        return list(nodes)
    return [n for n in nodes if n.labels.get(compute_label) == compute_type]


def verdict(target, others, nodes, compute_label=COMPUTE_LABEL):
    """`target`'s `Verdict`, counting the demands in `others` that overlap it in time."""
    usable = nodes_for(nodes, target.compute_type, compute_label)
    overlapping = tuple(
        d for d in others if d is not target and d.start < target.end and target.start < d.end
    )
    # Only demands that compete for the same nodes count.
    competing = [
        d
        for d in overlapping
        if {n.name for n in nodes_for(nodes, d.compute_type, compute_label)}
        & {n.name for n in usable}
    ]
    return Verdict(
        cpus=target.cpus + sum(d.cpus for d in competing),
        memory=target.memory + sum(d.memory for d in competing),
        available_cpus=sum(n.cpus for n in usable),
        available_memory=sum(n.memory for n in usable),
        overlapping=tuple(d.environment for d in competing),
    )


def node_of(attrs):
    """A `Node` from Docker's description of a node."""
    resources = attrs.get("Description", {}).get("Resources", {})
    return Node(
        name=attrs.get("Description", {}).get("Hostname", attrs.get("ID", "")),
        cpus=resources.get("NanoCPUs", 0) / 1e9,
        memory=resources.get("MemoryBytes", 0),
        labels=attrs.get("Spec", {}).get("Labels", {}) or {},
        gpus=gpus_of(resources.get("GenericResources") or ()),
    )


def gpus_of(generic_resources):
    """How many GPUs a node advertises (Docker's generic resources of a ``*GPU*`` kind)."""
    count = 0
    for resource in generic_resources:
        discrete = resource.get("DiscreteResourceSpec") or {}
        named = resource.get("NamedResourceSpec") or {}
        if "gpu" in str(discrete.get("Kind", "")).lower():
            count += int(discrete.get("Value", 0))
        elif "gpu" in str(named.get("Kind", "")).lower():
            count += 1
    return count


def is_usable(attrs):
    return (
        attrs.get("Status", {}).get("State") == "ready"
        and attrs.get("Spec", {}).get("Availability") == "active"
    )


def read_nodes(client):
    """The Swarm's ready and active nodes (a Docker call: run it in a thread)."""
    return [node_of(n.attrs) for n in client.nodes.list() if is_usable(n.attrs)]

"""Will a session fit? Demands, overlaps, compute types and Docker's node descriptions."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from mydocker_hub.portal import capacity
from mydocker_hub.portal.capacity import Demand, Node, Verdict, demand, verdict
from mydocker_hub.portal.models import EnvironmentRecord, SessionRecord

GIB = 2**30


def at(hour, minute=0, day=10):
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC)


def env(name="python", cpu_limit=2.0, cpu_reservation=0.0, mem_limit="4G", mem_reservation=""):
    return SimpleNamespace(
        name=name,
        cpu_limit=cpu_limit,
        cpu_reservation=cpu_reservation,
        mem_limit=mem_limit,
        mem_reservation=mem_reservation,
        compute_type="",
    )


def slot(students):
    return SimpleNamespace(start=at(9), end=at(12), expected_students=students)


# ---- demand -----------------------------------------------------------------------


def test_the_demand_uses_the_reservation_times_the_students():
    d = demand(env(cpu_reservation=0.5, mem_reservation="1G"), slot(20))
    assert d == Demand(
        environment="python", start=at(9), end=at(12), cpus=10.0, memory=20 * GIB, compute_type=""
    )


def test_without_reservation_the_demand_uses_the_limit():
    d = demand(env(cpu_limit=2.0, mem_limit="512M"), slot(3))
    assert d.cpus == 6.0
    assert d.memory == 3 * 512 * 2**20


def test_cpu_and_memory_fall_back_separately():
    d = demand(env(cpu_limit=4, cpu_reservation=1, mem_limit="2G", mem_reservation=""), slot(2))
    assert (d.cpus, d.memory) == (2, 4 * GIB)
    d = demand(env(cpu_limit=4, cpu_reservation=0, mem_limit="2G", mem_reservation="1G"), slot(2))
    assert (d.cpus, d.memory) == (8, 2 * GIB)


def test_no_students_no_demand():
    d = demand(env(), slot(0))
    assert (d.cpus, d.memory) == (0, 0)


def test_no_memory_at_all_is_zero():
    d = demand(env(mem_limit="", mem_reservation=""), slot(5))
    assert d.memory == 0


def test_the_demand_of_database_rows():
    row = EnvironmentRecord(
        name="gpu-course",
        image="img:1",
        cpu_limit=4.0,
        cpu_reservation=2.0,
        mem_limit="8G",
        mem_reservation="6G",
        compute_type="gpu",
    )
    record = SessionRecord(start=at(14), end=at(16), timezone="UTC", expected_students=4)
    assert demand(row, record) == Demand("gpu-course", at(14), at(16), 8.0, 24 * GIB, "gpu")


# ---- verdict ----------------------------------------------------------------------

NODES = [
    Node("cpu-1", 16.0, 64 * GIB, {}),
    Node("cpu-2", 16.0, 64 * GIB, {"mydocker.compute": "big"}),
    Node("gpu-1", 8.0, 32 * GIB, {"mydocker.compute": "gpu"}),
]


def need(name, start, end, cpus, memory_gib, compute_type=""):
    return Demand(name, start, end, cpus, memory_gib * GIB, compute_type)


def test_a_lone_session_against_every_node():
    target = need("a", at(9), at(12), 10, 20)
    result = verdict(target, [target], NODES)
    assert result == Verdict(
        cpus=10, memory=20 * GIB, available_cpus=40.0, available_memory=160 * GIB, overlapping=()
    )
    assert not result.overbooked


def test_overlapping_sessions_count_and_others_do_not():
    target = need("a", at(9), at(12), 10, 20)
    overlapping = need("b", at(11), at(13), 5, 10)
    inside = need("c", at(10), at(11), 1, 1)
    around = need("d", at(8), at(14), 2, 2)
    before = need("e", at(7), at(9), 100, 100)  # ends when the target starts
    after = need("f", at(12), at(15), 100, 100)  # starts when the target ends
    other_day = need("g", at(9, day=11), at(12, day=11), 100, 100)
    others = [target, overlapping, inside, around, before, after, other_day]
    result = verdict(target, others, NODES)
    assert result.cpus == 10 + 5 + 1 + 2
    assert result.memory == (20 + 10 + 1 + 2) * GIB
    assert result.overlapping == ("b", "c", "d")
    assert not result.overbooked


def test_the_target_is_not_counted_twice_but_an_equal_demand_is():
    target = need("a", at(9), at(12), 10, 20)
    twin = need("a", at(9), at(12), 10, 20)  # another session, same figures
    assert twin == target and twin is not target
    assert verdict(target, [target], NODES).cpus == 10
    assert verdict(target, [target, twin], NODES).cpus == 20


def test_overbooked_by_cpus_or_by_memory():
    nodes = [Node("n", 4.0, 8 * GIB, {})]
    assert verdict(need("a", at(9), at(12), 4, 8), [], nodes).overbooked is False
    assert verdict(need("a", at(9), at(12), 4.5, 1), [], nodes).overbooked is True
    assert verdict(need("a", at(9), at(12), 1, 9), [], nodes).overbooked is True
    target = need("a", at(9), at(12), 3, 4)
    neighbour = need("b", at(10), at(11), 2, 1)
    result = verdict(target, [target, neighbour], nodes)
    assert result.overbooked is True
    assert result.overlapping == ("b",)


def test_without_nodes_the_capacity_is_unknown_not_overbooked():
    # the portal could not read the Swarm: it says so rather than crying wolf
    result = verdict(need("a", at(9), at(12), 1, 1), [], [])
    assert result.known is False
    assert result.overbooked is False
    assert result.as_view()["known"] is False
    assert verdict(need("a", at(9), at(12), 1, 1), [], NODES).known is True


def test_a_compute_type_counts_only_its_nodes():
    target = need("g", at(9), at(12), 4, 8, "gpu")
    result = verdict(target, [target], NODES)
    assert (result.available_cpus, result.available_memory) == (8.0, 32 * GIB)


def test_compute_types_that_do_not_share_nodes_do_not_compete():
    target = need("g", at(9), at(12), 4, 8, "gpu")
    big = need("b", at(9), at(12), 16, 64, "big")
    result = verdict(target, [target, big], NODES)
    assert result.cpus == 4
    assert result.overlapping == ()


def test_a_session_that_runs_anywhere_competes_with_every_compute_type():
    target = need("g", at(9), at(12), 4, 8, "gpu")
    anywhere = need("any", at(10), at(11), 6, 30, "")
    result = verdict(target, [target, anywhere], NODES)
    assert result.cpus == 10 and result.memory == 38 * GIB
    assert result.overlapping == ("any",)
    assert result.overbooked  # 10 CPUs on an 8-CPU GPU node
    # and the other way round
    result = verdict(anywhere, [target, anywhere], NODES)
    assert result.cpus == 10 and result.overlapping == ("g",)
    assert result.available_cpus == 40.0


def test_a_compute_type_without_nodes():
    target = need("t", at(9), at(12), 1, 1, "tpu")
    anywhere = need("any", at(9), at(12), 1, 1)
    result = verdict(target, [target, anywhere], NODES)
    assert (result.available_cpus, result.available_memory) == (0, 0)
    assert result.overlapping == ()
    assert not result.known  # no node offers it: said as unknown, the form refuses the type


def test_another_compute_label():
    nodes = [Node("a", 2.0, GIB, {"zone": "lab"}), Node("b", 2.0, GIB, {"zone": "hpc"})]
    target = need("t", at(9), at(12), 1, 0, "lab")
    assert verdict(target, [], nodes, compute_label="zone").available_cpus == 2.0
    assert verdict(target, [], nodes).available_cpus == 0


def test_as_view():
    result = Verdict(
        cpus=10.04,
        memory=int(2.55 * GIB),
        available_cpus=40.0,
        available_memory=160 * GIB,
        overlapping=("b", "a", "b"),
    )
    assert result.as_view() == {
        "cpus": 10.0,
        "memory_gb": 2.5,
        "available_cpus": 40.0,
        "available_memory_gb": 160.0,
        "overbooked": False,
        "known": True,
        "overlapping": ["a", "b"],
    }
    assert Verdict(2, 0, 1, 0, ()).as_view()["overbooked"] is True


# ---- Docker's nodes ---------------------------------------------------------------


def docker_node(
    hostname="worker-1", state="ready", availability="active", labels=None, cpus=8, gib=16
):
    return {
        "ID": "abc123",
        "Description": {
            "Hostname": hostname,
            "Resources": {"NanoCPUs": cpus * 10**9, "MemoryBytes": gib * GIB},
        },
        "Spec": {"Availability": availability, "Labels": labels or {}, "Role": "worker"},
        "Status": {"State": state, "Addr": "10.0.0.5"},
    }


def test_node_of():
    node = capacity.node_of(docker_node(labels={"mydocker.compute": "gpu"}, cpus=12, gib=64))
    assert node == Node("worker-1", 12.0, 64 * GIB, {"mydocker.compute": "gpu"})


def test_node_of_a_sparse_description():
    assert capacity.node_of({"ID": "xyz"}) == Node("xyz", 0.0, 0, {})
    attrs = {"ID": "xyz", "Description": {"Resources": {"NanoCPUs": 1_500_000_000}}}
    assert capacity.node_of(attrs) == Node("xyz", 1.5, 0, {})
    attrs = docker_node()
    attrs["Spec"]["Labels"] = None
    assert capacity.node_of(attrs).labels == {}


@pytest.mark.parametrize(
    ("state", "availability", "usable"),
    [
        ("ready", "active", True),
        ("down", "active", False),
        ("unknown", "active", False),
        ("ready", "drain", False),
        ("ready", "pause", False),
    ],
)
def test_is_usable(state, availability, usable):
    assert capacity.is_usable(docker_node(state=state, availability=availability)) is usable


def test_is_usable_without_status():
    assert capacity.is_usable({}) is False


def test_read_nodes_keeps_the_usable_ones():
    attrs = [
        docker_node("a"),
        docker_node("b", availability="drain"),
        docker_node("c", state="down"),
        docker_node("d", labels={"mydocker.compute": "gpu"}),
    ]
    client = SimpleNamespace(
        nodes=SimpleNamespace(list=lambda: [SimpleNamespace(attrs=a) for a in attrs])
    )
    assert [n.name for n in capacity.read_nodes(client)] == ["a", "d"]

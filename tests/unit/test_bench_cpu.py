"""The storm benchmark's CPU accounting (`benchmarks.cpu`), on fake /proc and cgroup trees."""

import os
import time

import pytest

from benchmarks import cpu

HUB_ID = "a" * 64
SERVER_1 = "b" * 64
SERVER_2 = "c" * 64
OTHER = "d" * 64
PROXY_ID = "e" * 64


def proc_stat(busy, idle):
    """A /proc/stat of two CPUs with `busy` and `idle` ticks, spread over the fields."""
    user, system = busy - busy // 4, busy // 4
    iowait = idle // 10
    return (
        f"cpu  {user} 0 {system} {idle - iowait} {iowait} 0 0 0 0 0\n"
        "cpu0 1 0 0 0 0 0 0 0 0 0\n"
        "cpu1 1 0 0 0 0 0 0 0 0 0\n"
        "intr 12345 0 0\n"
    )


def process_stat(pid, name, utime, stime):
    return f"{pid} ({name}) S 1 {pid} {pid} 0 -1 4194560 100 0 0 0 {utime} {stime} 0 0 20 0 9 0\n"


# Parsing


def test_proc_stat_sums_busy_and_idle_fields_and_counts_cpus():
    text = (
        "cpu  100 20 30 400 50 6 7 8 9 10\n"
        "cpu0 50 10 15 200 25 3 3 4 4 5\n"
        "cpu1 50 10 15 200 25 3 4 4 5 5\n"
        "ctxt 999\n"
    )
    # busy: user nice system irq softirq steal; idle: idle iowait; guest is in user already
    assert cpu.parse_proc_stat(text, 100) == (1.71, 4.5, 2)


def test_process_stat_reads_utime_and_stime_after_a_name_with_parentheses():
    assert cpu.parse_process_stat(process_stat(7, "odd) name", 250, 50), 100) == 3.0


def test_cgroup_files():
    assert cpu.parse_cpuacct_usage("1500000000\n") == 1.5
    text = "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n"
    assert cpu.parse_cpu_stat(text) == 2.5
    with pytest.raises(ValueError):
        cpu.parse_cpu_stat("user_usec 1\n")


# Arithmetic


def test_value_at_interpolates_and_holds_its_ends():
    series = [(0.0, 0.0), (1.0, 2.0), (3.0, 4.0)]
    assert cpu.value_at(series, -1.0) == 0.0
    assert cpu.value_at(series, 0.5) == 1.0
    assert cpu.value_at(series, 1.0) == 2.0
    assert cpu.value_at(series, 2.0) == 3.0
    assert cpu.value_at(series, 9.0) == 4.0  # a container gone keeps its last value


def test_container_cpu_counts_a_new_container_from_zero():
    running = [(10.0, 5.0), (11.0, 7.0)]
    new = [(10.5, 1.0), (11.0, 3.0)]
    assert cpu.container_cpu(running, 10.0, 11.0) == 2.0
    assert cpu.container_cpu(new, 10.0, 11.0) == 3.0
    assert cpu.container_cpu(new, 10.0, 10.75) == 2.0


def test_per_start_splits_the_machine_busy_time():
    totals = {"machine": 20.0, "servers": 10.0, "hub": 2.0, "proxy": 1.0, "docker": 4.0}
    totals["bench"] = 2.0
    assert cpu.per_start(totals, 4) == {
        "servers": 2.5,
        "hub": 0.5,
        "proxy": 0.25,
        "docker": 1.0,
        "bench": 0.5,
        "rest": 0.25,
    }


def test_servers_cpu_until_ready_stops_each_at_its_own_ready_time():
    series = {
        HUB_ID: [(0.0, 100.0), (4.0, 104.0)],
        PROXY_ID: [(0.0, 20.0), (4.0, 21.0)],
        SERVER_1: [(1.0, 1.0), (2.0, 3.0), (4.0, 3.5)],
        SERVER_2: [(1.0, 0.5), (4.0, 6.5)],
    }
    owners = {HUB_ID: cpu.HUB, PROXY_ID: cpu.PROXY, SERVER_1: "u1", SERVER_2: "u2", OTHER: "u3"}
    # u3: no cgroup seen; the hub and its proxy are no servers
    assert cpu.servers_cpu_until_ready(series, owners, 0.0, 4.0, {"u1": 2.0, "u2": 3.0}) == 7.5
    # u2 never ready: counted to the end
    assert cpu.servers_cpu_until_ready(series, owners, 0.0, 4.0, {"u1": 2.0}) == 9.5


def test_busy_timeline_gives_the_busy_fraction_per_second():
    machine = [
        (0.0, 0.0, 0.0),
        (0.5, 1.0, 0.0),
        (1.0, 2.0, 0.0),
        (1.5, 2.5, 1.5),
        (2.0, 3.0, 3.0),
        (2.5, 3.5, 3.5),
    ]
    assert cpu.busy_timeline(machine) == [1.0, 0.25, 0.5]


def test_busy_timeline_interpolates_at_bucket_edges():
    machine = [(10.0, 0.0, 0.0), (10.75, 1.5, 0.0), (11.5, 1.5, 1.5)]
    assert cpu.busy_timeline(machine) == [0.75, 0.0]
    assert cpu.busy_timeline(machine[:1]) == []


def test_idle_between():
    machine = [(0.0, 0.0, 1.0), (1.0, 1.0, 2.0), (2.0, 1.5, 3.5)]
    assert cpu.idle_between(machine, 0.0, 1.5) == 1.75


def test_floor_is_the_servers_cpu_spread_over_all_cpus():
    assert cpu.floor_seconds(30.0, 4) == 7.5


# The sampler, on fake trees


class FakeMachine:
    """A /proc and a /sys/fs/cgroup under tmp_path, with a clock the test moves."""

    def __init__(self, root, layout):
        self.proc = root / "proc"
        self.cgroup = root / "cgroup"
        self.layout = layout
        self.now = 100.0
        self.created = set()  # the containers Docker lists
        self.set_machine(busy=0, idle=0)
        self.set_process(10, "dockerd", 0)
        self.set_process(11, "containerd", 0)
        self.set_process(12, "python3", 0)
        (self.cgroup / layout.parent).mkdir(parents=True)
        (self.cgroup / layout.parent / "cgroup.procs").write_text("")  # not a container

    def set_machine(self, busy, idle):
        self.proc.mkdir(parents=True, exist_ok=True)
        (self.proc / "stat").write_text(proc_stat(busy, idle))

    def set_process(self, pid, name, ticks):
        directory = self.proc / str(pid)
        directory.mkdir(exist_ok=True)
        (directory / "comm").write_text(f"{name}\n")
        (directory / "stat").write_text(process_stat(pid, name, ticks - ticks // 2, ticks // 2))

    def set_container(self, container_id, seconds, platform=False):
        parent = self.layout.platform_parent if platform else self.layout.parent
        path = self.cgroup / parent / self.layout.name.format(container_id) / self.layout.file
        path.parent.mkdir(parents=True, exist_ok=True)
        self.created.add(container_id)
        if self.layout.file == "cpuacct.usage":
            path.write_text(f"{int(seconds * 1e9)}\n")
        else:
            path.write_text(f"usage_usec {int(seconds * 1e6)}\nuser_usec 0\n")

    def remove_container(self, container_id):
        directory = self.layout.groups(self.cgroup)[container_id]
        os.remove(os.path.join(directory, self.layout.file))
        os.rmdir(directory)


BENCH_PID = 13


def sampler_on(machine, owners):
    calls = []

    def containers():
        calls.append(machine.now)
        return {cid: owner for cid, owner in owners.items() if cid in machine.created}

    sampler = cpu.CpuSampler(
        containers,
        bench_pids=lambda: [BENCH_PID],
        cgroup_root=str(machine.cgroup),
        proc_root=str(machine.proc),
        clock=lambda: machine.now,
        hz=100,
    )
    return sampler, calls


@pytest.mark.parametrize(
    "layout, platform_group",
    [
        (cpu.LAYOUTS[0], False),
        (cpu.LAYOUTS[0], True),
        (cpu.LAYOUTS[1], False),
        (cpu.LAYOUTS[2], False),
        (cpu.LAYOUTS[2], True),
    ],
    ids=["v1", "v1-platform-group", "v2-systemd", "v2-cgroupfs", "v2-platform-group"],
)
def test_a_storm_of_two_servers(tmp_path, layout, platform_group):
    machine = FakeMachine(tmp_path, layout)
    # The hub and the proxy in Docker's group, or in the platform's own.
    machine.set_container(HUB_ID, 50.0, platform_group)  # running since before the storm
    machine.set_container(PROXY_ID, 20.0, platform_group)
    machine.set_container(OTHER, 7.0)  # another deployment's
    owners = {HUB_ID: cpu.HUB, PROXY_ID: cpu.PROXY, SERVER_1: "u1", SERVER_2: "u2"}
    sampler, calls = sampler_on(machine, owners)
    sampler.sample()

    machine.now = 101.0
    machine.set_machine(busy=150, idle=50)
    machine.set_process(10, "dockerd", 40)
    machine.set_process(11, "containerd", 10)
    machine.set_process(12, "python3", 500)  # not the engine, nor the bench
    machine.set_process(BENCH_PID, "python3", 1)
    machine.set_container(HUB_ID, 50.5, platform_group)
    machine.set_container(SERVER_1, 0.5)
    sampler.sample()

    machine.now = 102.0
    machine.set_machine(busy=350, idle=50)
    machine.set_container(HUB_ID, 51.0, platform_group)
    machine.set_container(PROXY_ID, 20.2, platform_group)
    machine.set_container(SERVER_1, 1.5)
    machine.set_container(SERVER_2, 1.0)
    machine.set_container(OTHER, 9.0)
    sampler.sample()

    machine.now = 104.0
    machine.set_machine(busy=650, idle=150)
    machine.set_process(10, "dockerd", 60)
    machine.set_process(BENCH_PID, "python3", 5)
    machine.remove_container(SERVER_1)  # gone: keeps its 1.5 s
    machine.set_container(SERVER_2, 3.0)
    sampler.sample()

    # Docker was asked only when a container cgroup it had not told about appeared.
    assert calls == [100.0, 101.0, 102.0]
    assert sampler.totals() == pytest.approx(
        {"machine": 6.5, "servers": 4.5, "hub": 1.0, "proxy": 0.2, "docker": 0.7, "bench": 0.05}
    )
    summary = sampler.summary(2, 4.0, ready_at={"u1": 101.5, "u2": 103.25})
    assert summary == {
        "cpus": 2,
        "cpu_per_start_s": {
            "servers": 2.25,
            "hub": 0.5,
            "proxy": 0.1,
            "docker": 0.35,
            "bench": 0.025,
            "rest": 0.025,
        },
        # u1: 1.0 s at 101.5; u2: 2.25 s at 103.25 (1.0 at 102, 3.0 at 104)
        "server_cpu_to_ready_s": 1.625,
        "floor_s": 1.6,  # 3.25 s over 2 CPUs
        "wall_over_floor": 2.46,
        # idle: 0.5 s by 101, none more by 102, then 1.0 s over 2 s: 0.625 more by 103.25
        "idle_cpu_s": 1.1,
        # busy / (busy + idle) per second: 1.5/2, 2/2, then 3/4 over two seconds
        "busy_timeline": [0.75, 1.0, 0.75, 0.75],
    }
    # Without ready times, the servers count to the end, and the idle time too.
    summary = sampler.summary(2, 4.0)
    assert (summary["server_cpu_to_ready_s"], summary["floor_s"]) == (2.25, 2.2)
    assert summary["idle_cpu_s"] == 1.5


def test_the_sampler_asks_again_when_docker_could_not_answer(tmp_path):
    machine = FakeMachine(tmp_path, cpu.LAYOUTS[0])
    machine.set_container(HUB_ID, 1.0)
    answers = [None, {HUB_ID: cpu.HUB}]
    sampler = cpu.CpuSampler(
        lambda: answers.pop(0),
        cgroup_root=str(machine.cgroup),
        proc_root=str(machine.proc),
        clock=lambda: machine.now,
        hz=100,
    )
    sampler.sample()
    machine.now = 101.0
    machine.set_container(HUB_ID, 3.0)
    sampler.sample()
    assert answers == []
    assert sampler.series == {HUB_ID: [(101.0, 3.0)]}


def test_no_docker_cgroup_yet(tmp_path):
    machine = FakeMachine(tmp_path, cpu.LAYOUTS[0])
    sampler, calls = sampler_on(machine, {})
    sampler.sample()
    assert (sampler.layout, calls, sampler.series) == (None, [], {})


def test_the_thread_samples_until_the_block_ends(tmp_path):
    machine = FakeMachine(tmp_path, cpu.LAYOUTS[0])
    sampler = cpu.CpuSampler(
        dict, interval=0.01, cgroup_root=str(machine.cgroup), proc_root=str(machine.proc)
    )
    with sampler:
        time.sleep(0.1)
    count = len(sampler.machine)
    assert count >= 4  # the first, some from the thread, the last
    time.sleep(0.05)
    assert len(sampler.machine) == count


def test_a_failed_sample_fails_the_block(tmp_path):
    machine = FakeMachine(tmp_path, cpu.LAYOUTS[0])
    machine.set_container(HUB_ID, 1.0)
    answers = [{HUB_ID: cpu.HUB}]
    sampler = cpu.CpuSampler(
        lambda: answers.pop(0),  # fails when asked a second time
        interval=0.01,
        cgroup_root=str(machine.cgroup),
        proc_root=str(machine.proc),
    )
    with pytest.raises(IndexError), sampler:
        machine.set_container(SERVER_1, 1.0)
        time.sleep(0.1)

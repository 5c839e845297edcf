"""Where the CPU goes during a storm: the servers, the hub, its proxy, the Docker Engine,
the bench itself, the rest.

A `CpuSampler` reads cumulative CPU counters every 0.5 s in a thread: the
machine's (/proc/stat), each container's of the deployment (its cgroup),
dockerd's and containerd's, and the bench's own processes' (/proc/PID/stat).
`CpuSampler.summary` turns the samples into CPU-seconds per start and a
timeline. The parsing and the arithmetic are plain functions of text and
numbers; only the class reads files.

A series is a list of (time, cumulative value) pairs in time order.
"""

import bisect
import itertools
import math
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from mydocker_hub.deploy import priority

HUB = "hub"  # the owner of the hub's container; the servers' owners are user names
PROXY = "proxy"  # the owner of the proxy's container
DEPLOYMENT = (HUB, PROXY)  # the containers that are no server
ENGINE = ("dockerd", "containerd")
BUSY_FIELDS = (0, 1, 2, 5, 6, 7)  # user nice system irq softirq steal (guest is in user)
IDLE_FIELDS = (3, 4)  # idle iowait


# Parsing


def parse_proc_stat(text, hz):
    """(busy seconds, idle seconds, number of CPUs) from /proc/stat, all CPUs summed."""
    cpus = 0
    for line in text.splitlines():
        name, *fields = line.split()
        if name == "cpu":
            ticks = [int(field) for field in fields]
            busy = sum(ticks[i] for i in BUSY_FIELDS if i < len(ticks))
            idle = sum(ticks[i] for i in IDLE_FIELDS)
        elif re.fullmatch(r"cpu\d+", name):
            cpus += 1
    return busy / hz, idle / hz, cpus


def parse_process_stat(text, hz):
    """A process's CPU seconds (utime + stime) from /proc/PID/stat."""
    fields = text.rsplit(")", 1)[1].split()  # the name, in parentheses, may hold spaces
    return (int(fields[11]) + int(fields[12])) / hz


def parse_cpuacct_usage(text):
    """A cgroup v1 cpuacct.usage: nanoseconds."""
    return int(text) / 1e9


def parse_cpu_stat(text):
    """A cgroup v2 cpu.stat: its usage_usec line."""
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        if key == "usage_usec":
            return int(value) / 1e6
    raise ValueError("cpu.stat without usage_usec")


# Arithmetic


def value_at(series, t):
    """A cumulative series' value at `t`, interpolated between samples.

    Before the first sample it is the first value, after the last the last
    (a container gone keeps what it used).
    """
    times = [sample[0] for sample in series]
    i = bisect.bisect_right(times, t)
    if i == 0:
        return series[0][1]
    if times[i - 1] == t or i == len(series):
        return series[i - 1][1]
    (ta, va), (tb, vb) = series[i - 1], series[i]
    return va + (vb - va) * (t - ta) / (tb - ta)


def container_cpu(series, start, t):
    """CPU a container used from `start` to `t`.

    One already running at `start` counts from its value then; one that
    appeared later started during the storm and counts from zero.
    """
    first_time, first_value = series[0]
    baseline = first_value if first_time <= start else 0
    return value_at(series, t) - baseline


def per_start(totals, starts):
    """CPU-seconds per start of each part; the rest is the machine's busy time left over.

    The rest (containerd-shims, the bench's own process, the kernel's work
    outside cgroups...) can come out slightly negative: the counters are read
    a few milliseconds apart, and /proc/stat counts in ticks.
    """
    parts = {part: totals[part] / starts for part in ("servers", "hub", "proxy", "docker", "bench")}
    parts["rest"] = totals["machine"] / starts - sum(parts.values())
    return parts


def servers_cpu_until_ready(series, owners, start, end, ready_at):
    """The servers' CPU, each counted up to its owner's ready time (or `end`, if none)."""
    return sum(
        container_cpu(series[cid], start, ready_at.get(owner, end))
        for cid, owner in owners.items()
        if owner not in DEPLOYMENT and cid in series
    )


def busy_timeline(machine, bucket=1.0):
    """The machine's busy fraction in each `bucket` seconds from its first sample.

    `machine` is a list of (time, busy seconds, idle seconds); the last
    bucket may be shorter.
    """
    start, end = machine[0][0], machine[-1][0]
    count = math.ceil(round((end - start) / bucket, 6))
    edges = [start + k * bucket for k in range(count)] + [end]
    busy = [(t, b) for t, b, _ in machine]
    total = [(t, b + i) for t, b, i in machine]
    timeline = []
    for a, b in itertools.pairwise(edges):
        spent = value_at(total, b) - value_at(total, a)
        used = value_at(busy, b) - value_at(busy, a)
        timeline.append(round(used / spent, 2) if spent else 0.0)
    return timeline


def idle_between(machine, a, b):
    """The CPU-seconds the machine left idle from `a` to `b` (all CPUs)."""
    idle = [(t, i) for t, _, i in machine]
    return value_at(idle, b) - value_at(idle, a)


def floor_seconds(server_cpu, cpus):
    """The shortest wall the servers' CPU allows: all CPUs busy with them throughout."""
    return server_cpu / cpus


# Reading


@dataclass(frozen=True)
class Layout:
    """Where a container's cumulative CPU is under one cgroup setup."""

    parent: str  # the directory holding one directory per container
    name: str  # a container's directory, {} standing for its full id
    file: str
    parse: Callable[[str], float]
    # Where `up` puts the hub and the proxy instead (`mydocker_hub.deploy.priority`).
    platform_parent: str = ""

    def parents(self):
        return (self.parent, self.platform_parent) if self.platform_parent else (self.parent,)

    def groups(self, root):
        """The containers that have a group here: their ids, each with its directory."""
        pattern = re.compile(re.escape(self.name).replace(r"\{\}", "([0-9a-f]{64})"))
        found = {}
        for parent in self.parents():
            try:
                entries = os.listdir(os.path.join(root, parent))
            except OSError:
                continue
            for match in filter(None, map(pattern.fullmatch, entries)):
                found[match.group(1)] = os.path.join(root, parent, match.group(0))
        return found


LAYOUTS = (
    Layout(  # v1, cgroupfs
        "cpuacct/docker",
        "{}",
        "cpuacct.usage",
        parse_cpuacct_usage,
        f"cpuacct/{priority.GROUP}",
    ),
    Layout("system.slice", "docker-{}.scope", "cpu.stat", parse_cpu_stat),  # v2, systemd
    Layout("docker", "{}", "cpu.stat", parse_cpu_stat, priority.GROUP),  # v2, cgroupfs
)


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:  # gone meanwhile (a container stopped, a process ended)
        return None


class CpuSampler:
    """Samples CPU counters in a thread while in a `with` block (and once at each end).

    `containers()` gives the deployment's containers as {full id: owner}
    (`HUB` for the hub's, `PROXY` for the proxy's, the user's name for a
    server's), or None when it cannot tell now. It is called only when a
    container cgroup appears that it has not classified yet: asking Docker
    every 0.5 s would add to the Docker Engine's CPU being measured.
    `bench_pids()` gives the bench's own processes (the simulated students,
    the probes): on one machine they take CPU that a class's browsers would
    take on their own computers.
    """

    def __init__(
        self,
        containers,
        bench_pids=list,
        interval=0.5,
        cgroup_root="/sys/fs/cgroup",
        proc_root="/proc",
        clock=time.monotonic,
        hz=None,
    ):
        self.containers = containers
        self.bench_pids = bench_pids
        self.interval = interval
        self.cgroup_root = cgroup_root
        self.proc_root = proc_root
        self.clock = clock
        self.hz = hz or os.sysconf("SC_CLK_TCK")
        self.layout = None
        self.owners = {}  # container id -> owner
        self.strangers = set()  # container ids of no concern (other deployments...)
        self.engine_pids = None
        self.engine_last = {}  # pid -> CPU seconds when last read
        self.bench_last = {}
        self.machine = []  # (time, busy s, idle s)
        self.engine = []  # (time, dockerd + containerd CPU s)
        self.bench = []  # (time, the bench's processes' CPU s)
        self.series = {}  # container id -> [(time, CPU s)]
        self.cpus = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._error = None

    def __enter__(self):
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        if self._error is not None:  # a measurement that stopped early would mislead
            raise self._error
        self.sample()

    def _run(self):
        due = self.clock()
        try:
            while True:
                due += self.interval
                if self._stop.wait(max(0.0, due - self.clock())):
                    return
                self.sample()
        except Exception as e:
            self._error = e

    def sample(self):
        t = self.clock()
        busy, idle, self.cpus = parse_proc_stat(read(f"{self.proc_root}/stat"), self.hz)
        self.machine.append((t, busy, idle))
        self.engine.append((t, self._engine_seconds()))
        self.bench.append((t, self._processes_seconds(self.bench_pids(), self.bench_last)))
        for cid, directory in self._known_groups().items():
            text = read(os.path.join(directory, self.layout.file))
            if text is not None:
                self.series.setdefault(cid, []).append((t, self.layout.parse(text)))

    def _engine_seconds(self):
        if self.engine_pids is None:  # found once: scanning /proc each time costs CPU too
            self.engine_pids = [
                pid
                for pid in os.listdir(self.proc_root)
                if pid.isdigit() and (read(f"{self.proc_root}/{pid}/comm") or "").strip() in ENGINE
            ]
        return self._processes_seconds(self.engine_pids, self.engine_last)

    def _processes_seconds(self, pids, last):
        """The CPU seconds of `pids` (all their threads); one that ended keeps its last."""
        for pid in pids:
            text = read(f"{self.proc_root}/{pid}/stat")
            if text is not None:
                last[pid] = parse_process_stat(text, self.hz)
        return sum(last.values())

    def _known_groups(self):
        """The deployment's containers with a group now (see `Layout.groups`).

        `containers()` is asked only about the ones not seen before.
        """
        if self.layout is None:
            self.layout = next((lay for lay in LAYOUTS if lay.groups(self.cgroup_root)), None)
            if self.layout is None:
                return {}
        present = self.layout.groups(self.cgroup_root)
        new = present.keys() - self.owners.keys() - self.strangers
        if new:
            owners = self.containers()
            if owners is not None:
                self.owners.update(owners)
                self.strangers |= new - owners.keys()
        return {cid: present[cid] for cid in sorted(present.keys() & self.owners.keys())}

    def totals(self):
        """CPU-seconds used between the first and the last sample, by part."""
        start, end = self.machine[0][0], self.machine[-1][0]

        def owned(match):
            return sum(
                container_cpu(series, start, end)
                for cid, series in self.series.items()
                if match(self.owners[cid])
            )

        return {
            "machine": self.machine[-1][1] - self.machine[0][1],
            "servers": owned(lambda owner: owner not in DEPLOYMENT),
            "hub": owned(lambda owner: owner == HUB),
            "proxy": owned(lambda owner: owner == PROXY),
            "docker": self.engine[-1][1] - self.engine[0][1],
            "bench": self.bench[-1][1] - self.bench[0][1],
        }

    def summary(self, starts, wall_s, ready_at=None):
        """The figures of a storm of `starts` servers that lasted `wall_s`.

        `ready_at` maps a server's owner to the moment (on `clock`) it became
        ready; servers without one are counted up to the last sample.
        """
        start, end = self.machine[0][0], self.machine[-1][0]
        ready_at = ready_at or {}
        to_ready = servers_cpu_until_ready(self.series, self.owners, start, end, ready_at)
        floor = floor_seconds(to_ready, self.cpus)
        return {
            "cpus": self.cpus,
            "cpu_per_start_s": {
                part: round(seconds, 3)
                for part, seconds in per_start(self.totals(), starts).items()
            },
            "server_cpu_to_ready_s": round(to_ready / starts, 3),
            "floor_s": round(floor, 1),
            "wall_over_floor": round(wall_s / floor, 2) if floor else None,
            "idle_cpu_s": round(
                idle_between(self.machine, start, max(ready_at.values(), default=end)), 1
            ),
            "busy_timeline": busy_timeline(self.machine),
        }

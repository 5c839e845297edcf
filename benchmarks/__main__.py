"""`make bench`: SwarmCourseSpawner against the stock dockerspawner SwarmSpawner.

Both run in one invocation, behind the same hub image, with the same
single-user image, on the local Swarm, one after the other (never together).
"Ready" means the server's ``/api`` answers through the proxy. Each scenario
prints one JSON line per spawner, then one line with the ratios ours/stock.

    python -m benchmarks [--scenarios single,storm-10,storm-30,storm-50,poll-30,respawn-20]

``poll-30`` is storm-30 while every student's page also asks the hub's REST
API for its user once a second (as dashboards and some LMS plugins do).

A storm's line also says where the CPU went (`benchmarks.cpu`, sampled every
0.5 s from the first start request to the last server ready or given up):

- ``cpu_per_start_s``: CPU-seconds per start of the servers' containers,
  the hub's container, the proxy's, the Docker Engine (dockerd, containerd),
  the bench's own processes (the simulated students and the probe, whose
  CPU a class's own computers would spend) and the rest of the machine (its
  busy time less the others: shims, runc, the kernel);
- ``server_cpu_to_ready_s``: a server's CPU per start, each counted up to
  the moment it was ready;
- ``floor_s``: the servers' CPU to ready over the number of CPUs, the
  shortest wall possible; ``wall_over_floor``: how far the storm was from it;
- ``idle_cpu_s``: CPU-seconds the machine left idle until the last server
  was ready; ``busy_timeline``: its busy fraction in each second;
- ``docker_cpu_s``: the Docker Engine's CPU-seconds in all;
- ``hub_loop_blocks_over_s``: how many times the hub's event loop was
  blocked longer than 0.1, 0.25, 0.5 and 1 s, by JupyterHub's own measure
  (`benchmarks.loop_lag`); ``hub_health_max_s`` adds the proxy and the network;
- ``stop_wall_s`` and ``hub_loop_blocks_stopping_over_s``: then the whole
  class stops at once (as at the end of a "stop at end" session), until its
  services and containers are gone, and the loop's blocks meanwhile.

The ratio line of a storm adds ``wall_over_floor`` and the servers' CPU per
start for both spawners.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import docker
import requests
from urllib3.util.retry import Retry

from benchmarks import cpu, loop_lag
from mydocker_hub.deploy import DeployError, engine

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.path.join(os.path.dirname(sys.executable), "mydocker-hub")
PORT = 18100
SCENARIOS = ["single", "storm-10", "storm-30", "storm-50", "poll-30", "respawn-20"]
READY_TIMEOUT = 150

# Both hubs give up on a server that does not answer within 60 s (the
# baseline's second run), so that a stale-name failure costs a bounded time.
TIMEOUTS = """
c.Spawner.http_timeout = 60
c.Spawner.start_timeout = 120
"""

STOCK_CONFIG = (
    """
from mydocker_hub.config import configure

settings = configure(c)
# The stock spawner, as the baseline measured it: dnsrr endpoints, the hub
# reaching servers by their service name.
c.JupyterHub.spawner_class = "dockerspawner.SwarmSpawner"
c.SwarmSpawner.image = settings.default_image
c.SwarmSpawner.network_name = settings.network
c.SwarmSpawner.prefix = settings.prefix
c.SwarmSpawner.use_internal_ip = True
c.SwarmSpawner.extra_endpoint_spec = {"mode": "dnsrr"}
# Without it, the stock spawner's stop leaves the service (and the server) running.
c.SwarmSpawner.remove = True
"""
    + TIMEOUTS
)

OURS_CONFIG = (
    """
from mydocker_hub.config import configure

configure(c)
"""
    + TIMEOUTS
)


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return round(ordered[index], 2)


class Hub:
    """One hub deployment under its own prefix, driven through the REST API."""

    def __init__(self, spawner, config_text, client):
        self.spawner = spawner
        self.prefix = f"mydbench{spawner}"
        self.url = f"http://127.0.0.1:{PORT}"
        self.config_file = tempfile.NamedTemporaryFile("w", suffix=".py", delete=False)
        self.config_file.write(config_text)
        self.config_file.close()
        self.env = dict(
            os.environ,
            MYDOCKER_PREFIX=self.prefix,
            MYDOCKER_PORT=str(PORT),
            MYDOCKER_SUBNET="10.215.0.0/16",
            MYDOCKER_CONFIG=self.config_file.name,
            MYDOCKER_IDLE_TIMEOUT="0",
        )
        self.docker = client

    def cli(self, *args):
        result = subprocess.run(
            [CLI, *args], env=self.env, cwd=ROOT, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise SystemExit(f"mydocker-hub {' '.join(args)}: {result.stderr.strip()}")
        return result.stdout

    def up(self):
        self.clean()
        self.cli("up")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {self.cli('token').strip()}"
        # The proxy (Node) closes a keep-alive connection idle for 5 s; one that it
        # closes just as a stop or a GET reuses it is tried again (never a start).
        retries = Retry(total=2, connect=2, read=2, status=0, backoff_factor=0.2)
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=64, max_retries=retries)
        self.session.mount("http://", adapter)

    def clean(self):
        # No Swarm yet (a fresh machine, before the first `up`): no service to remove.
        in_swarm = self.docker.info()["Swarm"]["LocalNodeState"] == "active"
        for service in self.docker.services.list() if in_swarm else []:
            if service.name.startswith(f"{self.prefix}-"):
                service.remove()
        for container in self.docker.containers.list(all=True):
            if container.name.startswith(f"{self.prefix}-"):
                try:
                    container.remove(force=True)
                except docker.errors.NotFound:  # a task's container, gone with its service
                    pass
        time.sleep(2)
        for volume in self.docker.volumes.list():
            if volume.name.startswith(f"{self.prefix}-"):
                try:
                    volume.remove(force=True)
                except docker.errors.APIError:
                    pass
        for network in self.docker.networks.list(names=[self.prefix]):
            try:
                network.remove()
            except docker.errors.APIError:
                pass
        while self.docker.networks.list(names=[self.prefix]):
            time.sleep(0.5)

    def memory_mb(self):
        """The hub container's own memory (its processes' anonymous pages).

        Not the cgroup's usage: that counts the page cache of files, charged
        to whichever container read them first, which differs from run to run.
        """
        stats = self.docker.containers.get(f"{self.prefix}-hub").stats(stream=False)
        memory = stats["memory_stats"].get("stats", {})
        anonymous = memory.get("total_rss", memory.get("anon", 0))  # cgroup v1, v2
        return round(anonymous / 2**20, 1)

    def services(self):
        return [s for s in self.docker.services.list() if s.name.startswith(f"{self.prefix}-")]

    def create_users(self, names):
        response = self.session.post(f"{self.url}/hub/api/users", json={"usernames": names})
        assert response.status_code in (201, 409), response.text

    def start(self, name):
        return self.session.post(f"{self.url}/hub/api/users/{name}/server", timeout=READY_TIMEOUT)

    def ready(self, name):
        try:
            response = self.session.get(f"{self.url}/user/{name}/api", timeout=5)
            return response.status_code == 200 and "version" in response.text
        except requests.RequestException:
            return False

    def start_until_ready(self, name):
        """Seconds from the start request to a server answering, or None.

        Like the hub's own progress page, the client follows the start's event
        stream, then checks the server answers through the proxy.
        """
        started = time.monotonic()
        try:
            response = self.start(name)
            if response.status_code not in (201, 202):
                return None
            if not self.spawn_succeeded(name, READY_TIMEOUT - (time.monotonic() - started)):
                return None
        except requests.RequestException:
            return None
        while time.monotonic() - started < READY_TIMEOUT:
            if self.ready(name):
                return time.monotonic() - started
            time.sleep(0.25)
        return None

    def spawn_succeeded(self, name, timeout):
        """Follow /hub/api/users/NAME/server/progress to its last event."""
        url = f"{self.url}/hub/api/users/{name}/server/progress"
        with self.session.get(url, stream=True, timeout=max(timeout, 1)) as response:
            if response.status_code != 200:
                return False
            for line in response.iter_lines(decode_unicode=True):
                if not line.startswith("data:"):
                    continue
                event = json.loads(line[len("data:") :])
                if event.get("ready"):
                    return True
                if event.get("failed"):
                    return False
        return False

    def stop(self, name, wait=True):
        """Ask the hub to stop `name`'s server; with `wait`, until the hub has stopped it."""
        response = self.session.delete(f"{self.url}/hub/api/users/{name}/server", timeout=300)
        if response.status_code == 202 and wait:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                model = self.session.get(f"{self.url}/hub/api/users/{name}").json()
                if not model.get("pending"):
                    break
                time.sleep(0.25)
        return response.status_code in (202, 204)

    def stop_all(self, names):
        """Stop `names` all at once, as a session's end does; wait until they are gone.

        What is waited on is Docker, not the hub: a session's end asks nothing
        of the hub's API, and a class polling it meanwhile would be the bench's
        load, not the stops'.
        """
        with ThreadPoolExecutor(max(len(names), 1)) as pool:
            list(pool.map(lambda name: self.stop(name, wait=False), names))
        deadline = time.monotonic() + 120
        while self.services() and time.monotonic() < deadline:
            time.sleep(1)
        for service in self.services():
            service.remove()
        # The next scenario starts once the servers' containers are gone too.
        while time.monotonic() < deadline and self.server_containers():
            time.sleep(1)

    def server_containers(self):
        listed = self.docker.api.containers(all=True)  # no inspection: they come and go
        owners = container_owners(self.prefix, listed)
        return [cid for cid, owner in owners.items() if owner not in cpu.DEPLOYMENT]


class LatencyProbe:
    """The hub's answer times to /hub/health every 100 ms (its event loop's lag),
    measured by `benchmarks.health_probe` in a process of its own."""

    def __init__(self, url):
        self.url = url
        self.samples = []
        self.pid = None

    def __enter__(self):
        self._process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.health_probe", self.url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        self.pid = self._process.pid
        return self

    def __exit__(self, *exc):
        out, _ = self._process.communicate("", timeout=60)  # closing its input stops it
        self.samples = [float(line) for line in out.split()]


def deployment_containers(hub):
    """The deployment's containers as {id: owner} for the CPU sampler, or None if Docker is busy.

    A server's task container is named SERVICE.SLOT.TASK, its service
    PREFIX-USER with both spawners (the storms' user names need no escaping).
    """
    try:
        listed = hub.docker.api.containers(all=True)
    except (docker.errors.APIError, requests.RequestException):
        return None  # the sampler asks again at its next sample
    return container_owners(hub.prefix, listed)


def container_owners(prefix, listed):
    """{id: owner} of the deployment's containers among Docker's `listed` ones:
    `cpu.HUB`, `cpu.PROXY`, or the user whose server it runs."""
    owners = {}
    for container in listed:
        name = container["Names"][0]
        if name == f"/{prefix}-hub":
            owners[container["Id"]] = cpu.HUB
        elif name == f"/{prefix}-proxy":
            owners[container["Id"]] = cpu.PROXY
        elif name.startswith(f"/{prefix}-"):
            owners[container["Id"]] = name.removeprefix(f"/{prefix}-").split(".")[0]
    return owners


def start_timed(hub, name, poll=False):
    """Seconds from the start request to a server answering (or None), and that moment.

    With `poll`, the student's page also asks the hub's REST API for the
    user's model once a second meanwhile, as dashboards and LMS plugins do.
    """
    if not poll:
        return hub.start_until_ready(name), time.monotonic()
    done = threading.Event()
    poller = threading.Thread(target=poll_user, args=(hub, name, done), daemon=True)
    poller.start()
    try:
        return hub.start_until_ready(name), time.monotonic()
    finally:
        done.set()
        poller.join()


def poll_user(hub, name, done):
    session = requests.Session()
    session.headers.update(hub.session.headers)
    while not done.wait(1.0):
        try:
            session.get(f"{hub.url}/hub/api/users/{name}", timeout=30)
        except requests.RequestException:
            pass  # a student's page keeps asking


def storm(hub, run, n, poll=False):
    names = [f"{run}u{i}" for i in range(n)]  # [a-z0-9]: the same service names for both spawners
    hub.create_users(names)
    probe = LatencyProbe(hub.url)
    sampler = cpu.CpuSampler(
        lambda: deployment_containers(hub), bench_pids=lambda: [os.getpid(), probe.pid]
    )
    loop_before = loop_lag.scrape(hub.session, hub.url)
    # The sampler leaves the block first: its last sample is the end of the storm.
    with probe, ThreadPoolExecutor(n) as pool, sampler:
        started = time.monotonic()
        outcomes = list(pool.map(lambda name: start_timed(hub, name, poll), names))
        wall = time.monotonic() - started
    loop_after = loop_lag.scrape(hub.session, hub.url)
    times = [seconds for seconds, _ in outcomes]
    ready_at = {
        name: at for name, (seconds, at) in zip(names, outcomes, strict=True) if seconds is not None
    }
    ok = [t for t in times if t is not None]
    result = {
        "n": n,
        "ok": len(ok),
        "p50_s": percentile(ok, 0.5),
        "p95_s": percentile(ok, 0.95),
        "wall_s": round(wall, 1),
        "hub_health_max_s": round(max(probe.samples, default=0), 3),
        "docker_cpu_s": round(sampler.totals()["docker"], 1),
        "hub_memory_mb": hub.memory_mb(),
        **sampler.summary(n, wall, ready_at),
    }
    if loop_before and loop_after:
        result["hub_loop_blocks_over_s"] = loop_lag.blocks_over(loop_before, loop_after)
    # Then the class stops at once, as at the end of a "stop at end" session.
    started = time.monotonic()
    hub.stop_all(names)
    result["stop_wall_s"] = round(time.monotonic() - started, 1)
    stopped = loop_lag.scrape(hub.session, hub.url)
    if loop_after and stopped:
        result["hub_loop_blocks_stopping_over_s"] = loop_lag.blocks_over(loop_after, stopped)
    return result


def respawn(hub, run, cycles):
    name = f"{run}-0"
    hub.create_users([name])
    times = []
    for _ in range(cycles):
        times.append(hub.start_until_ready(name))
        hub.stop(name)
    ok = [t for t in times if t is not None]
    hub.stop_all([name])
    return {
        "n": cycles,
        "ok": len(ok),
        "p50_s": percentile(ok, 0.5),
        "p95_s": percentile(ok, 0.95),
        "hub_memory_mb": hub.memory_mb(),
    }


def run_scenario(hub, scenario, round_id):
    run = f"{round_id}{scenario.replace('-', '')}"
    if scenario == "single":
        results = [storm(hub, f"{run}x{i}", 1) for i in range(3)]
        ok = [r["p50_s"] for r in results if r["ok"]]
        return {
            "n": 3,
            "ok": len(ok),
            "p50_s": percentile(ok, 0.5),
            "p95_s": percentile(ok, 0.95),
            "hub_memory_mb": results[-1]["hub_memory_mb"],
        }
    kind, count = scenario.split("-")
    if kind in ("storm", "poll"):
        return storm(hub, run, int(count), poll=kind == "poll")
    return respawn(hub, run, int(count))


def ratio(ours, stock):
    if ours is None or not stock:
        return None
    return round(ours / stock, 2)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument(
        "--ours-config",
        default="",
        help="configuration lines added to our hub's, to compare settings",
    )
    parser.add_argument(
        "--spawners",
        default="stock,ours",
        help="which spawners to run; the ratios need both (one alone is for quick checks)",
    )
    args = parser.parse_args(argv)
    scenarios = args.scenarios.split(",")
    spawners = args.spawners.split(",")
    unknown = set(scenarios) - set(SCENARIOS) or set(spawners) - {"stock", "ours"}
    if unknown:
        parser.error(f"unknown: {', '.join(sorted(unknown))}")
    round_id = f"r{int(time.time()) % 100000}"
    results = {}
    configs = {"stock": STOCK_CONFIG, "ours": OURS_CONFIG + args.ours_config + "\n"}
    # On a fresh machine the engine is not running yet: start it as `make up` does.
    try:
        client = engine.ensure(lambda message: print(f"benchmarks: {message}", file=sys.stderr))
    except DeployError as error:
        return f"benchmarks: {error}"
    client.api.timeout = 300
    hubs = {spawner: Hub(spawner, configs[spawner], client) for spawner in configs}
    for hub in hubs.values():  # both use one subnet: an earlier run's leftovers block it
        hub.clean()
    for spawner in spawners:
        hub = hubs[spawner]
        hub.up()
        try:
            for scenario in scenarios:
                result = run_scenario(hub, scenario, round_id)
                results[(scenario, spawner)] = result
                print(json.dumps({"scenario": scenario, "spawner": spawner, **result}), flush=True)
        finally:
            hub.clean()
    for hub in hubs.values():
        os.unlink(hub.config_file.name)
    if len(spawners) < 2:
        return 0
    for scenario in scenarios:
        ours, stock = results[(scenario, "ours")], results[(scenario, "stock")]
        line = {
            "scenario": scenario,
            "ok_ours": f"{ours['ok']}/{ours['n']}",
            "ok_stock": f"{stock['ok']}/{stock['n']}",
            "p50_ratio": ratio(ours["p50_s"], stock["p50_s"]),
            "p95_ratio": ratio(ours["p95_s"], stock["p95_s"]),
            "memory_ratio": ratio(ours["hub_memory_mb"], stock["hub_memory_mb"]),
        }
        # The storms' figures, side by side (a figure one run could not take is left out).
        for key in (
            "hub_health_max_s",
            "hub_loop_blocks_over_s",
            "wall_over_floor",
            "stop_wall_s",
            "hub_loop_blocks_stopping_over_s",
        ):
            if key in ours and key in stock:
                line[key] = {"ours": ours[key], "stock": stock[key]}
        if "cpu_per_start_s" in ours:  # the storms: where the time went against the CPU
            line["server_cpu_per_start_s"] = {
                "ours": ours["cpu_per_start_s"]["servers"],
                "stock": stock["cpu_per_start_s"]["servers"],
            }
        print(json.dumps(line), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

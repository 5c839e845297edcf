"""`python -m benchmarks` on a machine where the engine is not running yet."""

import benchmarks.__main__ as bench
from mydocker_hub.deploy import DeployError


class FreshEngine:
    """A just-started engine: no Swarm, nothing left by an earlier run."""

    def __init__(self):
        self.api = type("Api", (), {"timeout": 600})()
        self.asked = []
        self.containers = self.volumes = self.networks = self.services = self

    def info(self):
        self.asked.append("info")
        return {"Swarm": {"LocalNodeState": "inactive"}}

    def list(self, **filters):
        self.asked.append("list")
        return []


def test_the_bench_starts_the_engine_as_up_does_and_cleans_on_it(monkeypatch):
    fresh = FreshEngine()
    started = []
    monkeypatch.setattr(bench.engine, "ensure", lambda say: started.append(say) or fresh)
    monkeypatch.setattr(bench.time, "sleep", lambda seconds: None)

    class Stop(Exception):
        pass

    def up(hub):
        raise Stop(hub.docker)

    monkeypatch.setattr(bench.Hub, "up", up)
    try:
        bench.main(["--spawners", "ours", "--scenarios", "single"])
    except Stop as stop:
        assert stop.args[0] is fresh
    else:
        raise AssertionError("the bench never brought a hub up")
    assert len(started) == 1
    # Both hubs' leftovers were looked for on the started engine, with no Swarm yet.
    assert fresh.asked.count("info") == 2
    assert fresh.api.timeout == 300


def test_an_engine_that_cannot_start_is_one_line_and_nothing_else(monkeypatch, capsys):
    def cannot(say):
        raise DeployError("Docker Engine is not installed; run as root to let it be installed")

    monkeypatch.setattr(bench.engine, "ensure", cannot)
    monkeypatch.setattr(bench.Hub, "up", lambda hub: (_ for _ in ()).throw(AssertionError))

    message = bench.main(["--spawners", "ours", "--scenarios", "single"])

    assert message == (
        "benchmarks: Docker Engine is not installed; run as root to let it be installed"
    )
    assert capsys.readouterr().out == ""

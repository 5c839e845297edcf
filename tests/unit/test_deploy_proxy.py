"""The proxy's container: kept with its token across hub upgrades, replaced on its own changes."""

from types import SimpleNamespace

import pytest

from mydocker_hub.deploy import hub, proxy


class Container:
    def __init__(self, events, labels, token, status="running", cpu_shares=hub.PLATFORM_CPU_SHARES):
        self.name, self.events, self.labels, self.status = "uni-proxy", events, labels, status
        self.attrs = {
            "Config": {"Env": ["PATH=/usr/bin", f"CONFIGPROXY_AUTH_TOKEN={token}"]},
            "HostConfig": {"CpuShares": cpu_shares},
        }

    def update(self, cpu_shares):
        self.events.append(f"update uni-proxy cpu_shares={cpu_shares}")

    def remove(self, force=False):
        self.events.append("remove uni-proxy")

    def start(self):
        self.events.append("start uni-proxy")


@pytest.fixture
def machine(monkeypatch):
    """A Docker with the proxy image `sha256:proxy`; the hub's image plays no part."""
    events, existing = [], {}
    client = SimpleNamespace(
        images=SimpleNamespace(get=lambda tag: SimpleNamespace(id="sha256:proxy"))
    )
    monkeypatch.setattr(proxy, "container_named", lambda client, name: existing.get(name))

    def create(client, instance, token, wanted, cgroup_parent=None):
        events.append(f"create uni-proxy with token {token}")
        return Container(events, {proxy.SPEC_LABEL: wanted}, token, status="created")

    monkeypatch.setattr(proxy, "create", create)
    monkeypatch.setattr(proxy, "start", lambda container, what: container.start())
    instance = hub.Instance.from_env({"MYDOCKER_PREFIX": "uni"})
    return instance, client, existing, events


def test_a_running_proxy_is_kept_with_its_token(machine):
    instance, client, existing, events = machine
    wanted = proxy.spec_hash("sha256:proxy", instance)
    existing["uni-proxy"] = Container(events, {proxy.SPEC_LABEL: wanted}, "kept-token")
    assert proxy.ensure(client, instance, print) == "kept-token"
    assert events == []


def test_a_new_proxy_gets_a_new_token(machine):
    instance, client, existing, events = machine
    token = proxy.ensure(client, instance, lambda line: None)
    assert len(token) == 64
    assert events == [f"create uni-proxy with token {token}", "start uni-proxy"]
    assert proxy.ensure(client, instance, lambda line: None) != token


def test_a_proxy_whose_port_changed_is_replaced(machine):
    instance, client, existing, events = machine
    old = hub.Instance.from_env({"MYDOCKER_PREFIX": "uni", "MYDOCKER_PORT": "9000"})
    existing["uni-proxy"] = Container(
        events, {proxy.SPEC_LABEL: proxy.spec_hash("sha256:proxy", old)}, "old-token"
    )
    token = proxy.ensure(client, instance, lambda line: None)
    assert token != "old-token"
    assert events == [
        "remove uni-proxy",
        f"create uni-proxy with token {token}",
        "start uni-proxy",
    ]


def test_a_proxy_made_without_its_cpu_weight_gets_it_in_place(machine):
    instance, client, existing, events = machine
    wanted = proxy.spec_hash("sha256:proxy", instance)
    existing["uni-proxy"] = Container(events, {proxy.SPEC_LABEL: wanted}, "kept", cpu_shares=0)
    assert proxy.ensure(client, instance, print) == "kept"
    assert events == [f"update uni-proxy cpu_shares={hub.PLATFORM_CPU_SHARES}"]


def test_a_stopped_proxy_is_started_with_its_token(machine):
    instance, client, existing, events = machine
    wanted = proxy.spec_hash("sha256:proxy", instance)
    existing["uni-proxy"] = Container(events, {proxy.SPEC_LABEL: wanted}, "its-token", "exited")
    assert proxy.ensure(client, instance, print) == "its-token"
    assert events == ["start uni-proxy"]


def test_the_hub_is_its_default_target_and_its_api_is_reached_by_name():
    instance = hub.Instance.from_env({"MYDOCKER_PREFIX": "uni", "MYDOCKER_SUBNET": "10.9.0.0/16"})
    assert "--default-target=http://10.9.0.2:8081" in proxy.command(instance)
    assert "--api-port=8001" in proxy.command(instance)
    environment = hub.hub_environment(instance, "secret")
    assert environment["MYDOCKER_PROXY_API_URL"] == "http://uni-proxy:8001"
    assert environment["CONFIGPROXY_AUTH_TOKEN"] == "secret"

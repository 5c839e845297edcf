"""Starting the hub's container while the overlay network settles on this machine."""

from pathlib import Path

import pytest
from docker.errors import APIError

from mydocker_hub.deploy import DeployError, hub


class Container:
    """Fails its first starts with Docker's answers, then starts."""

    def __init__(self, *explanations):
        self.explanations = list(explanations)
        self.starts = 0
        self.removed = False

    def remove(self, force=False):
        self.removed = force

    def start(self):
        self.starts += 1
        if self.explanations:
            raise APIError("500 Server Error", explanation=self.explanations.pop(0))


@pytest.fixture(autouse=True)
def no_wait(monkeypatch):
    monkeypatch.setattr(hub.time, "sleep", lambda seconds: None)


@pytest.mark.parametrize(
    "explanation",
    [
        "attaching to network failed, make sure your network options are correct",
        "network lwjdm72dml9cpcowsgcho13zf not found",
    ],
    ids=["attaching-failed", "network-not-found"],
)
def test_a_passing_network_error_is_tried_again(explanation):
    container = Container(explanation, explanation)
    hub.start(container)
    assert container.starts == 3


def test_other_errors_and_lasting_ones_stop_with_one_line():
    with pytest.raises(DeployError, match="could not start the hub: no such image"):
        hub.start(Container("no such image"))
    lasting = Container(*["network abc not found"] * 5)
    with pytest.raises(DeployError, match="network abc not found"):
        hub.start(lasting)
    assert lasting.starts == 5


def test_a_network_still_gone_after_every_attempt_gets_a_new_container():
    stale = Container(*["network u36tutkcdoj3knoo9ap0phl1g not found"] * 5)
    fresh = Container()
    said = []
    started = hub.start_or_recreate(stale, lambda: fresh, said.append)
    assert started is fresh and fresh.starts == 1
    assert stale.removed and stale.starts == 5
    assert said == ["The overlay network was not ready for the hub: creating its container again"]


def test_a_new_container_is_made_only_for_the_network_and_only_once():
    with pytest.raises(DeployError, match="no such image"):
        hub.start_or_recreate(Container("no such image"), lambda: Container(), print)
    lasting = ["network abc not found"] * 5
    with pytest.raises(DeployError, match="network abc not found"):
        hub.start_or_recreate(Container(*lasting), lambda: Container(*lasting), print)


class Events(list):
    """What happened, in order."""


class Named:
    def __init__(self, name, events, labels=None, status="running"):
        self.name, self.events = name, events
        self.labels = labels or {}
        self.status = status

    def remove(self, force=False):
        self.events.append(f"remove {self.name}")


class Client:
    """The parts of docker's client that `hub.ensure` uses, recording every call."""

    def __init__(self, events, existing):
        self.events = events
        self.existing = {c.name: c for c in existing}
        self.images = self
        self.containers = self
        self.id = "sha256:image"

    def get(self, name):
        if name == hub.HUB_IMAGE:
            return self
        if name not in self.existing:
            raise hub.NotFound("no such container")
        return self.existing[name]


@pytest.fixture
def deployment(monkeypatch, tmp_path):
    instance = hub.Instance.from_env({"MYDOCKER_PREFIX": "uni"})
    events = Events()
    monkeypatch.setattr(hub, "read_config", lambda instance, root: b"config")

    def create(client, instance, config, wanted, environment, cgroup_parent=None):
        events.append(f"create uni-hub with proxy token {environment['CONFIGPROXY_AUTH_TOKEN']}")
        return Named("uni-hub", events, {hub.SPEC_LABEL: wanted}, status="created")

    def start_or_recreate(container, recreate, say):
        events.append(f"start {container.name}")
        return container

    monkeypatch.setattr(hub, "create", create)
    monkeypatch.setattr(hub, "start_or_recreate", start_or_recreate)
    return instance, events


def test_a_hub_whose_settings_changed_is_replaced(deployment):
    instance, events = deployment
    old = Named("uni-hub", events, {hub.SPEC_LABEL: "an older one"})
    hub.ensure(Client(events, [old]), instance, "/src", lambda line: None, "t1")
    assert events == ["remove uni-hub", "create uni-hub with proxy token t1", "start uni-hub"]


def test_an_unchanged_hub_is_kept_and_a_new_proxy_token_replaces_it(deployment):
    instance, events = deployment
    wanted = hub.spec_hash("sha256:image", hub.hub_environment(instance, "t1"), b"config")
    kept = Named("uni-hub", events, {hub.SPEC_LABEL: wanted})
    assert hub.ensure(Client(events, [kept]), instance, "/src", print, "t1") is kept
    assert events == []
    # A new proxy knows no route: the hub must start again to give them all.
    hub.ensure(Client(events, [kept]), instance, "/src", lambda line: None, "t2")
    assert events == ["remove uni-hub", "create uni-hub with proxy token t2", "start uni-hub"]


def test_a_stopped_hub_is_started_again_and_the_admin_told_how_it_ended(deployment):
    instance, events = deployment
    wanted = hub.spec_hash("sha256:image", hub.hub_environment(instance, "t1"), b"config")
    killed = Named("uni-hub", events, {hub.SPEC_LABEL: wanted}, status="exited")
    killed.attrs = {"State": {"ExitCode": 137, "FinishedAt": "2026-11-26T06:01:02.5Z"}}
    said = []
    hub.ensure(Client(events, [killed]), instance, "/src", said.append, "t1")
    assert events == ["start uni-hub"]
    assert said == [
        "The hub had stopped (exited, code 137 (killed), at 2026-11-26T06:01:02): starting it again"
    ]


UNIVERSITY_CA = Path(__file__).parent / "data" / "university-ca.pem"


def test_a_ca_file_is_checked_first_and_a_changed_one_replaces_the_hub(deployment, tmp_path):
    """MYDOCKER_CA_FILE: a bad file stops `up` in one line before anything changes;
    the CA's contents are part of the hub's spec."""
    instance, events = deployment
    ca = tmp_path / "univ-ca.pem"
    ca.write_text("not a certificate")
    instance.ca_file = str(ca)
    with pytest.raises(DeployError, match=f"MYDOCKER_CA_FILE={ca}: holds no PEM certificate"):
        hub.ensure(Client(events, []), instance, "/src", print, "t1")
    assert events == []
    ca.write_bytes(UNIVERSITY_CA.read_bytes())
    said = []
    hub.ensure(Client(events, []), instance, "/src", said.append, "t1")
    assert said[0] == "the hub trusts 1 more certificate(s) from MYDOCKER_CA_FILE"
    assert events == ["create uni-hub with proxy token t1", "start uni-hub"]
    environment = hub.hub_environment(instance, "t1")
    assert environment["SSL_CERT_FILE"] == "/etc/mydocker/ca-bundle.pem"
    assert "MYDOCKER_CA_FILE" not in environment
    extra = hub.read_ca(instance)
    assert hub.spec_hash("sha256:image", environment, b"config", extra) != hub.spec_hash(
        "sha256:image", environment, b"config"
    )


def test_a_hub_that_published_the_port_itself_makes_way_for_the_proxy():
    """Upgrading from the layout where the hub published the port: it goes first."""
    instance = hub.Instance.from_env({"MYDOCKER_PREFIX": "uni"})
    events, said = Events(), []
    old = Named("uni-hub", events)
    old.attrs = {"HostConfig": {"PortBindings": {"8000/tcp": [{"HostPort": "8000"}]}}}
    assert hub.remove_if_publishing(Client(events, [old]), instance, said.append)
    assert events == ["remove uni-hub"]
    assert said == ["Removing the hub container uni-hub: the proxy now publishes the port"]
    behind_the_proxy = Named("uni-hub", events)
    behind_the_proxy.attrs = {"HostConfig": {"PortBindings": {}}}
    assert not hub.remove_if_publishing(Client(events, [behind_the_proxy]), instance, said.append)
    assert not hub.remove_if_publishing(Client(events, []), instance, said.append)
    assert events == ["remove uni-hub"]

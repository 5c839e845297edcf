"""Starting the hub's container while the overlay network settles on this machine."""

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

    def run(self, image, name, network, **options):
        self.events.append(f"run {name} on {network}")
        return Named(name, self.events)


@pytest.fixture
def deployment(monkeypatch, tmp_path):
    instance = hub.Instance.from_env({"MYDOCKER_PREFIX": "uni"})
    events = Events()
    monkeypatch.setattr(hub, "read_config", lambda instance, root: b"config")

    def create(client, instance, config, wanted):
        events.append("create uni-hub")
        return Named("uni-hub", events, {hub.SPEC_LABEL: wanted}, status="created")

    def start_or_recreate(container, recreate, say):
        events.append(f"start {container.name}")
        return container

    monkeypatch.setattr(hub, "create", create)
    monkeypatch.setattr(hub, "start_or_recreate", start_or_recreate)
    return instance, events


def test_a_replaced_hub_leaves_the_network_to_a_holder_until_the_new_one_runs(deployment):
    """Docker drops this machine's copy of the overlay network when its last container
    leaves; the new hub's attachment racing with that can leak the hub's address."""
    instance, events = deployment
    old = Named("uni-hub", events, {hub.SPEC_LABEL: "an older one"})
    hub.ensure(Client(events, [old]), instance, "/src", lambda line: None)
    assert events == [
        "run uni-hub-network-holder on uni",
        "remove uni-hub",
        "create uni-hub",
        "start uni-hub",
        "remove uni-hub-network-holder",
    ]


def test_an_unchanged_hub_is_kept_and_a_new_one_needs_no_holder(deployment):
    instance, events = deployment
    wanted = hub.spec_hash("sha256:image", instance, b"config")
    kept = Named("uni-hub", events, {hub.SPEC_LABEL: wanted})
    assert hub.ensure(Client(events, [kept]), instance, "/src", print) is kept
    assert events == []
    hub.ensure(Client(events, []), instance, "/src", lambda line: None)
    assert events == ["create uni-hub", "start uni-hub"]


def test_a_holder_left_by_an_interrupted_replacement_is_removed_first(deployment):
    instance, events = deployment
    old = Named("uni-hub", events, {hub.SPEC_LABEL: "an older one"})
    stale = Named("uni-hub-network-holder", events)
    hub.ensure(Client(events, [old, stale]), instance, "/src", lambda line: None)
    assert events[:2] == ["remove uni-hub-network-holder", "run uni-hub-network-holder on uni"]

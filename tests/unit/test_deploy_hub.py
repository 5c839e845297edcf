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

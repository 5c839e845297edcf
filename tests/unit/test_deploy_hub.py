"""Starting the hub's container while the overlay network settles on this machine."""

import pytest
from docker.errors import APIError

from mydocker_hub.deploy import DeployError, hub


class Container:
    """Fails its first starts with Docker's answers, then starts."""

    def __init__(self, *explanations):
        self.explanations = list(explanations)
        self.starts = 0

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

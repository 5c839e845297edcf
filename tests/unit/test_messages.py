import pytest

from mydocker_hub.swarm.messages import task_failure


@pytest.mark.parametrize(
    "state, error, exit_code, expected",
    [
        ("pending", "no suitable node (insufficient resources on 1 node)", None, "enough free"),
        (
            "pending",
            "no suitable node (scheduling constraints not satisfied on 1 node)",
            None,
            "kind this environment needs",
        ),
        ("rejected", "No such image: x:1", None, "image"),
        ("failed", "task: non-zero exit (137)", 137, "ran out of memory (2G)"),
        ("failed", "task: non-zero exit (1)", 1, "exit code 1"),
    ],
    ids=["no-resources", "no-node-of-kind", "no-image", "oom", "crash"],
)
def test_terminal_states_are_explained(state, error, exit_code, expected):
    assert expected in task_failure(state, error, exit_code, "2G")


@pytest.mark.parametrize("state", ["new", "pending", "assigned", "preparing", "starting"])
def test_states_on_the_way_are_not_failures(state):
    assert task_failure(state, "") is None

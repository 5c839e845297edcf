import pytest

from mydocker_hub.swarm.pulls import PullProgress, split_reference


@pytest.mark.parametrize(
    "image, expected",
    [
        ("debian:bookworm", ("debian", "bookworm")),
        ("debian", ("debian", "latest")),
        ("registry.univ.fr:5000/team/python:3.11", ("registry.univ.fr:5000/team/python", "3.11")),
        ("registry.univ.fr:5000/team/python", ("registry.univ.fr:5000/team/python", "latest")),
    ],
    ids=["tag", "no-tag", "registry-port-tag", "registry-port-no-tag"],
)
def test_split_reference(image, expected):
    assert split_reference(image) == expected


def test_percent_counts_bytes_of_every_layer():
    progress = PullProgress()
    assert progress.update({"status": "Pulling from team/python", "id": "3.11"}) is None
    assert progress.update({"status": "Pulling fs layer", "id": "a"}) == 0
    assert progress.update({"status": "Already exists", "id": "b"}) == 50
    event = {"status": "Downloading", "id": "a", "progressDetail": {"current": 25, "total": 100}}
    assert progress.update(event) == int(100 * 26 / 101)
    assert progress.update({"status": "Download complete", "id": "a"}) == 100
    assert progress.update({"status": "Pull complete", "id": "a"}) == 100


def test_a_pull_error_is_raised():
    with pytest.raises(RuntimeError, match="not found"):
        PullProgress().update({"error": "manifest for x:1 not found"})

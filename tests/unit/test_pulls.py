import asyncio

import pytest

from mydocker_hub.swarm.pulls import PullProgress, SharedPulls, split_reference


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


class FakePull:
    """A pull that reports layers when told to, and ends when told to."""

    def __init__(self):
        self.calls = 0
        self.done = asyncio.Event()
        self.error = None
        self.on_event = None

    async def run(self, on_event):
        self.calls += 1
        self.on_event = on_event
        await self.done.wait()
        if self.error:
            raise self.error


async def test_concurrent_starts_share_one_pull_and_all_see_its_progress():
    pulls, fake = SharedPulls(), FakePull()
    seen = {i: [] for i in range(5)}
    waiters = [asyncio.create_task(pulls.pull("img:1", fake.run, seen[i].append)) for i in range(3)]
    await asyncio.sleep(0.01)
    fake.on_event({"status": "Pulling fs layer", "id": "a"})
    fake.on_event(
        {"status": "Downloading", "id": "a", "progressDetail": {"current": 1, "total": 2}}
    )
    # A start that comes in the middle joins the same pull, from where it is.
    waiters += [asyncio.create_task(pulls.pull("img:1", fake.run, seen[i].append)) for i in (3, 4)]
    await asyncio.sleep(0.01)
    fake.on_event({"status": "Download complete", "id": "a"})
    fake.done.set()
    await asyncio.gather(*waiters)
    assert fake.calls == 1
    assert seen[0] == seen[1] == seen[2] == [0, 50, 100]
    assert seen[3] == seen[4] == [50, 100]
    assert "img:1" not in pulls


async def test_a_failed_pull_reaches_every_start_and_the_next_one_tries_again():
    pulls, fake = SharedPulls(), FakePull()
    fake.error = RuntimeError("manifest unknown")
    waiters = [asyncio.create_task(pulls.pull("img:1", fake.run, lambda p: None)) for _ in range(4)]
    await asyncio.sleep(0.01)
    fake.done.set()
    results = await asyncio.gather(*waiters, return_exceptions=True)
    assert fake.calls == 1
    assert all(isinstance(r, RuntimeError) and "manifest unknown" in str(r) for r in results)
    fake.error = None
    await pulls.pull("img:1", fake.run, lambda p: None)
    assert fake.calls == 2


async def test_a_start_giving_up_leaves_the_pull_to_the_others():
    pulls, fake = SharedPulls(), FakePull()
    first = asyncio.create_task(pulls.pull("img:1", fake.run, lambda p: None))
    second = asyncio.create_task(pulls.pull("img:1", fake.run, lambda p: None))
    await asyncio.sleep(0.01)
    first.cancel()
    await asyncio.sleep(0.01)
    fake.done.set()
    await second
    assert first.cancelled() and fake.calls == 1


async def test_different_images_are_pulled_side_by_side():
    pulls, fake = SharedPulls(), FakePull()
    waiters = [
        asyncio.create_task(pulls.pull(image, fake.run, lambda p: None)) for image in ("a:1", "b:1")
    ]
    await asyncio.sleep(0.01)
    fake.done.set()
    await asyncio.gather(*waiters)
    assert fake.calls == 2

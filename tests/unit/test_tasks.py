"""TaskWatch: the starts under way share their calls to Docker."""

import asyncio

import pytest

from mydocker_hub.swarm.tasks import TaskWatch, latest


def task(service, state, created):
    return {"ServiceID": service, "Status": {"State": state}, "CreatedAt": created}


class FakeSwarm:
    """Docker's ``tasks``: records each call's service IDs; raises `error` while it is set."""

    def __init__(self, tasks, error=None):
        self.tasks = tasks
        self.error = error
        self.calls = []

    async def list_tasks(self, service_ids):
        self.calls.append(service_ids)
        if self.error:
            raise self.error
        return [t for t in self.tasks if t["ServiceID"] in service_ids]


def test_latest_is_the_most_recent_task():
    old, new = (
        task("s", "failed", "2026-01-01T10:00:00Z"),
        task("s", "running", "2026-01-01T10:05:00Z"),
    )
    assert latest([new, old]) is new
    assert latest([]) is None


async def test_starts_waiting_together_share_one_call():
    swarm = FakeSwarm(
        [task("a", "running", "1"), task("b", "preparing", "1"), task("c", "new", "1")]
    )
    watch = TaskWatch(swarm.list_tasks, interval=0.01)
    found = await asyncio.gather(*(watch.current_task(s) for s in ("a", "b", "c", "a")))
    assert [t["Status"]["State"] for t in found] == ["running", "preparing", "new", "running"]
    assert swarm.calls == [["a", "b", "c"]]
    assert watch.calls == 1


async def test_a_later_question_gets_a_later_answer_from_one_call_per_round():
    swarm = FakeSwarm([task("a", "preparing", "1")])
    watch = TaskWatch(swarm.list_tasks, interval=0.01)
    assert (await watch.current_task("a"))["Status"]["State"] == "preparing"
    swarm.tasks = [task("a", "running", "1")]
    assert (await watch.current_task("a"))["Status"]["State"] == "running"
    assert swarm.calls == [["a"], ["a"]]
    assert watch.calls == 2


async def test_a_service_without_tasks_has_none():
    watch = TaskWatch(FakeSwarm([]).list_tasks, interval=0.01)
    assert await watch.current_task("gone") is None


async def test_one_start_cancelled_does_not_cancel_the_others_call():
    """The round's call still happens, once; the next round no longer asks for the cancelled one."""
    swarm = FakeSwarm([task("a", "running", "1"), task("b", "running", "1")])
    watch = TaskWatch(swarm.list_tasks, interval=0.05)
    cancelled = asyncio.ensure_future(watch.current_task("a"))
    other = asyncio.ensure_future(watch.current_task("b"))
    await asyncio.sleep(0.01)
    cancelled.cancel()
    assert (await other)["ServiceID"] == "b"
    assert cancelled.cancelled()
    assert swarm.calls == [["a", "b"]]  # asked for before it was cancelled
    assert (await watch.current_task("b"))["ServiceID"] == "b"
    assert swarm.calls == [["a", "b"], ["b"]]


async def test_docker_errors_reach_every_waiting_start_and_the_next_round_asks_again():
    swarm = FakeSwarm([task("a", "running", "1")], error=RuntimeError("Docker is down"))
    watch = TaskWatch(swarm.list_tasks, interval=0.01)
    results = await asyncio.gather(
        watch.current_task("a"), watch.current_task("b"), return_exceptions=True
    )
    assert [str(r) for r in results] == ["Docker is down", "Docker is down"]
    assert swarm.calls == [["a", "b"]]  # one failed call for both
    with pytest.raises(RuntimeError, match="Docker is down"):
        await watch.current_task("a")
    assert swarm.calls == [["a", "b"], ["a"]]  # a new call, not the failed one's answer
    swarm.error = None
    assert (await watch.current_task("a"))["Status"]["State"] == "running"
    assert swarm.calls == [["a", "b"], ["a"], ["a"]]

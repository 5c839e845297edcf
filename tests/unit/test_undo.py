import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from mydocker_hub.swarm.undo import created

POOL = ThreadPoolExecutor(2)


def in_thread(function, *args):
    return asyncio.wrap_future(POOL.submit(function, *args))


def slow_create(seconds, result):
    time.sleep(seconds)
    return result


async def test_the_result_when_nobody_gives_up():
    undone = []

    async def undo(result):
        undone.append(result)

    assert await created(in_thread(slow_create, 0.01, "svc"), undo) == "svc"
    assert undone == []


async def test_what_a_cancelled_call_creates_is_undone_once_created():
    undone = []

    async def undo(result):
        undone.append(result)

    waiter = asyncio.ensure_future(created(in_thread(slow_create, 0.2, "svc"), undo))
    await asyncio.sleep(0.05)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert undone == []  # not created yet
    await asyncio.sleep(0.3)
    assert undone == ["svc"]


async def test_a_cancelled_call_that_fails_has_nothing_to_undo():
    undone = []

    def fail():
        time.sleep(0.1)
        raise RuntimeError("name in use")

    async def undo(result):
        undone.append(result)

    waiter = asyncio.ensure_future(created(in_thread(fail), undo))
    await asyncio.sleep(0.02)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    await asyncio.sleep(0.2)
    assert undone == []

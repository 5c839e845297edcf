import asyncio

from mydocker_hub.swarm.slots import StartSlots


async def test_starts_beyond_the_limit_wait_in_order_and_see_their_place():
    slots = StartSlots(1)
    await slots.acquire()
    seen = {"b": [], "c": []}
    order = []

    async def start(name):
        await slots.acquire(on_position=seen[name].append, report_every=0.01)
        order.append(name)

    b = asyncio.create_task(start("b"))
    await asyncio.sleep(0.02)
    c = asyncio.create_task(start("c"))
    await asyncio.sleep(0.05)
    assert seen == {"b": [1], "c": [2]}
    slots.release()
    await b
    await asyncio.sleep(0.05)
    assert order == ["b"] and seen["c"] == [2, 1]
    slots.release()
    await c
    assert order == ["b", "c"]
    slots.release()
    assert slots.running == 0


async def test_a_cancelled_waiter_gives_its_place_away():
    slots = StartSlots(1)
    await slots.acquire()
    waiting = asyncio.create_task(slots.acquire())
    await asyncio.sleep(0.01)
    waiting.cancel()
    await asyncio.sleep(0.01)
    slots.release()
    assert slots.running == 0
    await asyncio.wait_for(slots.acquire(), 1)

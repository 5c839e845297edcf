import asyncio
from types import SimpleNamespace

import pytest
from jupyterhub.apihandlers.users import UserListAPIHandler, UserServerAPIHandler
from jupyterhub.handlers.pages import SpawnHandler

from mydocker_hub import turns
from mydocker_hub.spawner import SwarmCourseSpawner
from mydocker_hub.swarm import activity


@pytest.fixture(autouse=True)
def fresh_turns(monkeypatch):
    """The hub's turns, new for each test: a lock once waited on keeps its event loop."""
    fresh = turns.Turns()
    monkeypatch.setattr(turns, "hub_turns", fresh)
    monkeypatch.setattr("mydocker_hub.spawner.hub_turns", fresh)


class TurnCounter:
    """Counts the turns of the running loop: a callback scheduled now runs in the next."""

    def __init__(self):
        self.turn = 0
        self._loop = asyncio.get_running_loop()
        self._loop.call_soon(self._tick)

    def _tick(self):
        self.turn += 1
        self._loop.call_soon(self._tick)


def one_per_turn_with_a_turn_between(ran_in):
    return all(later - earlier >= 2 for earlier, later in zip(ran_in, ran_in[1:], strict=False))


async def set_up_turns_of_a_class(students, take_turn):
    """The loop turn in which each student's set-up ran, when all click at once.

    As in JupyterHub: the request handler schedules the set-up as a task (it
    runs in the next turn) and waits for it.
    """
    counter = TurnCounter()
    ran_in = []

    async def set_up():
        ran_in.append(counter.turn)

    async def start():
        await take_turn()
        await asyncio.ensure_future(set_up())

    await asyncio.gather(*(start() for _ in range(students)))
    return ran_in


def test_a_class_clicking_together_is_set_up_one_student_per_turn_of_the_loop():
    ran_in = asyncio.run(set_up_turns_of_a_class(30, turns.Turns().take))
    assert len(ran_in) == 30
    # Never two set-ups in one turn, and a turn between two: the loop answers others there.
    assert one_per_turn_with_a_turn_between(ran_in)


def test_a_start_that_fails_leaves_the_turn_to_the_next():
    class Failing:
        async def spawn_single_user(self, *args, **kwargs):
            raise RuntimeError("the spawner refused")

    class Handler(turns.TakesTurnsToSpawn, Failing):
        pass

    async def two_starts():
        first = asyncio.ensure_future(Handler().spawn_single_user("student"))
        second = asyncio.ensure_future(Handler().spawn_single_user("student"))
        return await asyncio.gather(first, second, return_exceptions=True)

    results = asyncio.run(asyncio.wait_for(two_starts(), 5))
    assert [str(r) for r in results] == ["the spawner refused"] * 2


def test_the_handlers_that_start_servers_take_turns_and_the_others_are_kept():
    routes = [
        (r"/hub/api/users", UserListAPIHandler),
        (r"/hub/api/users/([^/]+)/server", UserServerAPIHandler),
        (r"/hub/spawn/([^/]+)", SpawnHandler, {"option": 1}),
    ]
    paced = turns.paced(routes)
    assert paced[0] == routes[0]
    assert paced[1] == (routes[1][0], turns.PacedUserServerAPIHandler)
    assert issubclass(paced[1][1], UserServerAPIHandler)
    assert paced[2] == (routes[2][0], turns.PacedSpawnHandler, {"option": 1})
    assert issubclass(paced[2][1], SpawnHandler)


def running_server(number):
    user = SimpleNamespace(name=f"student-{number}", admin=False, url="/user/s/", settings={})
    orm_spawner = SimpleNamespace(name="", server=None, state=None, last_activity=None)
    spawner = SwarmCourseSpawner(user=user, orm_spawner=orm_spawner)
    spawner.object_id = f"service-{number}"

    async def docker(method, *args):  # Docker answers every removal in the same turn
        return None

    spawner.docker = docker
    return spawner


async def test_a_class_stopping_together_is_cleaned_up_one_student_per_turn(database):
    """JupyterHub's clean-up runs as soon as `stop` returns: one per turn, a turn between."""
    counter = TurnCounter()
    cleaned_in = []

    async def stop_then_clean_up(spawner):
        await spawner.stop()
        cleaned_in.append(counter.turn)

    await asyncio.gather(*(stop_then_clean_up(running_server(i)) for i in range(20)))
    await activity.flush()
    assert len(cleaned_in) == 20
    assert one_per_turn_with_a_turn_between(cleaned_in), cleaned_in

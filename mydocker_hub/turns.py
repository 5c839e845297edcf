"""A class's starts set up one at a time, with the hub free to answer between two.

For each start, JupyterHub creates the server's API token and OAuth client and
commits them before the spawner runs: about 30 ms of work on the event loop,
with nothing to wait for. When a class clicks together, the 30 requests
arrive in the same turn of the loop and their set-ups run back to back: the
hub answered nothing else for about 0.9 s (JupyterHub's own measure,
``jupyterhub_event_loop_interval_seconds``, in `make bench`'s storm-30).
Here each start waits for its turn first, so that between two set-ups the loop
answers the requests and the progress streams that were waiting. The class
is set up in the same time; it is only interleaved.

Stops are the same the other way round: once a server's service is removed,
JupyterHub deletes its token and OAuth client and commits four times, with
nothing to wait for. A class whose session ends stops at once, and Docker
answers the removals together: each stop takes its turn before that clean-up
(`SwarmCourseSpawner.stop`).
"""

import asyncio

from jupyterhub.apihandlers.users import UserServerAPIHandler
from jupyterhub.handlers.pages import SpawnHandler


class Turns:
    """Lets its callers through one per turn of the event loop, in order of arrival."""

    def __init__(self):
        self._lock = asyncio.Lock()

    async def take(self):
        async with self._lock:
            # The previous caller's set-up was scheduled in the turn that let it
            # through: it runs in the next one, alone, while this caller waits.
            await asyncio.sleep(0)


# One for the starts' set-ups and the stops' clean-ups alike: never two in a turn.
hub_turns = Turns()


class TakesTurnsToSpawn:
    """Handler mixin: `spawn_single_user` waits for its turn."""

    async def spawn_single_user(self, *args, **kwargs):
        await hub_turns.take()
        return await super().spawn_single_user(*args, **kwargs)


class PacedUserServerAPIHandler(TakesTurnsToSpawn, UserServerAPIHandler):
    """POST /hub/api/users/NAME/server(s/NAME), a start through the REST API."""


class PacedSpawnHandler(TakesTurnsToSpawn, SpawnHandler):
    """/hub/spawn, a start from the hub's pages (and from a launch that starts one)."""


PACED = {UserServerAPIHandler: PacedUserServerAPIHandler, SpawnHandler: PacedSpawnHandler}


def paced(handlers):
    """JupyterHub's handler list, with the two that start servers taking turns."""
    return [(route[0], PACED.get(route[1], route[1]), *route[2:]) for route in handlers]

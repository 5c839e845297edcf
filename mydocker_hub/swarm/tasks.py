"""One look at the Swarm's tasks for all the starts under way, not one per start.

A start follows its task until it runs. When a whole class starts, asking
Docker for each task several times a second makes thousands of calls, and
the Docker daemon answering them takes CPU from the servers that are starting.
Here the starts that want news of their task in the same interval share one
``tasks`` call.
"""

import asyncio


def latest(tasks):
    """The most recent task of a service (a service may keep its old tasks)."""
    return max(tasks, key=lambda task: task.get("CreatedAt", ""), default=None)


class TaskWatch:
    """Gathers the services asked about during `interval`, then lists their tasks at once.

    `list_tasks` is a coroutine function taking a list of service IDs and
    returning their tasks (``docker.APIClient.tasks`` in a thread).
    """

    def __init__(self, list_tasks, interval):
        self.list_tasks = list_tasks
        self.interval = interval
        self.calls = 0  # how many times Docker was asked, for the curious
        self._wanted = set()
        self._round = None

    async def current_task(self, service_id):
        """The service's latest task, as of the next round (None if it has none)."""
        self._wanted.add(service_id)
        if self._round is None:
            self._round = asyncio.ensure_future(self._next_round())
        # One caller giving up (a cancelled start) must not cancel the others' round.
        tasks = await asyncio.shield(self._round)
        return latest(t for t in tasks if t.get("ServiceID") == service_id)

    async def _next_round(self):
        try:
            await asyncio.sleep(self.interval)
        finally:
            wanted, self._wanted, self._round = sorted(self._wanted), set(), None
        self.calls += 1
        return await self.list_tasks(wanted)

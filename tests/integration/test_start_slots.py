"""The start slots sized from the Swarm's CPUs: two per CPU of the ready nodes, at least four.

On the platform as `up` makes it (no `max_concurrent_starts`), one start more
than there are slots is sent at once: all start, and exactly one is told it
waits in line.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
from deployment import docker_client, progress, start, stop, wait_until_started


@pytest.fixture
def api(platform):
    return platform.admin_api()


def test_one_start_more_than_the_slots_waits_in_line_and_only_one(platform, api):
    slots = max(4, 2 * docker_client().info()["NCPU"])
    users = [f"slots-{i}" for i in range(slots + 1)]
    with ThreadPoolExecutor(2 * len(users)) as pool:
        asked = {user: pool.submit(start, platform, api, user, "") for user in users}
        followed = {}
        for user in users:  # each followed from its start on: the line shows while pending
            wait_until_started(platform, api, user, "", asked[user])
            followed[user] = pool.submit(progress, platform, api, user, "")
        events = {user: followed[user].result() for user in users}
        for request in asked.values():
            assert request.result().status_code in (201, 202)
    assert all(events[user][-1].get("ready") for user in users), events
    waited = [
        user
        for user in users
        if any("waiting in line" in e.get("message", "") for e in events[user])
    ]
    assert len(waited) == 1, waited
    logs = docker_client().containers.get(f"{platform.prefix}-hub").logs().decode()
    assert f"Up to {slots} servers start at once" in logs
    with ThreadPoolExecutor(len(users)) as pool:
        list(pool.map(lambda user: stop(platform, api, user, ""), users))

"""Starts at once on the platform as `up` makes it (no `max_concurrent_starts`).

- The start slots are sized from the Swarm's CPUs (two per CPU of the ready
  nodes, at least four): one start more than there are slots is sent at once,
  all start, and exactly one is told it waits in line.
- A service removed while its start follows its task (the tasks of all the
  starts under way are listed at once) ends that start at once; the other
  start goes on.
"""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from deployment import (
    docker_client,
    progress,
    server_answers,
    service_name,
    start,
    stop,
    wait_until_gone,
    wait_until_started,
)


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


def test_a_service_removed_while_its_task_is_followed_fails_that_start_only(platform, api):
    removed, kept = "mid-poll-removed", "mid-poll-kept"
    client = docker_client()
    with ThreadPoolExecutor(4) as pool:
        asked = {user: pool.submit(start, platform, api, user, "") for user in (removed, kept)}
        followed = {}
        for user in (removed, kept):
            wait_until_started(platform, api, user, "", asked[user])
            followed[user] = pool.submit(progress, platform, api, user, "")
        deadline = time.monotonic() + 60
        while True:  # removed as soon as it exists: its task is not running yet
            services = client.services.list(
                filters={"name": service_name(platform.prefix, removed)}
            )
            if services:
                services[0].remove()
                removed_at = time.monotonic()
                break
            assert time.monotonic() < deadline, "the service was never created"
            time.sleep(0.02)
        events = {removed: followed[removed].result()}
        ended_after = time.monotonic() - removed_at
        events[kept] = followed[kept].result()
    assert events[removed][-1].get("failed"), events[removed]
    assert ended_after < 30, f"the start ended {ended_after:.0f} s after its service went"
    assert events[kept][-1].get("ready"), events[kept]
    assert server_answers(platform, api, kept, "")
    wait_until_gone(service_name(platform.prefix, removed), timeout=20)
    stop(platform, api, kept, "")

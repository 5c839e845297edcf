"""The spawner under a class, through the real hub: its line, a failed start's slot,
a server that crashes after its start, a teacher before the session opens.

The hub runs here with one start slot, so that the line is long and its order
known, and polls its servers every 3 s, so that a crash shows in seconds.
"""

import io
import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from deployment import (
    EXITING_IMAGE,
    TEST_ENVIRONMENTS,
    docker_client,
    progress,
    server_answers,
    service_name,
    start,
    stop,
    task_container,
    wait_until_gone,
)

CONFIG = """
from mydocker_hub.config import configure

configure(c)
c.SwarmCourseSpawner.max_concurrent_starts = 1
c.Spawner.poll_interval = 3
"""
EXITING = b'FROM debian:bookworm-slim\nUSER 1000\nCMD ["sh", "-c", "sleep 2; exit 3"]\n'
PLANNED = {
    "name": "planned",
    "title": "Planned course",
    "image": TEST_ENVIRONMENTS[0]["image"],
    "public": True,
    "teachers": ["prof-early"],
    "sessions": [
        {"start": "2099-03-01T09:00", "end": "2099-03-01T12:00", "block_before_start": True}
    ],
}


@pytest.fixture(scope="module")
def one_slot(platform, tmp_path_factory):
    """The hub with one start slot, a short poll and an environment planned for later."""
    config = tmp_path_factory.mktemp("class") / "jupyterhub_config.py"
    config.write_text(CONFIG)
    environments = platform.env["MYDOCKER_ENVIRONMENTS"]
    platform.up(
        MYDOCKER_CONFIG=str(config),
        MYDOCKER_ENVIRONMENTS=json.dumps([*TEST_ENVIRONMENTS, PLANNED]),
    )
    docker_client().images.build(fileobj=io.BytesIO(EXITING), tag=EXITING_IMAGE, rm=True)
    yield
    platform.up(MYDOCKER_CONFIG="", MYDOCKER_ENVIRONMENTS=environments)
    docker_client().images.remove(EXITING_IMAGE, force=True)


@pytest.fixture
def api(platform, one_slot):
    return platform.admin_api()


def user_server(platform, api, user, environment=""):
    """The hub's model of the user's server, or None (nor the user, before its start)."""
    response = api.get(f"{platform.url}/hub/api/users/{user}")
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    return response.json()["servers"].get(environment)


def wait_until_pending(platform, api, user, environment="", timeout=30):
    deadline = time.monotonic() + timeout
    while not user_server(platform, api, user, environment):
        assert time.monotonic() < deadline, f"{user}'s start did not begin"
        time.sleep(0.05)


def start_in_order(platform, api, starts):
    """Start `starts` ((user, environment) pairs) one after the other, each once the hub
    has the previous one; follow them all; return {user: its progress events}."""
    with ThreadPoolExecutor(len(starts) * 2) as pool:
        requests_made = []
        for user, environment in starts:
            requests_made.append(pool.submit(start, platform, api, user, environment))
            wait_until_pending(platform, api, user, environment)
        followed = {
            user: pool.submit(progress, platform, api, user, environment)
            for user, environment in starts
        }
        for request in requests_made:
            request.result()  # a start that fails may answer its error (its events say it)
        return {user: events.result() for user, events in followed.items()}


def queue_messages(events):
    return [e["message"] for e in events if "waiting in line" in e.get("message", "")]


def test_with_one_slot_each_start_is_told_its_place_and_all_get_in(platform, api):
    users = ["line-1", "line-2", "line-3"]
    events = start_in_order(platform, api, [(user, "") for user in users])
    assert all(events[user][-1].get("ready") for user in users), events
    assert queue_messages(events["line-1"]) == []
    assert "yours is next" in queue_messages(events["line-2"])[0]
    third = queue_messages(events["line-3"])
    assert "1 start(s) before yours" in third[0]
    # and the third moved up when the first got in
    assert "yours is next" in third[-1]
    for user in users:
        assert server_answers(platform, api, user, "")
        stop(platform, api, user, "")


def test_a_start_that_fails_hands_its_slot_to_the_next_in_line(platform, api):
    events = start_in_order(platform, api, [("fails-first", "broken"), ("waits-behind", "")])
    assert events["fails-first"][-1].get("failed"), events["fails-first"]
    assert "exit code 3" in events["fails-first"][-1]["message"]
    behind = events["waits-behind"]
    assert "yours is next" in queue_messages(behind)[0]
    assert behind[-1].get("ready"), behind
    wait_until_gone(service_name(platform.prefix, "fails-first", "broken"), timeout=20)
    stop(platform, api, "waits-behind", "")


def test_a_server_that_crashes_after_its_start_shows_stopped(platform, api):
    user = "crashes-later"
    assert start_in_order(platform, api, [(user, "")])[user][-1].get("ready")
    name = service_name(platform.prefix, user)
    task_container(name).kill()
    deadline = time.monotonic() + 30
    while user_server(platform, api, user) is not None:
        assert time.monotonic() < deadline, "the hub still shows the crashed server running"
        time.sleep(0.5)
    # started again in one go, as a student would
    assert start_in_order(platform, api, [(user, "")])[user][-1].get("ready")
    stop(platform, api, user, "")


def test_before_the_session_opens_its_teacher_may_start_and_a_student_is_refused(platform, api):
    refused = start(platform, api, "early-student", "planned")
    assert refused.status_code == 403, refused.text
    assert "opens on" in refused.json()["message"]
    events = start_in_order(platform, api, [("prof-early", "planned")])
    assert events["prof-early"][-1].get("ready"), events["prof-early"]
    stop(platform, api, "prof-early", "planned")


def test_a_start_cancelled_in_line_leaves_it_and_the_next_moves_up(platform, api):
    users = ["cancel-1", "cancel-2", "cancel-3"]
    with ThreadPoolExecutor(6) as pool:
        asked = []
        for user in users:
            asked.append(pool.submit(start, platform, api, user, ""))
            wait_until_pending(platform, api, user)
        followed = {user: pool.submit(progress, platform, api, user, "") for user in users[::2]}
        # cancel-2 waits in line behind cancel-1, which holds the only slot: it is stopped.
        cancelled = api.delete(f"{platform.url}/hub/api/users/cancel-2/server", timeout=60)
        assert cancelled.status_code in (202, 204), cancelled.text
        events = {user: events.result() for user, events in followed.items()}
        for request in asked:
            request.result()
    assert events["cancel-1"][-1].get("ready"), events["cancel-1"]
    third = queue_messages(events["cancel-3"])
    assert "1 start(s) before yours" in third[0], third
    # The cancelled start left the line: the slot went to cancel-3, not to a ghost.
    assert "yours is next" in third[-1], third
    assert events["cancel-3"][-1].get("ready"), events["cancel-3"]
    assert user_server(platform, api, "cancel-2") is None
    assert not docker_client().services.list(
        filters={"name": service_name(platform.prefix, "cancel-2")}
    )
    for user in users[::2]:
        stop(platform, api, user, "")

"""A whole class starts at once: waiting in line does not count against start_timeout.

30 students start their default server together on this 2-CPU machine, where
4 servers start at a time, with ``start_timeout`` = 25 s. Once its turn comes a
start takes up to about 12 s here (4 side by side; 15 s was seen to be too
short for some), but the whole class takes about a minute, so the last
students wait in line for well over 25 s. Before the wait in line was taken
out of ``start_timeout``, JupyterHub gave up on them after 25 s.
"""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from deployment import progress, server_answers, start, stop

STUDENTS = 30
START_TIMEOUT = 20

CONFIG = f"""
from mydocker_hub.config import configure

configure(c)
c.Spawner.start_timeout = {START_TIMEOUT}
"""


@pytest.fixture
def short_start_timeout(platform, tmp_path):
    config = tmp_path / "jupyterhub_config.py"
    config.write_text(CONFIG)
    platform.up(MYDOCKER_CONFIG=str(config))
    yield
    platform.up(MYDOCKER_CONFIG="")


@pytest.fixture
def api(platform):
    session = platform.admin_api()
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=STUDENTS + 8)
    session.mount("http://", adapter)
    return session


def start_and_follow(platform, api, user):
    """The start's last progress event, and its queue messages."""
    response = start(platform, api, user, "")
    if response.status_code not in (201, 202):
        return {"failed": True, "message": response.text}, []
    events = progress(platform, api, user, "")
    queued = [e["message"] for e in events if "waiting in line" in e.get("message", "")]
    return events[-1], queued


@pytest.mark.alone
def test_a_class_of_30_starting_at_once_all_succeed(platform, api, short_start_timeout):
    users = [f"storm-{i}" for i in range(STUDENTS)]
    response = api.post(f"{platform.url}/hub/api/users", json={"usernames": users})
    assert response.status_code in (201, 409), response.text
    started = time.monotonic()
    with ThreadPoolExecutor(STUDENTS) as pool:
        results = list(pool.map(lambda user: start_and_follow(platform, api, user), users))
    wall = time.monotonic() - started
    failed = {
        user: last["message"]
        for user, (last, _) in zip(users, results, strict=True)
        if not last.get("ready")
    }
    print(json.dumps({"students": STUDENTS, "wall_s": round(wall, 1), "failed": len(failed)}))
    assert not failed, failed
    # The class waited longer than start_timeout in all: the wait in line did not count.
    assert wall > START_TIMEOUT
    # Once some starts were measured, those in line were told how long to expect.
    queue_messages = [m for _, queued in results for m in queued]
    assert any("about" in m for m in queue_messages), queue_messages[:5]
    for user in users[:: STUDENTS // 4]:
        assert server_answers(platform, api, user, "")
    with ThreadPoolExecutor(8) as pool:  # `stop` waits until each service is gone
        list(pool.map(lambda user: stop(platform, api, user, ""), users))

"""The hub replaced while its servers run, as `up` does after a change of settings.

What students had must go on: their servers still authenticate through the new
hub (with a token made after the change), a "stop at end" planned before it
still happens, and a server that went away while the hub was down shows as
stopped, not running.
"""

import json
from datetime import UTC, datetime, timedelta

import pytest
import requests
from deployment import (
    IMAGE,
    TEST_ENVIRONMENTS,
    docker_client,
    service_name,
    start_ready,
    stop,
    wait_for_http,
    wait_until_gone,
)

SESSION_SECONDS = 50  # the new hub answers about 30 s in


def elapsed(since):
    return round((datetime.now(UTC) - since).total_seconds())


@pytest.fixture
def api(platform):
    return platform.admin_api()


def ending_soon(now):
    """An open environment whose "stop at end" session ends in a few minutes."""
    return {
        "name": "ending-soon",
        "image": IMAGE,
        "public": True,
        "sessions": [
            {
                "start": (now - timedelta(hours=1)).isoformat(),
                "end": (now + timedelta(seconds=SESSION_SECONDS)).isoformat(),
                "stop_at_end": True,
            }
        ],
    }


def servers_of(platform, api, user):
    return api.get(f"{platform.url}/hub/api/users/{user}").json()["servers"]


def contents(platform, user, server, token):
    return requests.get(
        f"{platform.url}/user/{user}/{server}/api/contents",
        headers={"Authorization": f"token {token}"},
        timeout=10,
    )


def test_servers_outlive_a_replaced_hub_and_its_plans_still_happen(platform, api):
    environments = platform.env["MYDOCKER_ENVIRONMENTS"]
    now = datetime.now(UTC)
    platform.up(MYDOCKER_ENVIRONMENTS=json.dumps([*TEST_ENVIRONMENTS, ending_soon(now)]))
    api = platform.admin_api()  # the replaced hub's token
    try:
        start_ready(platform, api, "keeps-running", "jupyterlab")
        start_ready(platform, api, "session-ends", "ending-soon")
        start_ready(platform, api, "goes-away", "jupyterlab")
        hub = docker_client().containers.get(f"{platform.prefix}-hub")
        hub.stop(timeout=20)
        docker_client().api.remove_service(service_name(platform.prefix, "goes-away", "jupyterlab"))
        # a change of settings while it is down: `up` replaces the container
        replaced = platform.up(MYDOCKER_BUILDS_KEPT="9")
        assert "Replacing the hub container" in replaced.stdout
        wait_for_http(f"{platform.url}/hub/health", "the new hub")
        api = platform.admin_api()
        print(f"\nthe new hub answered {elapsed(now)} s into the {SESSION_SECONDS} s session")
        assert datetime.now(UTC) < now + timedelta(seconds=SESSION_SECONDS), "too slow"

        # A token made after the change opens the server; a made-up one does not.
        made = api.post(f"{platform.url}/hub/api/users/keeps-running/tokens", json={})
        assert made.status_code == 201, made.text
        token = made.json()["token"]
        assert contents(platform, "keeps-running", "jupyterlab", token).status_code == 200
        assert contents(platform, "keeps-running", "jupyterlab", "0" * 32).status_code == 403

        assert "jupyterlab" not in servers_of(platform, api, "goes-away")
        assert servers_of(platform, api, "session-ends")["ending-soon"]["ready"]
        # the session's end, planned by the hub before, stops the server all the same
        wait_until_gone(
            service_name(platform.prefix, "session-ends", "ending-soon"),
            timeout=SESSION_SECONDS + 60,
        )
        assert datetime.now(UTC) >= now + timedelta(seconds=SESSION_SECONDS)
        assert "ending-soon" not in servers_of(platform, api, "session-ends")
        stop(platform, api, "keeps-running", "jupyterlab")
    finally:
        platform.env.pop("MYDOCKER_BUILDS_KEPT", None)
        platform.up(MYDOCKER_ENVIRONMENTS=environments)

"""What "My environments" shows: pure functions of environments, enrolments and servers.

`cards` turns what the handler read (the environments, the names the user is
enrolled in, the user's servers from the hub's REST API) into one `Card` per
environment the user may start, in the catalog's order. Nothing here does
I/O, so the whole page logic is tested without a hub or a database.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from ..environments import access_refusal
from ..sessions import current_session, start_refusal

STOPPED, STARTING, RUNNING, STOPPING = "stopped", "starting", "running", "stopping"


def startable(environments, user_name, *, is_admin=False, enrolled=frozenset()):
    """The environments `user_name` may start (`access_refusal` says None), in order."""
    return [
        environment
        for environment in environments
        if access_refusal(
            environment, user_name, is_admin=is_admin, enrolled=environment.name in enrolled
        )
        is None
    ]


def server_state(server):
    """stopped / starting / stopping / running, from a server model of the hub's REST API."""
    if not server:
        return STOPPED
    pending = server.get("pending")
    if pending == "spawn":
        return STARTING
    if pending == "stop":
        return STOPPING
    if server.get("ready"):
        return RUNNING
    return STOPPED


def session_to_show(sessions, now=None):
    """('now', session) for the current session, ('next', session) for the next one, or None."""
    now = now or datetime.now(UTC)
    current = current_session(sessions, now)
    if current:
        return "now", current
    upcoming = sorted((s for s in sessions if s.start > now), key=lambda s: s.start)
    if upcoming:
        return "next", upcoming[0]
    return None


def escaped_user(name):
    """A user name as JupyterHub puts it in URLs (``User.escaped_name``)."""
    return quote(name, safe="@~")


@dataclass(frozen=True)
class Card:
    """One environment on the page, with what its buttons do."""

    name: str
    title: str
    description: str
    status: str
    state: str
    session: tuple | None  # ('now' | 'next', Session)
    blocked: bool  # starts refused until the next session opens
    start_url: str
    open_url: str
    interrupted: bool = False  # its last start was cut short by a restart of the platform


def cards(
    environments,
    user_name,
    *,
    servers,
    enrolled=frozenset(),
    is_admin=False,
    urls,
    now,
    interrupted=frozenset(),
):
    """The cards of "My environments".

    `servers` is the ``servers`` dict of the user's model in the hub's REST API
    (server name -> model); the server of an environment is named after it.
    `urls` holds ``base_url`` (``/``) and ``hub_prefix`` (``/hub/``);
    `interrupted` names the environments whose last start a restart cut short.
    """
    user = escaped_user(user_name)
    result = []
    for environment in startable(environments, user_name, is_admin=is_admin, enrolled=enrolled):
        server = servers.get(environment.name)
        state = server_state(server)
        result.append(
            Card(
                name=environment.name,
                title=environment.display_name,
                description=environment.description,
                status=environment.status,
                state=state,
                session=session_to_show(environment.sessions, now),
                blocked=state == STOPPED and start_refusal(environment.sessions, now) is not None,
                start_url=f"{urls['hub_prefix']}spawn/{user}/{environment.name}",
                open_url=f"{urls['base_url']}user/{user}/{environment.name}/",
                interrupted=state == STOPPED and environment.name in interrupted,
            )
        )
    return result

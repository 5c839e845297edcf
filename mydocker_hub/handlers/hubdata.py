"""What the portal reads from the hub's REST API about an environment's servers.

The servers of an environment are the users' servers named after it. The
hub knows when each started and whether it is ready; the node it runs on is
the one its last ``ready`` event of the activity log names.
"""

from sqlalchemy import select

from ..portal.models import ActivityEvent
from .base import HubAPIError, PortalError


async def environment_servers(handler, name):
    """The running (or starting) servers of environment `name`: user, state, start, node."""
    try:
        users = await handler.hub_api("GET", "/users?state=active&limit=10000")
    except HubAPIError as e:
        handler.log.warning("Could not list the active users: %s", e)
        raise PortalError(502, "error_hub") from None
    if isinstance(users, dict):  # the paginated form
        users = users.get("items", [])
    servers = []
    for user in users or ():
        server = (user.get("servers") or {}).get(name)
        if server:
            servers.append(
                {
                    "user": user["name"],
                    "started": server.get("started") or "",
                    "ready": bool(server.get("ready")),
                    "pending": server.get("pending") or "",
                }
            )
    nodes = await handler.in_db(last_nodes, name, [s["user"] for s in servers])
    for server in servers:
        server["node"] = nodes.get(server["user"], "")
    return sorted(servers, key=lambda s: s["user"])


def last_nodes(session, environment, users):
    """The node of each user's last ``ready`` event for `environment`."""
    if not users:
        return {}
    query = (
        select(ActivityEvent.user, ActivityEvent.node)
        .where(
            ActivityEvent.environment == environment,
            ActivityEvent.event == "ready",
            ActivityEvent.user.in_(users),
        )
        .order_by(ActivityEvent.time)
    )
    return {user: node for user, node in session.execute(query)}

"""Servers, one per user and environment: a student stops theirs, a teacher their students'.

Starting goes through the hub's own spawn page (``/hub/spawn/USER/ENV``), which
shows the progress; stopping asks the hub's REST API with the user's own
token, so the hub decides (the token may only stop the user's servers). A
teacher stops the servers of an environment they may edit with the portal's
own token, after the portal checked that access.
"""

from urllib.parse import quote

from tornado import web

from ..portal import store
from .base import BaseHandler, HubAPIError, PortalError
from .environments import TeacherHandler
from .hubdata import environment_servers


class StopHandler(BaseHandler):
    """``POST /services/mydocker/servers/ENV/stop``."""

    @web.authenticated
    async def post(self, environment):
        name = self.current_user["name"]
        token = self.hub_auth.get_token(self)
        path = f"/users/{quote(name, safe='')}/servers/{environment}"
        try:
            await self.hub_api("DELETE", path, token=token)
        except HubAPIError as e:
            self.log.info("Stop of %s/%s refused by the hub: %s", name, environment, e)
            if e.status_code in (400, 403, 404):
                raise PortalError(404, "error_not_yours", name=environment) from None
            raise PortalError(502, "error_hub") from None
        self.log.info("%s stopped their environment %s", name, environment)
        self.redirect(self.urls["portal"])


async def stop_server(handler, user, environment):
    """Stop `user`'s server of `environment` with the portal's token (access checked before)."""
    path = f"/users/{quote(user, safe='')}/servers/{environment}"
    try:
        await handler.hub_api("DELETE", path)
    except HubAPIError as e:
        if e.status_code in (400, 404):
            return False  # already stopped
        handler.log.warning("Stop of %s/%s failed: %s", user, environment, e)
        raise PortalError(502, "error_hub") from None
    return True


async def stop_servers(handler, name, user=None):
    """Stop the servers of environment `name` (one user's, or all) for a teacher who may.

    The names stopped.
    """
    reader = await handler.get_reader()
    await handler.in_db(store.load, reader, name, "stop_servers")
    running = await environment_servers(handler, name)
    users = [s["user"] for s in running if user is None or s["user"] == user]
    if user is not None and not users:
        raise PortalError(404, "error_no_server", name=user)
    for name_of_user in users:
        await stop_server(handler, name_of_user, name)
        handler.log.info("%s stopped the server of %s in %s", reader.name, name_of_user, name)
    return users


class TeacherStopHandler(TeacherHandler):
    """``POST /environments/NAME/servers/stop`` (all) or ``.../servers/USER/stop`` (one)."""

    @web.authenticated
    async def post(self, name, user=None):
        await stop_servers(self, name, user)
        self.redirect(f"{self.urls['portal']}environments/{name}#servers")

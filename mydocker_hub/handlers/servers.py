"""A user's servers, one per environment: stopping one from "My environments".

Starting goes through the hub's own spawn page (``/hub/spawn/USER/ENV``), which
shows the progress; stopping asks the hub's REST API with the user's own
token, so the hub decides (the token may only stop the user's servers).
"""

from urllib.parse import quote

from tornado import web

from .base import BaseHandler, HubAPIError, PortalError


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

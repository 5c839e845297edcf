"""My environments: every environment the user may start, its state, session and buttons."""

import asyncio
from datetime import UTC, datetime

from tornado import web

from ..portal import i18n, listing
from .base import BaseHandler, HubAPIError, PortalError


class HomeHandler(BaseHandler):
    """``/services/mydocker/``: the page a user lands on after logging in."""

    @web.authenticated
    async def get(self):
        name = self.current_user["name"]
        try:
            model = await self.user_model(name)
        except HubAPIError as e:
            self.log.warning("Could not read user %s from the hub: %s", name, e)
            raise PortalError(502, "error_hub") from None
        self.is_admin = bool(model.get("admin"))
        environments, enrolled = await asyncio.to_thread(self.read_environments, name)
        cards = listing.cards(
            environments,
            name,
            servers=model.get("servers") or {},
            enrolled=enrolled,
            is_admin=self.is_admin,
            urls=self.urls,
            now=datetime.now(UTC),
        )
        self.render_page("mydocker-home.html", cards=cards, slot=self.slot)

    def slot(self, session):
        """A session's slot in its own time zone, in the reader's language."""
        return i18n.format_slot(
            session.local(session.start), session.local(session.end), session.timezone, self.lang
        )

    def read_environments(self, user_name):
        """The environments and the user's enrolments (database: run in a thread)."""
        return self.catalog.all_environments(), self.catalog.enrolments_of(user_name)

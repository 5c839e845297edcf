"""My environments: every environment the user may start, its state, session and buttons."""

import asyncio
from datetime import UTC, datetime, timedelta

from tornado import web

from .. import db
from ..portal import activity, listing
from .base import BaseHandler

# How long "your last start was interrupted" stays on the page, unless a new start comes.
INTERRUPTION_SHOWN = timedelta(days=2)


class HomeHandler(BaseHandler):
    """``/services/mydocker/``: the page a user lands on after logging in."""

    @web.authenticated
    async def get(self):
        name = self.current_user["name"]
        # The hub's answer (servers, roles) and the database's, at the same time.
        _, (environments, enrolled, interrupted) = await asyncio.gather(
            self.get_reader(), asyncio.to_thread(self.read_environments, name)
        )
        model = self._user_model
        cards = listing.cards(
            environments,
            name,
            servers=model.get("servers") or {},
            enrolled=enrolled,
            is_admin=self.is_admin,
            urls=self.urls,
            now=datetime.now(UTC),
            interrupted=interrupted,
        )
        self.render_page("mydocker-home.html", cards=cards)

    def read_environments(self, user_name):
        """The environments, the user's enrolments, their interrupted starts (in a thread)."""
        with db.session() as session:
            since = datetime.now(UTC) - INTERRUPTION_SHOWN
            interrupted = activity.interrupted(session, user_name, since)
        return (
            self.catalog.all_environments(),
            self.catalog.enrolments_of(user_name),
            interrupted,
        )

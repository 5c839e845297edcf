"""The activity log, for admins: who started what, when, where, how it ended; as CSV too."""

from datetime import datetime

from tornado import web

from ..auth import store as people
from ..portal import activity
from ..portal.errors import PortalError
from ..swarm.activity import EVENTS
from .base import BaseHandler

FILTERS = ("user", "environment", "event")


def activity_filters(handler):
    """The filters of the request (``user``, ``environment``, ``event``, ``since``, ``until``)."""
    filters = {key: handler.get_argument(key, "").strip() or None for key in FILTERS}
    for key in ("since", "until"):
        text = handler.get_argument(key, "").strip()
        try:
            filters[key] = datetime.fromisoformat(text) if text else None
        except ValueError:
            raise PortalError(400, "error_bad_date", value=text) from None
    return filters


class ActivityHandler(BaseHandler):
    """``GET /admin/activity`` (``?format=csv`` to download it)."""

    @web.authenticated
    async def get(self):
        reader = await self.get_reader()
        if not reader.admin:
            raise PortalError(403, "error_admins_only")
        filters = activity_filters(self)
        rows = await self.in_db(activity.query, **filters)
        if self.get_argument("format", "") == "csv":
            self.set_header("Content-Type", "text/csv; charset=utf-8")
            self.set_header("Content-Disposition", 'attachment; filename="mydocker-activity.csv"')
            self.finish(activity.to_csv(rows))
            return
        names = await self.in_db(people.display_names, sorted({row.user for row in rows}))
        self.render_page(
            "mydocker-activity.html",
            display_names=names,
            rows=rows,
            filters={k: self.get_argument(k, "") for k in (*FILTERS, "since", "until")},
            events=EVENTS,
        )

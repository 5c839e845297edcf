"""Planning sessions: add one to an environment, remove one, and the week of a teacher."""

from datetime import UTC, datetime, timedelta

from tornado import web

from ..portal import forms, store
from .environments import EnvironmentHandler, TeacherHandler


class SessionsHandler(EnvironmentHandler):
    """``POST /environments/NAME/sessions``: plan a session (form on the environment page)."""

    @web.authenticated
    async def post(self, name):
        reader = await self.get_reader()
        submitted = forms.form_values(self.request.body_arguments)
        values, errors = forms.parse_session(submitted)
        if errors:
            await self.show(name, form="session", values=submitted, errors=errors)
            return
        await self.in_db(store.add_session, reader, name, values)
        self.redirect(f"{self.urls['portal']}environments/{name}#sessions")


class SessionDeleteHandler(TeacherHandler):
    """``POST /environments/NAME/sessions/ID/delete``."""

    @web.authenticated
    async def post(self, name, session_id):
        reader = await self.get_reader()
        await self.in_db(store.delete_session, reader, name, int(session_id))
        self.redirect(f"{self.urls['portal']}environments/{name}#sessions")


def week_bounds(day, offset_weeks=0):
    """Monday 00:00 UTC of `day`'s week (shifted by `offset_weeks`) and the next Monday."""
    monday = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(days=day.weekday())
    start = monday + timedelta(weeks=offset_weeks)
    return start, start + timedelta(weeks=1)


class WeekHandler(TeacherHandler):
    """``GET /week?offset=N``: the sessions of the week, with the capacity each needs."""

    @web.authenticated
    async def get(self):
        reader = await self.get_reader()
        try:
            offset = max(-52, min(52, int(self.get_argument("offset", "0"))))
        except ValueError:
            offset = 0
        start, end = week_bounds(datetime.now(UTC), offset)
        nodes = await self.settings["mydocker_nodes"]()
        items = await self.in_db(store.week, reader, start, end, nodes)
        self.render_page(
            "mydocker-week.html", items=items, offset=offset, week_start=start, nodes=nodes
        )

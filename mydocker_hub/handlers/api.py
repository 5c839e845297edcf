"""The portal's JSON API, under ``/services/mydocker/api/``: what the pages do, for scripts.

Authenticated like the pages: the hub's login cookie (then an ``X-XSRFToken``
header on changes) or an API token of the hub (``Authorization: token …``);
a token acts as a teacher only if it carries the teacher's scope. The same
store functions as the pages check who may do what. Errors are JSON:
``{"status": 4xx, "error": "key", "message": "...", "fields": {...}}``.
Documented in ``docs/portal-api.yaml`` (OpenAPI).
"""

import json
from datetime import UTC, datetime

from ..auth import store as people
from ..portal import activity, forms, i18n, listing, store
from ..portal.errors import InvalidInput, PortalError, VersionConflict
from .activity import activity_filters
from .base import BaseHandler, HubAPIError
from .hubdata import environment_servers
from .servers import stop_servers
from .sessions import week_bounds


def _json_default(value):
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


class APIHandler(BaseHandler):
    """JSON in, JSON out; no redirect to a login page."""

    def check_xsrf_cookie(self):
        # Tornado checks XSRF before it asks who the user is; a request with an
        # API token (a script) has no cookie to forge: identify it first, so
        # that HubOAuth's check knows it was token-authenticated.
        if self.request.headers.get("Authorization"):
            self.current_user  # noqa: B018
        return super().check_xsrf_cookie()

    async def prepare(self):
        if self.current_user is None:
            raise PortalError(403, "error_login_required")
        self.reader = await self.get_reader()

    def write_json(self, value, status=200):
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(value, default=_json_default))

    def json_body(self):
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError:
            raise PortalError(400, "error_json") from None
        if not isinstance(body, dict):
            raise PortalError(400, "error_json")
        return body

    def write_error(self, status_code, **kwargs):
        error = kwargs.get("exc_info", (None, None, None))[1]
        translate = i18n.translator(self.lang)
        body = {"status": status_code}
        if isinstance(error, PortalError):
            body.update(error=error.key, message=translate(error.key, **error.values))
            if isinstance(error, InvalidInput):
                body["fields"] = {f: translate(k) for f, k in error.errors.items()}
            if isinstance(error, VersionConflict):
                body["version"] = error.current_version
        elif isinstance(error, HubAPIError):
            body.update(error="error_hub", message=translate("error_hub"))
        else:
            key = f"error_{status_code}"
            key = key if key in i18n.MESSAGES[self.lang] else "error_500"
            body.update(error=key, message=translate(key))
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(body))

    def require_teacher(self):
        if not self.reader.may_create:
            raise PortalError(403, "error_teachers_only")

    async def environment(self, name, action="view"):
        def read(session):
            row, level = store.load(session, self.reader, name, action)
            view = store.environment_view(row, level)
            link = store.current_join_link(row)
            view["join_link"] = (
                {"token": link.token, "expires": store.expiry_of(link)} if link else None
            )
            return view

        return await self.in_db(read)


# What a JSON creation leaves out is what the page's form starts with.
CREATE_DEFAULTS = {"home_volume": True, "interfaces": ["jupyterlab"], "status": "DRAFT"}


class EnvironmentsAPIHandler(APIHandler):
    """``GET /api/environments``: those the teacher sees; ``POST``: create one."""

    async def get(self):
        self.require_teacher()
        views = await self.in_db(
            lambda s: [store.environment_view(r, a) for r, a in store.visible(s, self.reader)]
        )
        self.write_json({"environments": views})

    async def post(self):
        self.require_teacher()
        body = self.json_body()
        values, errors = forms.parse_environment(
            body,
            images=await self.image_choices(self.reader),
            compute_types=await self.compute_types(),
        )
        if errors:
            raise InvalidInput(errors, body)
        await self.in_db(store.create, self.reader, values)
        self.write_json(await self.environment(values["name"]), status=201)


class EnvironmentAPIHandler(APIHandler):
    """``GET``, ``PATCH`` (with ``version``) and ``DELETE`` ``/api/environments/NAME``."""

    async def get(self, name):
        self.require_teacher()
        view = await self.environment(name)
        view["students"] = await self.in_db(store.enrolled_names, name)
        view["lms_links"] = await self.in_db(people.lms_links_of, name)
        view["servers"] = await environment_servers(self, name)
        self.write_json(view)

    async def patch(self, name):
        self.require_teacher()
        body = self.json_body()
        current = await self.environment(name, "edit")
        if type(body.get("version")) is not int:
            raise InvalidInput({"version": "field_version"}, body)
        # a partial change: what is not given keeps its current value (the view has
        # the form's fields, `idle_minutes` included)
        data = {**current, **body}
        values, errors = forms.parse_environment(
            data,
            images=await self.image_choices(self.reader, current["image"]),
            compute_types=[*await self.compute_types(), current["compute_type"]],
            creating=False,
        )
        if errors:
            raise InvalidInput(errors, body)
        await self.in_db(store.update, self.reader, name, values, body["version"])
        self.write_json(await self.environment(name))

    async def delete(self, name):
        self.require_teacher()
        await self.environment(name, "delete")
        running = [server["user"] for server in await environment_servers(self, name)]
        await self.in_db(store.delete_environment, self.reader, name, running)
        self.set_status(204)
        self.finish()


class EnvironmentActionAPIHandler(APIHandler):
    """``POST /api/environments/NAME/duplicate`` (``{"name": ...}``) and ``.../archive``."""

    async def post(self, name, action):
        self.require_teacher()
        if action == "archive":
            await self.in_db(store.archive, self.reader, name)
            self.write_json(await self.environment(name))
            return
        new_name = str(self.json_body().get("name", "")).strip().lower()
        _, errors = forms.parse_environment({"name": new_name}, images=())
        if "name" in errors:
            raise InvalidInput({"name": errors["name"]})
        await self.in_db(store.duplicate, self.reader, name, new_name)
        self.write_json(await self.environment(new_name), status=201)


class SessionsAPIHandler(APIHandler):
    """``GET /api/environments/NAME/sessions`` (with their capacity) and ``POST`` one."""

    async def get(self, name):
        self.require_teacher()
        view = await self.environment(name)
        nodes = await self.settings["mydocker_nodes"]()
        verdicts = await self.in_db(store.session_verdicts, name, nodes)
        for session in view["sessions"]:
            session["capacity"] = verdicts.get(session["id"])
        self.write_json({"sessions": view["sessions"]})

    async def post(self, name):
        self.require_teacher()
        values, errors = forms.parse_session(self.json_body())
        if errors:
            raise InvalidInput(errors)
        record = await self.in_db(store.add_session, self.reader, name, values)
        self.write_json(store.session_view(record), status=201)


class SessionAPIHandler(APIHandler):
    """``DELETE /api/environments/NAME/sessions/ID``."""

    async def delete(self, name, session_id):
        self.require_teacher()
        await self.in_db(store.delete_session, self.reader, name, int(session_id))
        self.set_status(204)
        self.finish()


class CollaboratorAPIHandler(APIHandler):
    """``PUT`` (``{"permission": "view"|"edit"}``) and ``DELETE`` ``.../collaborators/USER``."""

    async def put(self, name, username):
        self.require_teacher()
        values, errors = forms.parse_collaborator({**self.json_body(), "username": username})
        await self.environment(name, "collaborators")  # who asks, first
        if not errors and not await self.user_exists(username):
            errors = {"username": "field_unknown_user"}
        if errors:
            raise InvalidInput(errors)
        await self.in_db(store.set_collaborator, self.reader, name, username, values["permission"])
        self.write_json({"collaborators": (await self.environment(name))["collaborators"]})

    async def delete(self, name, username):
        self.require_teacher()
        await self.in_db(store.remove_collaborator, self.reader, name, username)
        self.set_status(204)
        self.finish()


class JoinLinkAPIHandler(APIHandler):
    """``POST /api/environments/NAME/join-link`` (``{"expires_in_days": N}``): a new link."""

    async def post(self, name):
        self.require_teacher()
        values, errors = forms.parse_join_link(self.json_body())
        if errors:
            raise InvalidInput(errors)
        link = await self.in_db(store.new_join_link, self.reader, name, values["expires_in_days"])
        url = f"{self.request.protocol}://{self.request.host}{self.urls['portal']}join/{link.token}"
        self.write_json({"token": link.token, "url": url, "expires": link.expires}, status=201)


class ServersAPIHandler(APIHandler):
    """``GET /api/environments/NAME/servers``; ``DELETE`` stops all, ``.../servers/USER`` one."""

    async def get(self, name, user=None):
        self.require_teacher()
        await self.environment(name)
        servers = await environment_servers(self, name)
        if user is not None:
            found = [server for server in servers if server["user"] == user]
            if not found:
                raise PortalError(404, "error_no_server", name=user)
            self.write_json(found[0])
            return
        self.write_json({"servers": servers})

    async def delete(self, name, user=None):
        self.require_teacher()
        stopped = await stop_servers(self, name, user)
        self.write_json({"stopped": stopped}, status=202)


class WeekAPIHandler(APIHandler):
    """``GET /api/week?offset=N``: the sessions of a week, with their capacity."""

    async def get(self):
        self.require_teacher()
        try:
            offset = max(-52, min(52, int(self.get_argument("offset", "0"))))
        except ValueError:
            raise PortalError(400, "error_400") from None
        start, end = week_bounds(datetime.now(UTC), offset)
        nodes = await self.settings["mydocker_nodes"]()
        items = await self.in_db(store.week, self.reader, start, end, nodes)
        self.write_json({"start": start, "end": end, "sessions": items})


class ActivityAPIHandler(APIHandler):
    """``GET /api/activity`` (admins): the filtered activity log."""

    async def get(self):
        if not self.reader.admin:
            raise PortalError(403, "error_admins_only")
        rows = await self.in_db(activity.query, **activity_filters(self))
        events = [{c: getattr(row, c) for c in activity.COLUMNS} for row in rows]
        for event in events:
            event["time"] = activity.iso_time(event["time"])
        self.write_json({"events": events})


def _session_of(card):
    if not card.session:
        return None
    kind, session = card.session
    return {
        "kind": kind,
        "start": session.start,
        "end": session.end,
        "timezone": session.timezone,
    }


class APINotFoundHandler(APIHandler):
    """Any other path under ``api/``: a JSON 404."""

    async def prepare(self):
        raise PortalError(404, "error_404")


class MyEnvironmentsAPIHandler(APIHandler):
    """``GET /api/me/environments``: what "My environments" shows, for any user."""

    async def get(self):
        model = self._user_model
        environments = await self.in_db(lambda s: self.catalog.all_environments())
        enrolled = await self.in_db(lambda s: self.catalog.enrolments_of(self.reader.name))
        cards = listing.cards(
            environments,
            self.reader.name,
            servers=model.get("servers") or {},
            enrolled=enrolled,
            is_admin=self.reader.admin,
            urls=self.urls,
            now=datetime.now(UTC),
        )
        self.write_json(
            {
                "environments": [
                    {
                        "name": c.name,
                        "title": c.title,
                        "description": c.description,
                        "status": c.status,
                        "state": c.state,
                        "blocked": c.blocked,
                        "start_url": c.start_url,
                        "open_url": c.open_url,
                        "session": _session_of(c),
                    }
                    for c in cards
                ]
            }
        )

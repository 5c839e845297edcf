"""Teachers' environments: the list, a new one, its page, its edit form, and its actions.

Every handler reads the `Reader` from the hub, then asks `mydocker_hub.portal.store`
(in a thread) to act: the store checks the reader's access to the environment
and refuses with the right status. A form that does not validate is shown
again with what was typed and a message next to each wrong field.
"""

from tornado import web

from ..auth import store as people
from ..portal import forms, store
from ..portal.errors import InvalidInput, PortalError, VersionConflict
from .base import BaseHandler
from .hubdata import environment_servers


class TeacherHandler(BaseHandler):
    """A page of the portal for teachers (and admins): students get 403."""

    async def prepare(self):
        if self.current_user is None:
            return  # @web.authenticated sends them to the login
        reader = await self.get_reader()
        if not reader.may_create:
            raise PortalError(403, "error_teachers_only")


class EnvironmentListHandler(TeacherHandler):
    """``GET /environments/``: the environments the teacher owns or shares (all, for admins)."""

    @web.authenticated
    async def get(self):
        reader = await self.get_reader()
        rows = await self.in_db(
            lambda s: [
                store.environment_view(row, level) for row, level in store.visible(s, reader)
            ]
        )
        self.render_page("mydocker-environments.html", environments=rows)


class EnvironmentFormHandler(TeacherHandler):
    """What the new and edit forms share: the choices they offer."""

    async def render_form(self, values, errors, *, creating, status_code=200):
        reader = await self.get_reader()
        images = await self.image_choices(reader, values.get("image", ""))
        self.set_status(status_code)
        self.render_page(
            "mydocker-environment-form.html",
            values=values,
            errors=errors,
            creating=creating,
            images=images,
            compute_types=await self.compute_types(),
            interfaces=forms.INTERFACES,
        )


class NewEnvironmentHandler(EnvironmentFormHandler):
    """``/environments/new``: the form, and creating from it."""

    @web.authenticated
    async def get(self):
        images = self.settings["mydocker_standard_images"]
        values = {
            "image": images[0] if images else "",
            "status": "DRAFT",
            "cpu_limit": "1",
            "mem_limit": "2G",
            "idle_minutes": "60",
            "home_volume": True,
            "interfaces": ["jupyterlab"],
        }
        await self.render_form(values, {}, creating=True)

    @web.authenticated
    async def post(self):
        reader = await self.get_reader()
        submitted = forms.form_values(self.request.body_arguments)
        images = await self.image_choices(reader)
        values, errors = forms.parse_environment(
            submitted, images=images, compute_types=await self.compute_types()
        )
        if not errors:
            try:
                await self.in_db(store.create, reader, values)
            except InvalidInput as e:
                errors = e.errors
        if errors:
            await self.render_form(submitted, errors, creating=True, status_code=400)
            return
        self.redirect(f"{self.urls['portal']}environments/{values['name']}")


class EnvironmentHandler(TeacherHandler):
    """``GET /environments/NAME``: everything about one environment."""

    @web.authenticated
    async def get(self, name):
        await self.show(name)

    async def show(self, name, *, form="", values=None, errors=None):
        """The page; after a wrong `form` (``session``, ``collaborator``, ``join``), with
        what was typed (`values`) and a message next to each wrong field (`errors`)."""
        reader = await self.get_reader()
        view = await self.in_db(self.read, reader, name)
        servers = await environment_servers(self, name)
        nodes = await self.settings["mydocker_nodes"]()
        verdicts = await self.in_db(store.session_verdicts, name, nodes)
        people_shown = [
            *view["students"],
            *(server["user"] for server in servers),
            *(c["username"] for c in view["collaborators"]),
        ]
        names = await self.in_db(display_names_of, people_shown)
        if errors:
            self.set_status(400)
        self.render_page(
            "mydocker-environment.html",
            environment=view,
            servers=servers,
            verdicts=verdicts,
            join_url=self.join_url(view["join_token"]) if view["join_token"] else "",
            launch_url=self.request.protocol + "://" + self.request.host + self.urls["hub_prefix"],
            saved=self.get_argument("saved", ""),
            display_names=names,
            form=form,
            form_values=values or {},
            errors=errors or {},
        )

    def read(self, session, reader, name):
        row, level = store.load(session, reader, name)
        view = store.environment_view(row, level)
        link = store.current_join_link(row)
        view["join_token"] = link.token if link else ""
        view["join_expires"] = store.expiry_of(link)
        view["students"] = store.enrolled_names(session, name)
        view["lms_links"] = people.lms_links_of(session, name)
        return view

    def join_url(self, token):
        return f"{self.request.protocol}://{self.request.host}{self.urls['portal']}join/{token}"


def display_names_of(session, usernames):
    """The people's names the logins gave (an LMS, the federation), by user name."""
    return people.display_names(session, sorted(set(usernames)))


class EditEnvironmentHandler(EnvironmentFormHandler):
    """``/environments/NAME/edit``: the form with the current values, and saving it."""

    @web.authenticated
    async def get(self, name):
        reader = await self.get_reader()
        view = await self.in_db(
            lambda s: store.environment_view(*store.load(s, reader, name, "edit"))
        )
        await self.render_form(view, {}, creating=False)

    @web.authenticated
    async def post(self, name):
        reader = await self.get_reader()
        submitted = forms.form_values(self.request.body_arguments)
        submitted["name"] = name
        current = await self.in_db(lambda s: store.load(s, reader, name, "edit")[0].image)
        images = await self.image_choices(reader, current)
        values, errors = forms.parse_environment(
            submitted, images=images, compute_types=await self.compute_types(), creating=False
        )
        try:
            version = int(submitted.get("version", ""))
        except ValueError:
            raise PortalError(400, "error_400") from None
        if not errors:
            try:
                await self.in_db(store.update, reader, name, values, version)
            except InvalidInput as e:
                errors = e.errors
            except VersionConflict as e:
                errors = {"version": "error_version_conflict"}
                submitted["version"] = str(e.current_version)
        if errors:
            await self.render_form(submitted, errors, creating=False, status_code=400)
            return
        self.redirect(f"{self.urls['portal']}environments/{name}?saved=1")


class EnvironmentActionHandler(TeacherHandler):
    """``POST /environments/NAME/(duplicate|archive|delete)``."""

    @web.authenticated
    async def post(self, name, action):
        reader = await self.get_reader()
        target = name
        if action == "duplicate":
            new_name = self.get_body_argument("new_name", "").strip().lower()
            values, errors = forms.parse_environment({"name": new_name}, images=())
            if "name" in errors:
                raise PortalError(400, "field_name")
            await self.in_db(store.duplicate, reader, name, new_name)
            target = new_name
        elif action == "archive":
            await self.in_db(store.archive, reader, name)
        else:
            await self.in_db(store.load, reader, name, "delete")
            running = [server["user"] for server in await environment_servers(self, name)]
            await self.in_db(store.delete_environment, reader, name, running)
            self.redirect(f"{self.urls['portal']}environments/")
            return
        self.redirect(f"{self.urls['portal']}environments/{target}")

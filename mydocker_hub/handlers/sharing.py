"""Sharing an environment: collaborators, the join link, and joining by it."""

from urllib.parse import quote

from tornado import web

from ..portal import forms, store
from ..portal.errors import InvalidInput
from .base import BaseHandler
from .environments import EnvironmentHandler, TeacherHandler


class CollaboratorsHandler(EnvironmentHandler):
    """``POST /environments/NAME/collaborators``: add a colleague (or change their permission)."""

    @web.authenticated
    async def post(self, name):
        reader = await self.get_reader()
        submitted = forms.form_values(self.request.body_arguments)
        values, errors = forms.parse_collaborator(submitted)
        await self.in_db(store.load, reader, name, "collaborators")  # who asks, first
        if not errors and not await self.user_exists(values["username"]):
            errors = {"username": "field_unknown_user"}
        if not errors:
            try:
                await self.in_db(
                    store.set_collaborator, reader, name, values["username"], values["permission"]
                )
            except InvalidInput as e:
                errors = e.errors
        if errors:
            await self.show(name, form="collaborator", values=submitted, errors=errors)
            return
        self.redirect(f"{self.urls['portal']}environments/{name}#collaborators")


class CollaboratorDeleteHandler(TeacherHandler):
    """``POST /environments/NAME/collaborators/USER/delete``."""

    @web.authenticated
    async def post(self, name, username):
        reader = await self.get_reader()
        await self.in_db(store.remove_collaborator, reader, name, username)
        self.redirect(f"{self.urls['portal']}environments/{name}#collaborators")


class JoinLinkHandler(EnvironmentHandler):
    """``POST /environments/NAME/join-link``: a new link (the old one stops working)."""

    @web.authenticated
    async def post(self, name):
        reader = await self.get_reader()
        submitted = forms.form_values(self.request.body_arguments)
        values, errors = forms.parse_join_link(submitted)
        if errors:
            await self.show(name, form="join", values=submitted, errors=errors)
            return
        await self.in_db(store.new_join_link, reader, name, values["expires_in_days"])
        self.redirect(f"{self.urls['portal']}environments/{name}#join")


class JoinHandler(BaseHandler):
    """``GET /join/TOKEN``: enrol whoever opens it, then start the environment.

    Not logged in: the hub's login comes first and brings the person back here.
    """

    @web.authenticated
    async def get(self, token):
        user = self.current_user["name"]
        name = await self.in_db(store.join, user, token)
        self.log.info("%s joined %s with a join link", user, name)
        self.redirect(f"{self.urls['hub_prefix']}spawn/{quote(user, safe='@~')}/{name}")

"""The platform's authenticator (entry point ``mydocker``).

Today: local accounts (workshops, administrators) with the roles student,
teacher and admin mapped to JupyterHub's ``students`` / ``teachers`` groups and
admin flag on every login.
"""

import asyncio

from jupyterhub.auth import Authenticator
from traitlets import default

from . import accounts

GROUP_OF_ROLE = {"student": "students", "teacher": "teachers", "admin": "teachers"}


def user_model(name, role):
    """The JupyterHub user model for an account with `role`."""
    return {"name": name, "admin": role == "admin", "groups": [GROUP_OF_ROLE[role]]}


class MyDockerAuthenticator(Authenticator):
    """Logs users in from local accounts and maps their role on every login."""

    @default("manage_groups")
    def _default_manage_groups(self):
        return True

    @default("allow_all")
    def _default_allow_all(self):
        # Only accounts that exist can log in: having one is the permission.
        return True

    async def authenticate(self, handler, data):
        name = data.get("username", "")
        role = await asyncio.to_thread(accounts.authenticate, name, data.get("password", ""))
        if role is None:
            self.log.warning("Failed login for %r", name)
            return None
        return user_model(accounts.normalise_name(name), role)

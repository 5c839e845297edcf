"""Local accounts (workshops, administrators): the login form of ``/hub/login``.

The accounts themselves (name, role, scrypt hash) are `mydocker_hub.accounts`.
"""

import asyncio

from traitlets import Bool
from traitlets.config import LoggingConfigurable

from .. import accounts
from .identity import Identity


class LocalAccounts(LoggingConfigurable):
    """Checks a name and password against the platform's local accounts."""

    enabled = Bool(
        True,
        config=True,
        help="""
        Whether the login page offers the local account form. Turn it off on a
        platform where everyone arrives from an LMS or the federation::

            c.LocalAccounts.enabled = False

        .. versionadded:: 0.1
        """,
    )

    async def identify(self, data):
        """The `Identity` of a correct name and password, else None."""
        if not self.enabled:
            return None
        name = (data or {}).get("username", "")
        role = await asyncio.to_thread(accounts.authenticate, name, data.get("password", ""))
        if role is None:
            return None
        name = accounts.normalise_name(name)
        return Identity(
            source="local",
            issuer="local",
            subject=name,
            preferred_name=name,
            trusted=True,
            local_role=role,
        )

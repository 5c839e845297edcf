"""Local accounts (workshops, administrators): the login form of ``/hub/login``.

The accounts themselves (name, role, scrypt hash) are `mydocker_hub.accounts`;
repeated failures are slowed down by `login_limits`.
"""

import asyncio
import math

from traitlets import Bool, Integer, validate
from traitlets.config import LoggingConfigurable

from .. import accounts
from .errors import LoginRefused
from .identity import Identity
from .login_limits import LoginLimits


def too_many_failures_message(seconds):
    minutes = max(1, math.ceil(seconds / 60))
    return (
        f"Too many failed logins for this account or from this computer: wait {minutes} "
        "minute(s), then try again. If you forgot your password, ask your teacher or the "
        "platform's administrator for a new one. / Trop d'échecs de connexion pour ce compte "
        f"ou depuis cet ordinateur : attendez {minutes} minute(s), puis réessayez. Si vous "
        "avez oublié votre mot de passe, demandez-en un nouveau à votre enseignant ou à "
        "l'administrateur de la plateforme."
    )


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

    failures_per_name = Integer(
        5,
        config=True,
        help="""
        How many failed logins one account name may have within
        `failure_window` before further attempts are refused (even with the
        right password) until the oldest failure is out of the window. A
        successful login clears the count.

        .. versionadded:: 0.2
        """,
    )

    failures_per_address = Integer(
        20,
        config=True,
        help="""
        How many failed logins one client address may have within
        `failure_window`, whatever the names, before further attempts from it
        are refused. Raise it when a whole computer room shares one address
        (NAT) at the start of a workshop.

        .. versionadded:: 0.2
        """,
    )

    failure_window = Integer(
        300,
        config=True,
        help="""
        The sliding window (seconds) in which failed logins are counted, and
        so the longest wait after too many of them.

        .. versionadded:: 0.2
        """,
    )

    @validate("failures_per_name", "failures_per_address", "failure_window")
    def _validate_positive(self, proposal):
        if proposal.value < 1:
            raise ValueError(f"LocalAccounts.{proposal.trait.name} must be at least 1")
        return proposal.value

    _limits = None

    @property
    def limits(self):
        if self._limits is None:
            self._limits = LoginLimits(
                per_name=self.failures_per_name,
                per_address=self.failures_per_address,
                window=self.failure_window,
            )
        return self._limits

    async def identify(self, data, handler=None):
        """The `Identity` of a correct name and password, else None.

        Refuses (429) a name or a client address with too many recent failures.
        """
        if not self.enabled:
            return None
        name = (data or {}).get("username", "")
        key = name.strip().lower()[:256]
        address = handler.request.remote_ip if handler is not None else ""
        wait = self.limits.retry_after(key, address)
        if wait > 0:
            self.log.warning("Local login of %r from %s refused: too many failures", key, address)
            raise LoginRefused(429, too_many_failures_message(wait))
        role = await asyncio.to_thread(accounts.authenticate, name, data.get("password", ""))
        if role is None:
            self.limits.failed(key, address)
            return None
        self.limits.succeeded(key)
        name = accounts.normalise_name(name)
        return Identity(
            source="local",
            issuer="local",
            subject=name,
            preferred_name=name,
            trusted=True,
            local_role=role,
        )

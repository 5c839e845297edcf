"""What the portal answers when it refuses: one message key, an HTTP status, field errors.

Raised by the store and the handlers alike; a page shows the message in the
reader's language (`mydocker_hub.portal.i18n`), the API answers it as JSON.
"""

from tornado import web


class PortalError(web.HTTPError):
    """An error shown to the reader as the message `key`, in their language."""

    def __init__(self, status_code, key, **values):
        super().__init__(status_code, f"{key} {values}" if values else key)
        self.key = key
        self.values = values


class InvalidInput(PortalError):
    """Some fields are wrong: `errors` maps each to a message key (400)."""

    def __init__(self, errors, values=None):
        super().__init__(400, "error_invalid")
        self.errors = dict(errors)
        self.submitted = values or {}


class VersionConflict(PortalError):
    """Someone saved the environment since this edit began (409)."""

    def __init__(self, current_version):
        super().__init__(409, "error_version_conflict")
        self.current_version = current_version

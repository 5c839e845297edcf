"""One lookup of the user per login, where JupyterHub makes three.

A login reads its user three times on the event loop: our `authenticate`
(to keep what an admin granted by hand), then JupyterHub's ``auth_to_user``,
then, for a new user, ``user_from_username``. Each is a query, and for a
known user five more that load its groups, roles and shares. A class that
logs in at once waits on all of them. A login handler with this mixin gives
JupyterHub the user that `authenticate` found, once, for the same name.
"""


class OneUserLookupPerLogin:
    """Mix into a hub handler that logs people in (before JupyterHub's base classes)."""

    _found_for_login = None

    def find_user_for_login(self, name):
        """``find_user(name)``, kept for JupyterHub's next lookup of `name`."""
        user = super().find_user(name)
        self._found_for_login = (name, user)
        return user

    def find_user(self, name):
        found, self._found_for_login = self._found_for_login, None
        if found is not None and found[0] == name:
            return found[1]
        return super().find_user(name)


def find_user_for_login(handler, name):
    """The hub's user `name` (or None), found once for the whole login when `handler`
    can keep it (`OneUserLookupPerLogin`)."""
    lookup = getattr(handler, "find_user_for_login", handler.find_user)
    return lookup(name)

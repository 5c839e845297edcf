"""Colleagues on an environment or an image: who may view or edit it, besides its owner.

Both kinds of rows have an `owner` and a list of `collaborators` (rows of a
class with `username` and `permission`); the stores check who asks first.
"""

from .errors import InvalidInput, PortalError


def share(row, username, permission, collaborator_class):
    """Give `username` `permission` on `row` (an environment or an image) and return it."""
    if username == row.owner:
        raise InvalidInput({"username": "field_owner_is_collaborator"})
    existing = next((c for c in row.collaborators if c.username == username), None)
    if existing:
        existing.permission = permission
    else:
        row.collaborators.append(collaborator_class(username=username, permission=permission))
    return row


def unshare(row, username):
    existing = next((c for c in row.collaborators if c.username == username), None)
    if existing is None:
        raise PortalError(404, "error_no_collaborator", name=username)
    row.collaborators.remove(existing)

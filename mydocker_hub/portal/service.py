"""The portal as JupyterHub sees it: its service definition, its roles, the hub's settings.

Pure functions of a few values, tested as exact dicts; `mydocker_hub.config`
puts them into the traitlets config. The portal is a Hub-managed service: the
hub starts ``python -m mydocker_hub.portal``, gives it its API token and OAuth
client, and routes ``/services/mydocker/`` to it.

Who gets what:

- every user may open the portal (``access:services!service=mydocker``, added to
  JupyterHub's ``user`` role with ``JupyterHub.extra_user_scopes``; our
  authenticator manages roles, so JupyterHub refuses ``load_roles`` entries
  that name users or groups, and each login sends the ``user`` role as the hub
  defines it, this scope included);
- a user's OAuth token for the portal may stop the user's own servers
  (``delete:servers!user``), so that the portal acts with the user's own
  permissions. It asks for nothing a student lacks: JupyterHub warns at every
  login of a user who is refused part of what a service asks for;
- the portal's own token reads users, their roles and their servers (state
  of the environments, who is a teacher or an admin) and stops servers: a
  teacher stops a student's server of their environment from the portal,
  which checks the teacher's access to that environment first.
"""

import json
import sys

NAME = "mydocker"
PORT = 10101
PREFIX = f"/services/{NAME}/"

ACCESS_SCOPE = f"access:services!service={NAME}"
SERVICE_ROLE = "mydocker-portal"
SERVICE_SCOPES = ["list:users", "read:users", "read:roles:users", "read:servers", "delete:servers"]
USER_TOKEN_SCOPES = ["delete:servers!user"]


def service(
    host, db_url, *, port=PORT, python=sys.executable, images=(), secret_file="", builds=None
):
    """The ``JupyterHub.services`` entry of the portal, listening on `host`:`port`.

    `host` is the hub's own address (the service runs beside the hub, in its
    container); `db_url` is the platform's database, passed as
    ``MYDOCKER_DB_URL`` because a managed service does not inherit the hub's
    environment; `images` are the platform's standard images, that every
    teacher may use; `secret_file` keeps the portal's cookie secret across
    restarts (a form open while the hub restarts still posts); `builds` are
    the settings of image builds (``MYDOCKER_IMAGES_DIR``, ``MYDOCKER_REGISTRY``, …).
    """
    return {
        "name": NAME,
        "url": f"http://{host}:{port}",
        "command": [python, "-m", "mydocker_hub.portal"],
        "environment": {
            "MYDOCKER_DB_URL": db_url,
            "MYDOCKER_STANDARD_IMAGES": json.dumps(list(images)),
            **({"MYDOCKER_PORTAL_SECRET_FILE": secret_file} if secret_file else {}),
            **dict(builds or {}),
        },
        "oauth_no_confirm": True,
        "oauth_client_allowed_scopes": list(USER_TOKEN_SCOPES),
        "display": True,
    }


def roles():
    """The roles to add to ``JupyterHub.load_roles`` for the portal (its own token)."""
    return [
        {
            "name": SERVICE_ROLE,
            "description": (
                "The portal's own token: read users, their roles and servers; stop servers."
            ),
            "scopes": list(SERVICE_SCOPES),
            "services": [NAME],
        },
    ]


def hub_settings(base_url="/"):
    """Other hub settings the portal needs: every user may open it, logging in leads to it."""
    return {
        "extra_user_scopes": {ACCESS_SCOPE},
        "default_url": f"{base_url.rstrip('/')}{PREFIX}",
    }


def apply(c, host, db_url, *, port=PORT, base_url="/", images=(), secret_file="", builds=None):
    """Add the portal to the traitlets config `c` (after ``services`` and ``load_roles``)."""
    hub = c.JupyterHub
    definition = service(
        host, db_url, port=port, images=images, secret_file=secret_file, builds=builds
    )
    hub.services = [*hub.get("services", []), definition]
    hub.load_roles = [*hub.get("load_roles", []), *roles()]
    settings = hub_settings(base_url)
    hub.extra_user_scopes = set(hub.get("extra_user_scopes", set())) | settings["extra_user_scopes"]
    hub.default_url = settings["default_url"]
    return c

"""Administration run inside the hub's container (``python -m mydocker_hub.admin``).

The `mydocker-hub` command line on the host calls it through ``docker exec``:
it writes local accounts to the database and keeps JupyterHub's users, groups
and admin flags in step through the hub's REST API, with the admin service's
token that only the hub's data volume holds.
"""

import argparse
import os
import sys

import requests

from . import accounts, db
from .auth.store import LinkStore
from .auth.tool_keys import ToolKeys
from .authenticator import user_model
from .config import settings_from_env

HUB_API = os.environ.get("MYDOCKER_HUB_API", "http://127.0.0.1:8081/hub/api")


class AdminError(Exception):
    pass


class HubAPI:
    def __init__(self, token):
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {token}"

    def request(self, method, path, ok=(200, 201, 204), **kwargs):
        try:
            response = self.session.request(method, HUB_API + path, timeout=30, **kwargs)
        except requests.RequestException as e:
            raise AdminError(f"the hub's API does not answer: {e.__class__.__name__}") from None
        if response.status_code not in ok:
            raise AdminError(f"{method} {path}: HTTP {response.status_code} {response.text[:200]}")
        return response

    def sync_user(self, name, role):
        """Make JupyterHub's user match the account: admin flag and group.

        The REST API gives no roles: the hub's authenticator gives a new local
        teacher (or admin) the ``teacher`` role when this creates the user
        (`MyDockerAuthenticator.add_user`), so that it is what an LMS teacher is.
        """
        model = user_model(name, role)
        self.request("POST", f"/users/{name}", ok=(201, 409))
        self.request("PATCH", f"/users/{name}", json={"admin": model["admin"]})
        for group in model["groups"]:
            self.request("POST", f"/groups/{group}", ok=(201, 409))
            self.request("POST", f"/groups/{group}/users", json={"users": [name]})

    def new_token(self, name, note):
        response = self.request("POST", f"/users/{name}/tokens", json={"note": note})
        return response.json()["token"]


def hub_api():
    settings = settings_from_env(os.environ)
    with open(settings.admin_token_file) as f:
        return HubAPI(f.read().strip())


def add_user(name, role, api):
    name, password = accounts.create(name, role)
    try:
        api.sync_user(name, role)
    except AdminError:
        # Never leave an account the hub does not know of.
        with db.session() as session:
            session.delete(session.get(db.LocalAccount, name))
        raise
    return name, password


def ensure_admin(api):
    """Create the first administrator when there is none; return its credentials or None."""
    with db.session() as session:
        has_admin = session.query(db.LocalAccount).filter_by(role="admin").first() is not None
    if has_admin:
        return None
    return add_user("admin", "admin", api)


def link_login(name, issuer):
    """Let logins from `issuer` whose verified name is `name` use the local account `name`."""
    name = accounts.normalise_name(name)
    if not accounts.exists(name):
        raise accounts.AccountError(f"no local user {name!r}")
    if not issuer.strip():
        raise accounts.AccountError("name the login source (e.g. federation, or an LMS's name)")
    LinkStore().allow_join(name, issuer.strip())
    return name


def main(argv=None):
    parser = argparse.ArgumentParser(prog="mydocker_hub.admin")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add-user")
    add.add_argument("name")
    add.add_argument("--role", default="student")
    reset = commands.add_parser("reset-password")
    reset.add_argument("name")
    commands.add_parser("ensure-admin")
    commands.add_parser("rotate-lti-key")
    link = commands.add_parser("link-login")
    link.add_argument("name")
    link.add_argument("source")
    token = commands.add_parser("token")
    token.add_argument("name", nargs="?", default="admin")
    args = parser.parse_args(argv)

    db.configure(settings_from_env(os.environ).database_url)
    try:
        api = hub_api()
        if args.command == "add-user":
            name, password = add_user(args.name, args.role, api)
            print(f"user: {name}\nrole: {args.role}\npassword: {password}")
        elif args.command == "reset-password":
            print(f"password: {accounts.reset_password(args.name)}")
        elif args.command == "ensure-admin":
            created = ensure_admin(api)
            if created:
                print(f"user: {created[0]}\npassword: {created[1]}")
        elif args.command == "rotate-lti-key":
            keys = ToolKeys(os.path.join(settings_from_env(os.environ).data_dir, "lti13-keys"))
            print(f"new key: {keys.rotate()}")
        elif args.command == "link-login":
            name = link_login(args.name, args.source)
            print(f"user: {name}\nmay log in from: {args.source.strip()}")
        elif args.command == "token":
            name = accounts.normalise_name(args.name)
            print(api.new_token(name, "mydocker-hub token"))
    except (AdminError, accounts.AccountError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

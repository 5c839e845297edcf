"""Local accounts: a name, a role and a password hash (scrypt) in the database."""

import base64
import hashlib
import hmac
import re
import secrets

from sqlalchemy import bindparam, select

from . import db
from .auth.store import LinkStore

ROLES = ("student", "teacher", "admin")
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class AccountError(ValueError):
    """A request about local accounts that cannot be honoured, said in one line."""


def normalise_name(name):
    """The canonical form of a local account name, or AccountError."""
    canonical = (name or "").strip().lower()
    if not NAME_PATTERN.match(canonical):
        raise AccountError(
            f"invalid user name {name!r}: use 1 to 64 characters among a-z 0-9 . _ @ -, "
            "starting with a letter or a digit"
        )
    return canonical


def hash_password(password):
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    encode = base64.b64encode
    return f"scrypt${encode(salt).decode()}${encode(digest).decode()}"


def check_password(password, password_hash):
    try:
        scheme, salt, digest = password_hash.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    expected = base64.b64decode(digest)
    actual = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), **_SCRYPT)
    return hmac.compare_digest(actual, expected)


def generate_password():
    return secrets.token_urlsafe(12)


def create(name, role, password=None):
    """Create an account; return its (name, password)."""
    name = normalise_name(name)
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    password = password or generate_password()
    external = [key for key in LinkStore().keys_of(name) if not key.startswith("local:")]
    if external:
        source = external[0].split(":")[0]
        raise AccountError(
            f"the name {name!r} is already used by a login from {source}; choose another name"
        )
    with db.session() as session:
        if session.get(db.LocalAccount, name) is not None:
            raise AccountError(f"user {name!r} already exists")
        session.add(db.LocalAccount(name=name, role=role, password_hash=hash_password(password)))
    return name, password


def reset_password(name):
    """Give an account a new generated password and return it."""
    name = normalise_name(name)
    password = generate_password()
    with db.session() as session:
        account = session.get(db.LocalAccount, name)
        if account is None:
            raise AccountError(f"no local user {name!r}")
        account.password_hash = hash_password(password)
    return password


# Checked when the name is unknown, so that the answer takes as long as for a known
# name: timing does not tell which accounts exist. Random bytes, never a password's.
_UNKNOWN_ACCOUNT_HASH = "scrypt${}${}".format(
    *(base64.b64encode(secrets.token_bytes(n)).decode() for n in (16, 64))
)


def authenticate(name, password):
    """The role of the account when the password matches, else None.

    Always computes one scrypt, whether the account exists or not.
    """
    try:
        name = normalise_name(name)
    except AccountError:
        name = None
    account_hash = role = None
    if name is not None:
        with db.session() as session:
            account = session.get(db.LocalAccount, name)
            if account is not None:
                account_hash, role = account.password_hash, account.role
    if account_hash is None:
        check_password(password or "", _UNKNOWN_ACCOUNT_HASH)
        return None
    return role if check_password(password or "", account_hash) else None


# Every first login from outside asks whether its name is a local account's: a
# statement built once costs a quarter of an ORM lookup.
_ROLE_OF = select(db.LocalAccount.role).where(db.LocalAccount.name == bindparam("name"))


def get_role(name):
    with db.session() as session:
        name = normalise_name(name)
        return session.connection().execute(_ROLE_OF, {"name": name}).scalar()


def role_of(username):
    """The role of the local account that is exactly the hub user `username`, else None.

    Unlike `get_role`, never raises, and never matches another spelling: the hub
    user ``Prof`` (or an LMS user) is not the account ``prof``.
    """
    try:
        if normalise_name(username) != username:
            return None
    except AccountError:
        return None
    return get_role(username)


def exists(name):
    """Whether a local account is called `name` (any spelling that normalises to it)."""
    try:
        return get_role(name) is not None
    except AccountError:
        return False

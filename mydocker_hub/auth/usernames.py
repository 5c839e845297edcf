"""One person, one account: usernames from identities, normalised and linked.

A username is made of ``a-z 0-9 . _ @ -``; any other character (upper case
included) is escaped reversibly as ``~XX`` (its UTF-8 bytes in hex), so that the
spawner can turn it into Docker names (`mydocker_hub.swarm.names`). A person
keeps the username their first login gave them.

A source's preferred name (email, eduPersonPrincipalName) is used only when the
source is trusted to have verified it and it carries a domain (``name@domain``);
it may then join an account that other trusted sources gave the same name.
Otherwise the person gets a name scoped by their source (``user_id@consumer``),
whose subject keeps its case as the source sent it (``AbC`` and ``abc`` are two
people), and is never merged with anyone. A login never lands on a local account
from outside unless an administrator linked the two (`LinkStore.allow_join`).
"""

import re
import string
import unicodedata

from .errors import LoginRefused
from .identity import Identity

SAFE_CHARACTERS = set(string.ascii_lowercase + string.digits + "._@-")
ESCAPE_CHARACTER = "~"
MAX_LENGTH = 255


class UsernameError(ValueError):
    """No usable username could be made from what the source sent."""


def first_value(value):
    """The first non-empty string of a claim that may be a list (SATOSA sends lists)."""
    if isinstance(value, list | tuple):
        for item in value:
            text = first_value(item)
            if text:
                return text
        return ""
    if value is None:
        return ""
    return str(value).strip()


_ESCAPED = re.compile(r"(?:~[0-9a-f]{2})+")


def _escape(text):
    return "".join(
        ch if ch in SAFE_CHARACTERS else "".join(f"~{b:02x}" for b in ch.encode()) for ch in text
    )


def normalise_username(value):
    """A claim (string or list) -> a lowercase, Docker-safe-by-escaping username.

    >>> normalise_username(["Jean.Dupont@Univ.FR"])
    'jean.dupont@univ.fr'
    >>> normalise_username("a b")
    'a~20b'
    """
    text = unicodedata.normalize("NFKC", first_value(value)).lower()
    if not text:
        raise UsernameError("the identity provider sent no usable name")
    return _checked_length(_escape(text))


def _checked_length(name):
    if len(name) > MAX_LENGTH:
        raise UsernameError(f"the name sent by the identity provider is too long ({len(name)})")
    return name


def scoped_username(identity):
    """``subject@issuer``, the subject exactly as the source sent it (escaped).

    >>> scoped_username(Identity("lti13", "lms", "AbC"))
    '~41b~43@lms'
    """
    subject = str(identity.subject)
    if not subject:
        raise UsernameError("the identity provider sent no subject")
    return _checked_length(f"{_escape(subject)}@{normalise_username(identity.issuer)}")


def check_distinct_issuers(issuers):
    """Refuse two login sources that scope usernames with one name (``sub@name``).

    `issuers` is a list of (name, what it is); names are compared in lower case,
    as they are in usernames. Raises ValueError naming both.
    """
    seen = {}
    for name, what in issuers:
        key = name.lower()
        if key in seen:
            raise ValueError(
                f"{seen[key]} and {what} are both named {name!r}: their users would share "
                "accounts (sub@name). Give each login source a distinct name."
            )
        seen[key] = what


def has_domain(name):
    """Whether `name` is ``local@domain`` with both parts present."""
    local, at, domain = (name or "").strip().rpartition("@")
    return bool(at and local and domain)


def proposed_username(identity):
    """The username of a first login: the trusted name with a domain, else the scoped one."""
    if identity.source == "local":
        return normalise_username(identity.preferred_name)
    if identity.trusted and has_domain(first_value(identity.preferred_name)):
        return normalise_username(identity.preferred_name)
    return scoped_username(identity)


def original_name(username):
    """The text a username was made from (before escaping)."""
    return _ESCAPED.sub(
        lambda m: bytes.fromhex(m.group(0).replace(ESCAPE_CHARACTER, "")).decode("utf-8"),
        username,
    )


def _is_scoped_link(key, username):
    """Whether the link `key` -> `username` was made from an untrusted, scoped name."""
    source, _, rest = key.partition(":")
    issuer, _, subject = rest.partition(":")
    if source == "local":
        return False
    scoped = scoped_username(Identity(source, issuer, subject))
    # Before 0.2, scoped names were lower-cased.
    return username in (scoped, scoped.lower())


def _refuse(message_en, message_fr):
    raise LoginRefused(403, f"{message_en} / {message_fr}")


def resolve_username(identity, links, is_local_account=lambda name: False):
    """The username of the person behind `identity`, linking it on the first login.

    `links` is a `store.LinkStore` (or its in-memory twin); `is_local_account`
    says whether a local account of that name exists. Raises `LoginRefused`
    (with a message for the person) when the name is someone else's.
    """
    known = links.username_of(identity.key)
    if known:
        return known
    username = proposed_username(identity)
    if identity.source != "local":
        _check_may_join(identity, username, links, is_local_account)
    links.link(identity.key, username)
    return username


def _check_may_join(identity, username, links, is_local_account):
    others = [key for key in links.keys_of(username) if key != identity.key]
    if is_local_account(username) and not links.join_allowed(username, identity.issuer):
        _refuse(
            f"This platform has a local account named “{username}”: an administrator must "
            "link it to this login before you can use it from here.",
            f"Cette plateforme a un compte local nommé « {username} » : un administrateur "
            "doit le lier à cette connexion avant que vous puissiez l'utiliser ainsi.",
        )
    if not others:
        return
    joins = username != scoped_username(identity)
    if joins and not any(_is_scoped_link(key, username) for key in others):
        return  # the same verified name from another trusted source: the same person
    _refuse(
        f"The account name “{username}” is already used by another login, so this login "
        "was refused. Tell the platform's administrators.",
        f"Le nom de compte « {username} » est déjà utilisé par une autre connexion ; "
        "cette connexion a donc été refusée. Prévenez les administrateurs de la plateforme.",
    )

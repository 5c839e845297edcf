"""One person, one account: usernames from identities, normalised and linked.

A username is lowercase and made of ``a-z 0-9 . _ @ -``; any other character is
escaped reversibly as ``~XX`` (its UTF-8 bytes in hex), so that the spawner can
turn it into Docker names (`mydocker_hub.swarm.names`). A person keeps the
username their first login gave them. A source's preferred name (email,
eduPersonPrincipalName) joins an account that already exists only when the
source is trusted to have verified it; otherwise the person gets a name scoped
by their source (``user_id@consumer``) and is never silently merged.
"""

import re
import string
import unicodedata

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
    name = _escape(text)
    if len(name) > MAX_LENGTH:
        raise UsernameError(f"the name sent by the identity provider is too long ({len(name)})")
    return name


def original_name(username):
    """The text a username was made from (before escaping)."""
    return _ESCAPED.sub(
        lambda m: bytes.fromhex(m.group(0).replace(ESCAPE_CHARACTER, "")).decode("utf-8"),
        username,
    )


def resolve_username(identity, links):
    """The username of the person behind `identity`, linking it on the first login.

    `links` is a `store.LinkStore` (or its in-memory twin).
    """
    known = links.username_of(identity.key)
    if known:
        return known
    if identity.trusted and identity.preferred_name:
        username = normalise_username(identity.preferred_name)
    else:
        username = normalise_username(identity.scoped_name)
    links.link(identity.key, username)
    return username

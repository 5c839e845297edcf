"""What an identity source learned about the person who logs in."""

import unicodedata
from dataclasses import dataclass, field

# How long a person's name (and an LMS course's or activity's title) may be: they are
# typed by people into an LMS or a directory, and shown to others on the platform.
MAX_NAME_LENGTH = 200
MAX_EMAIL_LENGTH = 254

# Characters that reorder text (bidirectional embeddings, overrides, isolates): a
# name could use them to show itself as someone else's. Other format characters
# (zero-width (non-)joiners, which some scripts need) are kept.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def _first_text(value):
    """A claim that may be a list (SATOSA sends lists), a string or missing -> a string."""
    if isinstance(value, list | tuple):
        return next((text for text in map(_first_text, value) if text), "")
    return value if isinstance(value, str) else ""


def clean_text(value, limit=MAX_NAME_LENGTH):
    """Text from outside (a name, a title) made safe to store and show.

    Control characters and line breaks become spaces, bidirectional controls and
    lone surrogates are dropped, runs of spaces become one, and the result is
    cut to `limit` characters. Anything but a string (or a list of them) is "".

    >>> clean_text(" Marie\\n\\tCurie\\x00 ")
    'Marie Curie'
    >>> clean_text(["", "Ada"]), clean_text(42), clean_text("x" * 300) == "x" * 200
    ('Ada', '', True)
    """
    text = unicodedata.normalize("NFC", _first_text(value))
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if category in ("Cc", "Zl", "Zp") or ch.isspace():
            kept.append(" ")
        elif category != "Cs" and ch not in _BIDI_CONTROLS:
            kept.append(ch)
    return " ".join("".join(kept).split())[:limit].rstrip()


def person_name(full="", given="", family=""):
    """The person's name: the full one when the source sent it, else given + family.

    >>> person_name("", "Marie", "Curie"), person_name("Ada Lovelace", "Ada", "L.")
    ('Marie Curie', 'Ada Lovelace')
    """
    name = clean_text(full)
    if name:
        return name
    return clean_text(" ".join(filter(None, (clean_text(given), clean_text(family)))))


def clean_email(value):
    """An email address from outside, cleaned; "" when it does not look like one
    (or is longer than an address may be: it is never cut)."""
    email = clean_text(value, MAX_EMAIL_LENGTH + 1)
    local, at, domain = email.rpartition("@")
    if not (at and local and domain) or " " in email or len(email) > MAX_EMAIL_LENGTH:
        return ""
    return email


@dataclass(frozen=True)
class Identity:
    """A verified login, before it becomes a JupyterHub user.

    `issuer` and `subject` identify the person at their source (an LTI consumer
    key and user_id, an LTI 1.3 issuer and sub, an OIDC issuer and sub, or
    ``local`` and the account name). `preferred_name` is the username the source
    proposes (email, eduPersonPrincipalName, ...) and `trusted` says whether that
    name is verified by the source, so that it may join an existing account.
    `local_role` is the role of a local account, for local logins only.
    `context` is the LMS course of a launch (``source:issuer:context_id``) and
    `activity` its resource link (``source:issuer:resource_link_id``); neither
    issuer (consumer key, platform name) may contain ``:``.

    `display_name` and `email` are what the source says the person is called
    (cleaned with `person_name` / `clean_email`; "" when it did not say), for
    people to recognise each other; never for deciding who logs in.
    `context_title` and `activity_title` are the LMS's titles of the course and
    the activity (cleaned with `clean_text`).
    """

    source: str
    issuer: str
    subject: str
    preferred_name: str = ""
    trusted: bool = False
    lti_roles: tuple = ()
    affiliations: tuple = ()
    admin_claim: bool = False
    local_role: str = ""
    environment: str = ""
    activity: str = ""
    context: str = ""
    display_name: str = ""
    email: str = ""
    context_title: str = ""
    activity_title: str = ""
    claims: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def key(self):
        """A stable key for this person at this source."""
        return f"{self.source}:{self.issuer}:{self.subject}"

    @property
    def scoped_name(self):
        """The source-scoped name used when `preferred_name` may not be trusted."""
        return f"{self.subject}@{self.issuer}"

    @property
    def context_id(self):
        """The LMS's own id of the launch's course ("" without one)."""
        return self.context.split(":", 2)[2] if self.context.count(":") >= 2 else ""

    @property
    def activity_id(self):
        """The LMS's own id of the launch's resource link ("" without one)."""
        return self.activity.split(":", 2)[2] if self.activity.count(":") >= 2 else ""

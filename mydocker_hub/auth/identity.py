"""What an identity source learned about the person who logs in."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Identity:
    """A verified login, before it becomes a JupyterHub user.

    `issuer` and `subject` identify the person at their source (an LTI consumer
    key and user_id, an LTI 1.3 issuer and sub, an OIDC issuer and sub, or
    ``local`` and the account name). `preferred_name` is the username the source
    proposes (email, eduPersonPrincipalName, ...) and `trusted` says whether that
    name is verified by the source, so that it may join an existing account.
    `local_role` is the role of a local account, for local logins only.
    `context` is the LMS course of a launch (``source:issuer:context_id``).
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
    claims: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def key(self):
        """A stable key for this person at this source."""
        return f"{self.source}:{self.issuer}:{self.subject}"

    @property
    def scoped_name(self):
        """The source-scoped name used when `preferred_name` may not be trusted."""
        return f"{self.subject}@{self.issuer}"

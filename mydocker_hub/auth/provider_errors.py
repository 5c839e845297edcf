"""What went wrong between the hub and the federation's provider, said to each reader.

A failed request to the provider (discovery document, token or userinfo
endpoint) or a missing attribute becomes a `ProviderFailure`: the person who
tried to log in reads what happened and whom to tell, in English and in French
(never a bare 500, never a traceback); the admin reads one log line naming the
cause and the setting that fixes it. Pure: the errors are classified as data.
"""

import ssl
from dataclasses import dataclass
from json import JSONDecodeError, loads
from urllib.parse import urlsplit

from tornado.httpclient import HTTPClientError
from tornado.simple_httpclient import HTTPTimeoutError

from .errors import LoginRefused

DISCOVERY = "discovery document"
TOKEN = "token endpoint"
USERINFO = "userinfo endpoint"

TLS = "tls"
TIMEOUT = "timeout"
UNREACHABLE = "unreachable"
CLIENT_REFUSED = "client-refused"
CODE_REFUSED = "code-refused"
BAD_ANSWER = "bad-answer"
MISSING_CLAIM = "missing-claim"

TELL_ADMINS = "tell the platform's administrators"
PREVENIR = "prévenez les administrateurs de la plateforme"

# What the person reads: (HTTP status, message).
MESSAGES = {
    TLS: (
        502,
        "The platform could not verify the certificate of the federation's login service, so "
        "it did not log you in there. This is a setting of the platform, not an outage: "
        f"{TELL_ADMINS}. / La plateforme n'a pas pu vérifier le certificat du service de "
        "connexion de la fédération ; elle ne vous y a donc pas connecté. C'est un réglage de "
        f"la plateforme, pas une panne : {PREVENIR}.",
    ),
    TIMEOUT: (
        504,
        "The federation's login service took too long to answer. Try again in a few minutes; "
        f"if it keeps happening, {TELL_ADMINS}. / Le service de connexion de la fédération a "
        "mis trop de temps à répondre. Réessayez dans quelques minutes ; si cela se "
        f"reproduit, {PREVENIR}.",
    ),
    UNREACHABLE: (
        502,
        "The federation's login service does not answer; try again in a few minutes. If it "
        f"keeps happening, {TELL_ADMINS}. / Le service de connexion de la fédération ne répond "
        f"pas ; réessayez dans quelques minutes. Si cela se reproduit, {PREVENIR}.",
    ),
    CLIENT_REFUSED: (
        502,
        "The federation's login service refused this platform: the platform's registration "
        "there does not match its settings. You cannot fix this yourself: "
        f"{TELL_ADMINS}. / Le service de connexion de la fédération a refusé cette "
        "plateforme : son enregistrement auprès de ce service ne correspond pas à ses "
        f"réglages. Vous ne pouvez pas le corriger vous-même : {PREVENIR}.",
    ),
    CODE_REFUSED: (
        400,
        "This login was already used, or took too long. Start again from the platform's login "
        "page. / Cette connexion a déjà servi, ou a pris trop de temps. Recommencez depuis la "
        "page de connexion de la plateforme.",
    ),
    BAD_ANSWER: (
        502,
        "The federation's login service gave an answer the platform cannot use. Try again "
        f"later; if it keeps happening, {TELL_ADMINS}. / Le service de connexion de la "
        "fédération a donné une réponse que la plateforme ne peut pas utiliser. Réessayez "
        f"plus tard ; si cela se reproduit, {PREVENIR}.",
    ),
}

# The setting that fixes each cause, for the admin's line.
FIXES = {
    TLS: "Fix: put the CA that signed the provider's certificate (PEM) in MYDOCKER_CA_FILE "
    "and run `make up` again.",
    TIMEOUT: "Fix: check that the hub reaches {host} (firewall, outgoing proxy, DNS); the "
    "provider is MYDOCKER_OIDC_DISCOVERY_URL.",
    UNREACHABLE: "Fix: check MYDOCKER_OIDC_DISCOVERY_URL and that the hub reaches {host}.",
    CLIENT_REFUSED: "Fix: MYDOCKER_OIDC_CLIENT_ID and MYDOCKER_OIDC_CLIENT_SECRET must be the "
    "client registered on the provider, and MYDOCKER_OIDC_TOKEN_AUTH_METHOD its "
    "token_endpoint_auth_method (unset: the provider's discovery document decides).",
    CODE_REFUSED: "Fix: nothing if rare (a reloaded or slow login); if every login fails, "
    "MYDOCKER_OIDC_CALLBACK_URL must be a redirect URI registered on the provider, and the "
    "clocks of both sides right (NTP).",
    BAD_ANSWER: "Fix: see the provider's log; MYDOCKER_OIDC_DISCOVERY_URL must be its "
    "/.well-known/openid-configuration.",
}
# What a certificate failure says, and what fixes it instead of a CA.
TLS_DETAILS = {
    "hostname mismatch": "Fix: the certificate does not name {host}: use the name it "
    "carries in MYDOCKER_OIDC_DISCOVERY_URL.",
    "ip address mismatch": "Fix: the certificate does not name {host}: use the name it "
    "carries in MYDOCKER_OIDC_DISCOVERY_URL.",
    "certificate has expired": "Fix: the provider's certificate has expired: its "
    "administrators must renew it.",
}


@dataclass(frozen=True)
class ProviderFailure:
    """A failed step of a federation login: its `cause`, the admin's `line`, and the
    person's `refusal`."""

    cause: str
    line: str
    claim: str = ""

    @property
    def refusal(self):
        if self.cause == MISSING_CLAIM:
            return LoginRefused(403, missing_claim_message(self.claim))
        return LoginRefused(*MESSAGES[self.cause])


def one_line(text, limit=300):
    """Text from outside, on one line and cut: a log line stays one line."""
    return " ".join(str(text).split())[:limit]


def _chain(error):
    while error is not None:
        yield error
        error = error.__cause__ or error.__context__


def certificate_failure(error):
    """The certificate verification error behind `error`, or None."""
    return next((e for e in _chain(error) if isinstance(e, ssl.SSLCertVerificationError)), None)


def oauth_error(error):
    """``(error, error_description)`` of an OAuth error answer ("" when the body says none)."""
    response = getattr(error, "response", None)
    try:
        body = loads(response.body) if response is not None and response.body else {}
    except (JSONDecodeError, UnicodeDecodeError):
        return "", one_line(response.body.decode(errors="replace"), 200)
    if not isinstance(body, dict):
        return "", ""
    return one_line(body.get("error", ""), 80), one_line(body.get("error_description", ""), 200)


def cause_of(error, step):
    """Why a request to the provider's `step` failed, as one of this module's causes."""
    if certificate_failure(error) is not None:
        return TLS
    if isinstance(error, HTTPTimeoutError | TimeoutError):
        return TIMEOUT
    if isinstance(error, HTTPClientError) and error.response is not None:
        code = oauth_error(error)[0]
        if step == TOKEN and (
            error.code == 401 or code in ("invalid_client", "unauthorized_client")
        ):
            return CLIENT_REFUSED
        if step == TOKEN and code == "invalid_grant":
            return CODE_REFUSED
        return BAD_ANSWER
    if isinstance(error, OSError | HTTPClientError):  # refused, unknown host, closed
        return UNREACHABLE
    return BAD_ANSWER  # not JSON, a field missing


def _what(error):
    """What the provider answered, or why there was no answer, in a few words."""
    if isinstance(error, HTTPClientError) and error.response is not None:
        code, description = oauth_error(error)
        said = ": ".join(filter(None, (code, description)))
        return f"HTTP {error.code}" + (f" {said}" if said else "")
    tls = certificate_failure(error)
    if tls is not None:
        return f"certificate verify failed ({one_line(getattr(tls, 'verify_message', '') or tls)})"
    return one_line(error) or type(error).__name__


def explain(error, step, url, client_id="", auth_method="", offered_auth=None):
    """The `ProviderFailure` of `error`, raised by a request to the provider's `step` at `url`.

    For a refused client, the line says which client and authentication the hub
    used and what the provider lists (`offered_auth`, None when it does not).
    """
    cause = cause_of(error, step)
    host = urlsplit(url).hostname or url
    what = _what(error)
    fix = FIXES[cause]
    if cause == TLS:
        fix = next((f for key, f in TLS_DETAILS.items() if key in what.lower()), fix)
    line = f"Federation login failed at the provider's {step} {url}: {what}."
    if cause == CLIENT_REFUSED:
        offered = ", ".join(offered_auth) if offered_auth is not None else "(not listed)"
        line += (
            f" The hub sent client {client_id} with {auth_method}; the provider lists {offered}."
        )
    return ProviderFailure(cause, f"{line} {fix.format(host=host)}")


def missing_claim_message(claim):
    return (
        f"The federation did not send your {claim}, which this platform needs to know who you "
        f"are: your institution may not release it to this platform. {TELL_ADMINS.capitalize()} "
        "(they may need your institution's identity team). / La fédération n'a pas transmis "
        f"votre {claim}, dont la plateforme a besoin pour savoir qui vous êtes : votre "
        "établissement ne le communique peut-être pas à cette plateforme. "
        f"{PREVENIR.capitalize()} (ils auront peut-être besoin de l'équipe d'identité de votre "
        "établissement)."
    )


def missing_claim(claim, received, scopes, client_id):
    """The `ProviderFailure` of a userinfo answer without the username claim."""
    line = (
        f"Federation login refused: the provider sent no {claim} (claims received: "
        f"{', '.join(sorted(received)) or '(none)'}; scopes asked: {' '.join(scopes)}). Fix: "
        f"ask the provider's team to release {claim} to client {client_id} under a scope of "
        "MYDOCKER_OIDC_SCOPES (with SATOSA: the scope of its extra_scopes that lists the claim), "
        "or set MYDOCKER_OIDC_USERNAME_CLAIM to a claim it sends."
    )
    return ProviderFailure(MISSING_CLAIM, line, claim=claim)

"""LTI 1.3 launches from several platforms (Moodle, Open edX, Canvas, ...).

ltiauthenticator 1.6.3 knows one platform, has no clock leeway, does not check
``deployment_id`` and refuses Open edX's deep-linking requests (they lack
``tool_platform`` and ``launch_presentation``). Here every platform is one entry
of `LTI13Launches.platforms`, and an id_token is checked like the 1EdTech
certification expects: signature by ``kid`` (cached key set, one refetch),
``iss``/``aud``/``azp``, ``exp``/``iat``/``nbf`` with a configurable leeway,
``nonce`` (never twice), ``deployment_id``, version, message type, roles,
resource link and subject. Every refusal is a 4xx with a message, before any
user exists.
"""

import os
import time
from dataclasses import dataclass, fields
from urllib.parse import urlparse

import jwt
from traitlets import Instance, Integer, List, Unicode, default, validate
from traitlets.config import LoggingConfigurable

from .errors import LoginRefused, clock_skew_message
from .identity import Identity, clean_email, clean_text, person_name
from .nonces import DatabaseNonceStore
from .platform_keys import PlatformKeys
from .roles import split_lti_roles
from .tool_keys import ToolKeys

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = CLAIM + "message_type"
VERSION = CLAIM + "version"
DEPLOYMENT_ID = CLAIM + "deployment_id"
ROLES = CLAIM + "roles"
RESOURCE_LINK = CLAIM + "resource_link"
CUSTOM = CLAIM + "custom"
CONTEXT = CLAIM + "context"
DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
ALGORITHMS = ["RS256", "RS384", "RS512"]


@dataclass(frozen=True)
class Platform:
    """One LTI 1.3 platform registration, as the LMS administrator gave it."""

    issuer: str
    client_id: str
    auth_login_url: str
    jwks_url: str
    deployment_ids: tuple = ()
    name: str = ""
    username_claim: str = "email"
    trust_username: bool = False

    def __post_init__(self):
        for name in ("issuer", "client_id", "auth_login_url", "jwks_url"):
            if not getattr(self, name):
                raise ValueError(f"LTI 1.3 platform {self.issuer!r}: {name} is required")
        object.__setattr__(self, "deployment_ids", tuple(str(d) for d in self.deployment_ids))
        if not self.name:
            object.__setattr__(self, "name", urlparse(self.issuer).hostname or self.issuer)
        if any(ch in self.name for ch in "/:"):
            raise ValueError(f"LTI 1.3 platform name {self.name!r} may not contain / or :")

    @classmethod
    def from_dict(cls, data):
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(
                f"LTI 1.3 platform {data.get('issuer')!r}: unknown keys {sorted(unknown)}, "
                f"expected some of {sorted(known)}"
            )
        return cls(**data)


def check_distinct_platforms(platforms):
    """One registration per (issuer, client_id), and a name of its own for each.

    The name scopes usernames (``sub@name``): two platforms with one name (two
    issuers on one host get the same default name) would share accounts.
    """
    seen_registrations, seen_names = set(), {}
    for platform in platforms:
        registration = (platform.issuer, platform.client_id)
        if registration in seen_registrations:
            raise ValueError(
                f"LTI13Launches.platforms: issuer {platform.issuer!r} with client_id "
                f"{platform.client_id!r} is registered twice"
            )
        seen_registrations.add(registration)
        name = platform.name.lower()
        if name in seen_names:
            raise ValueError(
                f"LTI13Launches.platforms: {seen_names[name]!r} and {platform.issuer!r} are both "
                f'named {platform.name!r}; give each platform a distinct "name"'
            )
        seen_names[name] = platform.issuer


def _audiences(claims):
    aud = claims.get("aud")
    return [aud] if isinstance(aud, str) else list(aud or [])


def check_times(claims, now, leeway, max_age):
    """Refuse expired, future or too old id_tokens, saying how far the clocks are apart."""
    for name in ("exp", "iat"):
        if not isinstance(claims.get(name), int | float):
            raise LoginRefused(400, f"LTI 1.3 launch refused: the id_token has no {name}.")
    if now > claims["exp"] + leeway:
        raise LoginRefused(401, clock_skew_message(now - claims["exp"]))
    if claims["iat"] > now + leeway:
        raise LoginRefused(401, clock_skew_message(claims["iat"] - now))
    if isinstance(claims.get("nbf"), int | float) and claims["nbf"] > now + leeway:
        raise LoginRefused(401, clock_skew_message(claims["nbf"] - now))
    if claims["iat"] < now - max_age - leeway:
        raise LoginRefused(401, clock_skew_message(now - max_age - claims["iat"]))


def check_lti_claims(claims, platform):
    """The LTI claims every launch needs (certification's bad-launch list)."""

    def refuse(message, status=400):
        raise LoginRefused(status, f"LTI 1.3 launch refused: {message}")

    if VERSION not in claims:
        refuse("the LTI version claim is missing.")
    if claims[VERSION] != "1.3.0":
        refuse(f"unsupported LTI version {str(claims[VERSION])[:20]!r} (expected 1.3.0).")
    message_type = claims.get(MESSAGE_TYPE)
    if not message_type:
        refuse("the message_type claim is missing.")
    if message_type not in (RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST):
        refuse(f"unsupported message type {str(message_type)[:40]!r}.")
    if ROLES not in claims or not isinstance(claims[ROLES], list):
        refuse("the roles claim is missing.")
    deployment_id = claims.get(DEPLOYMENT_ID)
    if not deployment_id:
        refuse("the deployment_id claim is missing.")
    if platform.deployment_ids and str(deployment_id) not in platform.deployment_ids:
        refuse(
            f"deployment {str(deployment_id)[:64]!r} is not registered for this platform. "
            "Ask the platform's administrator to add it to the tool's configuration.",
            403,
        )
    if message_type == RESOURCE_LINK_REQUEST:
        link = claims.get(RESOURCE_LINK)
        if not isinstance(link, dict) or not link.get("id"):
            refuse("the resource_link id is missing.")
    else:
        settings = claims.get(DEEP_LINKING_SETTINGS)
        if not isinstance(settings, dict) or not settings.get("deep_link_return_url"):
            refuse("the deep linking settings (deep_link_return_url) are missing.")
    if not claims.get("sub"):
        refuse("the user (sub) is missing: anonymous launches are not supported.")


class LTI13Launches(LoggingConfigurable):
    """Checks LTI 1.3 id_tokens from the configured platforms."""

    platforms = List(
        config=True,
        help="""
        The LTI 1.3 platforms, one dict each with ``issuer``, ``client_id``,
        ``auth_login_url`` (the platform's OIDC authentication endpoint),
        ``jwks_url`` (its public keys), ``deployment_ids`` (list; empty accepts
        any), and optionally ``name`` (scopes usernames, ``sub@name``; defaults
        to the issuer's host name; each platform needs its own),
        ``username_claim`` (default ``email``) and ``trust_username`` (whether
        that claim is verified and may join an account of the same name).
        Set from ``MYDOCKER_LTI13_PLATFORMS`` (a JSON list), or::

            c.LTI13Launches.platforms = [{
                "issuer": "https://moodle.univ.fr",
                "client_id": "Xy12ab",
                "deployment_ids": ["3"],
                "auth_login_url": "https://moodle.univ.fr/mod/lti/auth.php",
                "jwks_url": "https://moodle.univ.fr/mod/lti/certs.php",
            }]

        .. versionadded:: 0.1
        """,
    )

    @validate("platforms")
    def _validate_platforms(self, proposal):
        platforms = []
        for entry in proposal.value:
            if isinstance(entry, Platform):
                platforms.append(entry)
                continue
            if not isinstance(entry, dict):
                raise ValueError("LTI13Launches.platforms: each platform must be a dict")
            try:
                platforms.append(Platform.from_dict(entry))
            except (TypeError, ValueError) as e:
                raise ValueError(f"LTI13Launches.platforms: {e}") from None
        check_distinct_platforms(platforms)
        return platforms

    time_leeway = Integer(
        120,
        config=True,
        help="""
        Seconds of clock difference tolerated between the LMS and this server
        when checking ``exp``, ``iat`` and ``nbf`` (ltiauthenticator: 0). A
        launch beyond it is refused with a message saying by how many minutes
        the clocks differ.

        .. versionadded:: 0.1
        """,
    )

    max_age = Integer(
        600,
        config=True,
        help="""
        The oldest id_token (seconds since its ``iat``) accepted.

        .. versionadded:: 0.1
        """,
    )

    @validate(
        "time_leeway", "max_age", "jwks_cache_ttl", "jwks_refetch_interval", "key_max_age_days"
    )
    def _validate_durations(self, proposal):
        if proposal.value < 0:
            raise ValueError(f"LTI13Launches.{proposal.trait.name} must be >= 0")
        return proposal.value

    jwks_cache_ttl = Integer(
        3600,
        config=True,
        help="""
        How long (seconds) a platform's key set is kept before it is fetched
        again. An unknown ``kid`` makes one early refetch.

        .. versionadded:: 0.1
        """,
    )

    jwks_refetch_interval = Integer(
        5,
        config=True,
        help="""
        The shortest time (seconds) between two fetches of a platform's key
        set caused by an unknown ``kid``: a platform that rotated its key is
        fetched again at once, a flood of bad launches is not passed on to it.

        .. versionadded:: 0.1
        """,
    )

    key_directory = Unicode(
        config=True,
        help="""
        Where the tool's private keys are kept (PEM files, mode 0600): on the
        hub's data volume, never in the repository. Defaults to
        ``lti13-keys`` in the hub's working directory; the platform's
        settings put it in ``$MYDOCKER_DATA_DIR/lti13-keys``.

        .. versionadded:: 0.1
        """,
    )

    @default("key_directory")
    def _default_key_directory(self):
        return os.path.join(os.getcwd(), "lti13-keys")

    key_max_age_days = Integer(
        180,
        config=True,
        help="""
        Rotate the tool's signing key when it is older than this many days
        (0: only by hand, with ``python -m mydocker_hub.auth.tool_keys rotate
        DIR``). The previous key stays published, so nothing breaks.

        .. versionadded:: 0.1
        """,
    )

    environment_parameter = Unicode(
        "environment",
        config=True,
        help="""
        The custom parameter (in the ``.../claim/custom`` claim) naming the
        environment an activity opens. Deep linking puts it in the links it
        creates; a teacher may also type ``environment=python-l1`` in an
        activity's custom parameters.

        .. versionadded:: 0.1
        """,
    )

    nonce_store_size = Integer(
        100000,
        config=True,
        help="""
        How many id_token nonces are remembered (for `max_age` plus twice
        `time_leeway`, in the platform's database so that a hub restart
        forgets none) to refuse replayed launches. Past it, the oldest are
        dropped.

        .. versionadded:: 0.2
        """,
    )

    @validate("nonce_store_size")
    def _validate_nonce_store_size(self, proposal):
        if proposal.value < 1:
            raise ValueError("LTI13Launches.nonce_store_size must be at least 1")
        return proposal.value

    _tool_keys = None

    nonces = Instance(
        DatabaseNonceStore,
        help="The id_token nonces already used (database calls: made in a thread).",
    )

    @default("nonces")
    def _default_nonces(self):
        return DatabaseNonceStore(
            "lti13", size=self.nonce_store_size, ttl=self.max_age + 2 * self.time_leeway + 60
        )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.platform_keys = PlatformKeys(
            ttl=self.jwks_cache_ttl, refetch_interval=self.jwks_refetch_interval
        )

    @property
    def enabled(self):
        return bool(self.platforms)

    @property
    def tool_keys(self):
        """One `ToolKeys` per folder: it caches the published key set."""
        keys = self._tool_keys
        if keys is None or keys.directory != self.key_directory:
            keys = ToolKeys(self.key_directory, max_age_days=self.key_max_age_days)
            self._tool_keys = keys
        keys.max_age_days = self.key_max_age_days
        return keys

    def find_platform(self, issuer, client_id=None):
        """The registration of `issuer` (and `client_id` when given), or `LoginRefused`."""
        for platform in self.platforms:
            if platform.issuer == issuer and client_id in (None, "", platform.client_id):
                return platform
        self.log.warning("LTI 1.3 message from unknown platform %r", str(issuer)[:128])
        raise LoginRefused(
            401, "LTI 1.3 launch refused: this platform is not registered on this tool."
        )

    async def validate(self, id_token, now=None):
        """Check an id_token; return (platform, claims) or raise `LoginRefused`."""
        if not self.enabled:
            raise LoginRefused(404, "LTI 1.3 launches are not enabled on this platform.")
        try:
            header = jwt.get_unverified_header(id_token)
            unverified = jwt.decode(id_token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise LoginRefused(400, "LTI 1.3 launch refused: the id_token is not a JWT.") from None
        if header.get("alg") not in ALGORITHMS:
            raise LoginRefused(400, "LTI 1.3 launch refused: unsupported signing algorithm.")
        if not header.get("kid"):
            raise LoginRefused(400, "LTI 1.3 launch refused: the id_token has no kid header.")
        candidates = [p for p in self.platforms if p.issuer == unverified.get("iss")]
        if not candidates:
            self.find_platform(unverified.get("iss"))
        audiences = _audiences(unverified)
        platform = next((p for p in candidates if p.client_id in audiences), None)
        if platform is None:
            raise LoginRefused(401, "LTI 1.3 launch refused: the id_token is not meant for us.")
        key = await self.platform_keys.key(platform.jwks_url, header["kid"])
        try:
            claims = jwt.decode(
                id_token,
                key,
                algorithms=ALGORITHMS,
                audience=platform.client_id,
                issuer=platform.issuer,
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
        except jwt.InvalidSignatureError:
            raise LoginRefused(
                401, "LTI 1.3 launch refused: the id_token's signature is wrong."
            ) from None
        except jwt.PyJWTError as e:
            raise LoginRefused(401, f"LTI 1.3 launch refused: {e}.") from None
        if len(audiences) > 1 and claims.get("azp") != platform.client_id:
            raise LoginRefused(401, "LTI 1.3 launch refused: azp does not name this tool.")
        if "azp" in claims and claims["azp"] != platform.client_id:
            raise LoginRefused(401, "LTI 1.3 launch refused: azp does not name this tool.")
        check_times(claims, time.time() if now is None else now, self.time_leeway, self.max_age)
        check_lti_claims(claims, platform)
        if not claims.get("nonce"):
            raise LoginRefused(400, "LTI 1.3 launch refused: the id_token has no nonce.")
        return platform, claims

    def use_nonce(self, platform, claims):
        """Refuse an id_token whose nonce was already used (a database call)."""
        if not self.nonces.use((platform.issuer, platform.client_id, claims["nonce"])):
            raise LoginRefused(401, "LTI 1.3 launch refused: this launch was already used.")

    def identity(self, platform, claims):
        """The `Identity` of a validated launch.

        Who logs in comes from the platform's own claims only, never from the
        ``custom`` claim, which any course author can fill in.
        """
        custom = claims.get(CUSTOM) if isinstance(claims.get(CUSTOM), dict) else {}
        preferred = claims.get(platform.username_claim)
        if not isinstance(preferred, str):
            preferred = ""
        link = claims.get(RESOURCE_LINK) if isinstance(claims.get(RESOURCE_LINK), dict) else {}
        context = claims.get(CONTEXT) if isinstance(claims.get(CONTEXT), dict) else {}
        return Identity(
            source="lti13",
            issuer=platform.name,
            subject=str(claims["sub"]),
            preferred_name=str(preferred or ""),
            trusted=bool(preferred) and platform.trust_username,
            lti_roles=split_lti_roles(claims.get(ROLES, [])),
            environment=str(custom.get(self.environment_parameter, "")).strip(),
            activity=f"lti13:{platform.name}:{link['id']}" if link.get("id") else "",
            context=f"lti13:{platform.name}:{context['id']}" if context.get("id") else "",
            display_name=person_name(
                claims.get("name"), claims.get("given_name"), claims.get("family_name")
            ),
            email=clean_email(claims.get("email")),
            context_title=clean_text(context.get("title")),
            activity_title=clean_text(link.get("title")),
            claims=claims,
        )

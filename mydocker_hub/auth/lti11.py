"""LTI 1.1 launches (Moodle, Open edX, ...): several consumers, each with its secret.

A launch is checked like a certified tool does it: known consumer key, OAuth 1.0
HMAC signature over the body, a configurable timestamp window (with a clear
message when a clock is off) and a bounded nonce store that refuses replays.
The launch endpoint keeps ltiauthenticator's path, ``/hub/lti/launch``.
"""

import hmac
import time
from urllib.parse import urlsplit

from ltiauthenticator.lti11.handlers import LTI11AuthenticateHandler
from oauthlib.oauth1.rfc5849 import signature
from traitlets import CaselessStrEnum, Dict, Instance, Integer, Set, Unicode, default, validate
from traitlets.config import LoggingConfigurable

from .. import db
from .errors import LoginRefused, clock_skew_message
from .identity import Identity, clean_email, clean_text, person_name
from .login_lookup import OneUserLookupPerLogin
from .nonces import DatabaseNonceStore
from .roles import split_lti_roles

REQUIRED_PARAMETERS = ("lti_message_type", "lti_version", "resource_link_id")
SIGNATURE_METHODS = {
    "HMAC-SHA1": signature.sign_hmac_sha1,
    "HMAC-SHA256": signature.sign_hmac_sha256,
}


class LTI11Launches(LoggingConfigurable):
    """Checks LTI 1.1 launches and turns them into identities."""

    consumers = Dict(
        key_trait=Unicode(),
        value_trait=Unicode(),
        config=True,
        help="""
        The LTI 1.1 consumers allowed to launch, as consumer key -> shared
        secret. Set from ``MYDOCKER_LTI11_CONSUMERS=key:secret[,key:secret]``,
        or::

            c.LTI11Launches.consumers = {"moodle-univ": "a-long-random-secret"}

        The key also scopes usernames (``user_id@moodle-univ``): keep it stable.

        .. versionadded:: 0.1
        """,
    )

    @validate("consumers")
    def _validate_consumers(self, proposal):
        for key, secret in proposal.value.items():
            if not key or not secret:
                raise ValueError("LTI11Launches.consumers: every consumer needs a key and a secret")
            if any(ch in key for ch in "/:,"):
                raise ValueError(f"LTI11Launches.consumers: key {key!r} may not contain / : ,")
        return proposal.value

    timestamp_window = Integer(
        300,
        config=True,
        help="""
        How far (seconds) a launch's ``oauth_timestamp`` may be from this
        server's clock. ltiauthenticator accepts only 30 s, which refuses
        launches from an LMS whose clock is a little off; 5 minutes is the
        usual OAuth 1.0 practice.

        .. versionadded:: 0.1
        """,
    )

    @validate("timestamp_window")
    def _validate_timestamp_window(self, proposal):
        if proposal.value < 1:
            raise ValueError("LTI11Launches.timestamp_window must be at least 1 second")
        return proposal.value

    nonce_store_size = Integer(
        100000,
        config=True,
        help="""
        How many launch nonces are remembered (for twice the
        `timestamp_window`, in the platform's database so that a hub restart
        forgets none) to refuse replayed launches. Past it, the oldest are
        dropped.

        .. versionadded:: 0.1
        """,
    )

    username_parameter = Unicode(
        "",
        config=True,
        help="""
        The launch parameter proposing the username, for example
        ``lis_person_contact_email_primary``. It is used only for the consumers
        listed in `trusted_consumers`; everyone else is ``user_id@consumer``,
        so that no launch can take over an existing account.

        .. versionadded:: 0.1
        """,
    )

    trusted_consumers = Set(
        Unicode(),
        config=True,
        help="""
        Consumer keys trusted to send a verified `username_parameter` (for
        example the university's own Moodle, whose emails are institutional).
        Their users share an account with the same person arriving through the
        federation.

        .. versionadded:: 0.1
        """,
    )

    environment_parameter = Unicode(
        "custom_environment",
        config=True,
        help="""
        The launch parameter naming the environment the activity opens. In
        Moodle, add ``environment=python-l1`` to the activity's custom
        parameters; the student is enrolled and sent to that environment.

        .. versionadded:: 0.1
        """,
    )

    uri_scheme = CaselessStrEnum(
        ("auto", "https", "http"),
        default_value="auto",
        config=True,
        help="""
        The scheme of the launch URL the consumer signed. ``auto`` trusts the
        ``X-Forwarded-Proto`` / ``X-Scheme`` headers of the reverse proxy.

        .. versionadded:: 0.1
        """,
    )

    @validate("nonce_store_size")
    def _validate_nonce_store_size(self, proposal):
        if proposal.value < 1:
            raise ValueError("LTI11Launches.nonce_store_size must be at least 1")
        return proposal.value

    nonces = Instance(
        DatabaseNonceStore,
        help="The launch nonces already used (database calls: `validate` is blocking).",
    )

    @default("nonces")
    def _default_nonces(self):
        return DatabaseNonceStore(
            "lti11", size=self.nonce_store_size, ttl=2 * self.timestamp_window
        )

    @property
    def enabled(self):
        return bool(self.consumers)

    def launch_url(self, request):
        """The URL the consumer signed, as the browser reached it."""
        scheme = self.uri_scheme
        if scheme == "auto":
            forwarded = request.headers.get("X-Scheme") or request.headers.get("X-Forwarded-Proto")
            scheme = forwarded.split(",")[0].strip() if forwarded else request.protocol
        return f"{scheme}://{request.host}{request.uri}"

    def validate(self, launch_url, parameters, now=None):
        """Check a launch (`parameters`: name -> list of values); return its single values.

        Raises `LoginRefused` with a message for the person who launched.
        """
        args = {name: values[0] for name, values in parameters.items() if values}
        if not self.enabled:
            raise LoginRefused(404, "LTI 1.1 launches are not enabled on this platform.")
        for name in ("oauth_consumer_key", "oauth_signature", "oauth_timestamp", "oauth_nonce"):
            if not args.get(name):
                raise LoginRefused(400, f"LTI 1.1 launch refused: {name} is missing.")
        key = args["oauth_consumer_key"]
        secret = self.consumers.get(key)
        if secret is None:
            self.log.warning("LTI 1.1 launch from unknown consumer key %r", key[:64])
            raise LoginRefused(401, "LTI 1.1 launch refused: unknown consumer key.")
        self._check_signature(launch_url, parameters, args, secret)
        self._check_timestamp(args["oauth_timestamp"], now)
        if not self.nonces.use((key, args["oauth_nonce"])):
            raise LoginRefused(401, "LTI 1.1 launch refused: this launch was already used.")
        for name in REQUIRED_PARAMETERS:
            if not args.get(name):
                raise LoginRefused(400, f"LTI 1.1 launch refused: {name} is missing.")
        if args["lti_message_type"] != "basic-lti-launch-request":
            raise LoginRefused(
                400, f"LTI 1.1 launch refused: unsupported message {args['lti_message_type']!r}."
            )
        if not args.get("user_id"):
            raise LoginRefused(
                400,
                "LTI 1.1 launch refused: the LMS sent no user_id. "
                "Allow the tool to receive the user's identity in the LMS.",
            )
        return args

    def _check_signature(self, launch_url, parameters, args, secret):
        method = args.get("oauth_signature_method", "HMAC-SHA1")
        sign = SIGNATURE_METHODS.get(method)
        if sign is None:
            raise LoginRefused(400, f"LTI 1.1 launch refused: unsupported signature {method!r}.")
        url = urlsplit(launch_url)
        body = [
            (name, value)
            for name, values in parameters.items()
            for value in values
            if name != "oauth_signature"
        ]
        collected = signature.collect_parameters(body=body, exclude_oauth_signature=True)
        base_string = signature.signature_base_string(
            "POST",
            signature.base_string_uri(f"{url.scheme}://{url.netloc}{url.path}"),
            signature.normalize_parameters(collected),
        )
        expected = sign(base_string, secret, None)
        if not hmac.compare_digest(expected, args["oauth_signature"]):
            self.log.warning(
                "LTI 1.1 launch with a bad signature from %r", args["oauth_consumer_key"]
            )
            raise LoginRefused(
                401,
                "LTI 1.1 launch refused: the signature does not match. Check the consumer key "
                "and secret configured in the LMS.",
            )

    def _check_timestamp(self, value, now=None):
        try:
            timestamp = int(value)
        except ValueError:
            raise LoginRefused(
                400, "LTI 1.1 launch refused: oauth_timestamp is not a number."
            ) from None
        now = time.time() if now is None else now
        if abs(now - timestamp) > self.timestamp_window:
            raise LoginRefused(401, clock_skew_message(now - timestamp))

    def identity(self, args):
        """The `Identity` of a validated launch."""
        key = args["oauth_consumer_key"]
        preferred = args.get(self.username_parameter, "") if self.username_parameter else ""
        return Identity(
            source="lti11",
            issuer=key,
            subject=args["user_id"],
            preferred_name=preferred,
            trusted=bool(preferred) and key in self.trusted_consumers,
            lti_roles=split_lti_roles(args.get("roles", "")),
            environment=args.get(self.environment_parameter, "").strip(),
            activity=f"lti11:{key}:{args['resource_link_id']}",
            context=f"lti11:{key}:{args['context_id']}" if args.get("context_id") else "",
            display_name=person_name(
                args.get("lis_person_name_full"),
                args.get("lis_person_name_given"),
                args.get("lis_person_name_family"),
            ),
            email=clean_email(args.get("lis_person_contact_email_primary")),
            context_title=clean_text(args.get("context_title")),
            activity_title=clean_text(args.get("resource_link_title")),
            claims={k: v for k, v in args.items() if not k.startswith("oauth_")},
        )


class LTI11LaunchHandler(OneUserLookupPerLogin, LTI11AuthenticateHandler):
    """``/hub/lti/launch``: log in from an LTI 1.1 launch and go straight to the course.

    Unlike ltiauthenticator's handler, it never follows ``custom_next`` to
    another site: the destination is the linked environment, or a path on
    this hub.
    """

    identity_source = "lti11"

    async def post(self):
        launches = self.authenticator.lti11
        parameters = {
            name: [value.decode("utf-8", "replace") for value in values]
            for name, values in self.request.arguments.items()
        }
        # The nonce check is a database write (`db.run_short`).
        args = await db.run_short(launches.validate, launches.launch_url(self.request), parameters)
        identity = launches.identity(args)
        user = await self.login_user({"identity": identity})
        if user is None:
            raise LoginRefused(403, "This account may not use the platform.")
        destination = await self.authenticator.launch_destination(
            self, user, identity, args.get("custom_next", "")
        )
        self.redirect(destination)

"""LTI 1.3 id_tokens made by hand: one thing wrong is refused, the same token made right lands.

The state and nonce come from a real login initiation on the hub; the id_token is
put together here, signed with the test platform's private key (or not signed, or
signed with its public key as an HMAC secret). The refused token and its control
are posted with the same state, nonce and cookies, so a refusal can only come from
the one thing changed.
"""

import base64
import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from authhub import assert_refused, user_exists
from lti_platform import LEARNER

LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def platform_kid(platform):
    """The kid the platform publishes for its signing key (as the hub finds it)."""
    return requests.get(f"{platform.url}/jwks", timeout=10).json()["keys"][0]["kid"]


class Launch:
    """A launch the hub started (cookies, state, nonce) and a valid id_token's claims for it."""

    def __init__(self, hub, sub):
        platform = hub.platform
        session = requests.Session()
        start = session.get(
            f"{hub.url}/hub/lti13/oauth_login",
            params={"iss": platform.url, "login_hint": sub, "target_link_uri": hub.url},
            allow_redirects=False,
        )
        assert start.status_code == 302, start.text
        asked = {k: v[0] for k, v in parse_qs(urlsplit(start.headers["Location"]).query).items()}
        self.cookies = session.cookies
        self.state = asked["state"]
        self.launch_url = asked["redirect_uri"]
        self.username = f"{sub}@{platform.registration['name']}"
        now = int(time.time())
        self.now = now
        self.claims = {
            "iss": platform.url,
            "aud": platform.settings["client_id"],
            "sub": sub,
            "nonce": asked["nonce"],
            "iat": now,
            "exp": now + 300,
            LTI + "version": "1.3.0",
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "deployment_id": platform.settings["deployment_id"],
            LTI + "roles": [LEARNER],
            LTI + "resource_link": {"id": "link-validation"},
        }

    def post(self, id_token):
        """The platform's form post of `id_token`, with this launch's cookies (kept for reuse)."""
        return requests.post(
            self.launch_url,
            data={"id_token": id_token, "state": self.state},
            cookies=self.cookies,
            allow_redirects=False,
            timeout=10,
        )


def signed(hub, claims):
    """Signed as the platform signs: RS256 with its private key, its kid in the header."""
    key = hub.platform.private_key
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": platform_kid(hub.platform)})


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forged(header, claims, hmac_secret=None):
    """A JWT put together by hand: PyJWT refuses to make these attackers' tokens."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = b""
    if hmac_secret is not None:
        signature = hmac.new(hmac_secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def assert_lands(hub, response, username):
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert response.headers["Location"].startswith("/hub/")
    assert user_exists(hub, username)


def test_unsigned_alg_none_id_token_is_refused_and_the_signed_one_lands(hub):
    launch = Launch(hub, "v13-alg-none")
    header = {"alg": "none", "typ": "JWT", "kid": platform_kid(hub.platform)}
    refused = launch.post(forged(header, launch.claims))
    assert_refused(hub, refused, 400, "unsupported signing algorithm", launch.username)
    assert_lands(hub, launch.post(signed(hub, launch.claims)), launch.username)


def test_hs256_signed_with_the_platforms_public_key_is_refused_and_rs256_lands(hub):
    """The algorithm-confusion attack: the public key, which anyone can fetch, as HMAC secret."""
    launch = Launch(hub, "v13-hs256-confusion")
    header = {"alg": "HS256", "typ": "JWT", "kid": platform_kid(hub.platform)}
    token = forged(header, launch.claims, hmac_secret=hub.platform.public_key.encode())
    assert_refused(hub, launch.post(token), 400, "unsupported signing algorithm", launch.username)
    assert_lands(hub, launch.post(signed(hub, launch.claims)), launch.username)


def test_id_token_that_is_not_a_jwt_is_refused_and_a_signed_one_lands(hub):
    launch = Launch(hub, "v13-not-a-jwt")
    refused = launch.post("this-is-not-a-jwt")
    assert_refused(hub, refused, 400, "the id_token is not a JWT", launch.username)
    assert_lands(hub, launch.post(signed(hub, launch.claims)), launch.username)


def test_id_token_not_valid_before_15_minutes_from_now_is_refused_and_nbf_now_lands(hub):
    launch = Launch(hub, "v13-nbf-future")
    early = {**launch.claims, "nbf": launch.now + 900}
    refused = launch.post(signed(hub, early))
    assert_refused(hub, refused, 401, "is off by about 15 minutes", launch.username)
    on_time = {**launch.claims, "nbf": launch.now}
    assert_lands(hub, launch.post(signed(hub, on_time)), launch.username)


def test_id_token_issued_beyond_max_age_is_refused_though_not_expired(hub):
    """`LTI13Launches.max_age` (600 s) plus `time_leeway` (120 s): issued 15 minutes ago
    is too old even though its exp is still 5 minutes ahead; issued now, it lands."""
    launch = Launch(hub, "v13-too-old")
    old = {**launch.claims, "iat": launch.now - 900}
    assert old["exp"] > time.time() + 60
    refused = launch.post(signed(hub, old))
    # 900 s old is 300 s past max_age: the message says how far off it is
    assert_refused(hub, refused, 401, "is off by about 5 minutes", launch.username)
    assert_lands(hub, launch.post(signed(hub, launch.claims)), launch.username)

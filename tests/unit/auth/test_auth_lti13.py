"""LTI 1.3 id_token checks, platform key cache, tool keys and deep-linking responses."""

import asyncio
import os
import stat
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from mydocker_hub.auth.deep_linking import resource_link_item, response_claims, signed_response
from mydocker_hub.auth.errors import LoginRefused
from mydocker_hub.auth.lti13 import (
    CLAIM,
    DEEP_LINKING_SETTINGS,
    LTI13Launches,
    Platform,
    check_lti_claims,
    check_times,
)
from mydocker_hub.auth.platform_keys import PlatformKeys
from mydocker_hub.auth.tool_keys import ToolKeys
from mydocker_hub.environments import Environment

PLATFORM = Platform(
    issuer="https://lms.example",
    client_id="tool",
    auth_login_url="https://lms.example/auth",
    jwks_url="https://lms.example/jwks",
    deployment_ids=("d1",),
    name="lms",
)


def launch_claims(**changes):
    now = int(time.time())
    claims = {
        "iss": PLATFORM.issuer,
        "aud": PLATFORM.client_id,
        "sub": "u1",
        "iat": now,
        "exp": now + 300,
        "nonce": "n1",
        CLAIM + "version": "1.3.0",
        CLAIM + "message_type": "LtiResourceLinkRequest",
        CLAIM + "deployment_id": "d1",
        CLAIM + "roles": [],
        CLAIM + "resource_link": {"id": "r1"},
        CLAIM + "custom": {"environment": "python-l1"},
    }
    claims.update(changes)
    return claims


class FakeJWKS:
    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "k1"
        self.calls = 0

    async def __call__(self, url):
        self.calls += 1
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [dict(public, kid=self.kid, alg="RS256", use="sig")]}

    def sign(self, claims, kid=None):
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": kid or self.kid})


def launches(jwks, **kwargs):
    tool = LTI13Launches(platforms=[PLATFORM], **kwargs)
    tool.platform_keys = PlatformKeys(fetch=jwks)
    return tool


def test_a_good_launch_gives_platform_claims_and_identity():
    jwks = FakeJWKS()
    tool = launches(jwks)
    platform, claims = asyncio.run(tool.validate(jwks.sign(launch_claims())))
    identity = tool.identity(platform, claims)
    assert (identity.issuer, identity.subject, identity.environment) == ("lms", "u1", "python-l1")


@pytest.mark.parametrize(
    "custom",
    [{"email": "victim@univ.fr"}, {"email": "admin"}],
    ids=["victim-email", "admin"],
)
def test_the_identity_never_comes_from_custom_parameters(custom):
    trusted = Platform(**{**PLATFORM.__dict__, "trust_username": True})
    tool = LTI13Launches(platforms=[trusted])
    identity = tool.identity(trusted, launch_claims(**{CLAIM + "custom": custom}))
    assert identity.preferred_name == ""
    assert not identity.trusted
    assert identity.subject == "u1"
    # the platform's own claim still counts
    identity = tool.identity(trusted, launch_claims(email="jean@univ.fr"))
    assert (identity.preferred_name, identity.trusted) == ("jean@univ.fr", True)


def test_the_launch_context_is_kept_for_enrolment_checks():
    tool = LTI13Launches(platforms=[PLATFORM])
    claims = launch_claims(**{CLAIM + "context": {"id": "course-7"}})
    assert tool.identity(PLATFORM, claims).context == "lti13:lms:course-7"
    assert tool.identity(PLATFORM, launch_claims()).context == ""


def platform_entry(**changes):
    entry = {
        "issuer": "https://lms.example",
        "client_id": "tool",
        "auth_login_url": "https://lms.example/auth",
        "jwks_url": "https://lms.example/jwks",
    }
    entry.update(changes)
    return entry


def test_two_issuers_on_one_host_need_distinct_names():
    a = platform_entry(issuer="https://univ.fr/moodle-a")
    b = platform_entry(issuer="https://univ.fr/moodle-b")
    with pytest.raises(Exception, match="distinct"):
        LTI13Launches(platforms=[a, b])
    tool = LTI13Launches(platforms=[{**a, "name": "moodle-a"}, {**b, "name": "moodle-b"}])
    assert [p.name for p in tool.platforms] == ["moodle-a", "moodle-b"]


def test_platforms_are_keyed_by_issuer_and_client_id():
    one = platform_entry(name="one")
    with pytest.raises(Exception, match="registered twice"):
        LTI13Launches(platforms=[one, platform_entry(name="two")])
    tool = LTI13Launches(platforms=[one, platform_entry(client_id="tool-2", name="two")])
    assert tool.find_platform("https://lms.example", "tool-2").name == "two"


def test_leeway_is_configurable():
    jwks = FakeJWKS()
    early = launch_claims(iat=int(time.time()) + 100)
    asyncio.run(launches(jwks, time_leeway=120).validate(jwks.sign(early)))
    with pytest.raises(LoginRefused, match="off by about 2 minutes"):
        asyncio.run(launches(jwks, time_leeway=0).validate(jwks.sign(early)))


@pytest.mark.parametrize(
    "shift, minutes",
    [(-3600, 55), (600, 10), (-7200, 115)],
    ids=["expired-an-hour", "ten-minutes-ahead", "two-hours-late"],
)
def test_clock_skew_says_how_many_minutes(shift, minutes):
    now = time.time()
    claims = {"iat": int(now + shift), "exp": int(now + shift + 300)}
    with pytest.raises(LoginRefused) as refused:
        check_times(claims, now, leeway=0, max_age=600)
    assert f"off by about {minutes} minutes" in refused.value.jupyterhub_message
    assert f"environ {minutes} minutes" in refused.value.jupyterhub_message


def test_deep_linking_request_needs_no_tool_platform_nor_launch_presentation():
    claims = launch_claims(**{CLAIM + "message_type": "LtiDeepLinkingRequest"})
    del claims[CLAIM + "resource_link"]
    claims[DEEP_LINKING_SETTINGS] = {"deep_link_return_url": "https://lms.example/return"}
    assert CLAIM + "tool_platform" not in claims
    assert CLAIM + "launch_presentation" not in claims
    assert check_lti_claims(claims, PLATFORM) is None  # accepted: nothing raised
    # what it does need: the address to return the chosen links to
    claims[DEEP_LINKING_SETTINGS] = {}
    with pytest.raises(LoginRefused, match="deep_link_return_url"):
        check_lti_claims(claims, PLATFORM)


def test_any_deployment_is_accepted_when_none_is_listed():
    open_platform = Platform(**{**PLATFORM.__dict__, "deployment_ids": ()})
    check_lti_claims(launch_claims(**{CLAIM + "deployment_id": "any"}), open_platform)


def test_jwks_is_cached_and_an_unknown_kid_makes_one_refetch():
    jwks = FakeJWKS()
    clock = [1000.0]
    keys = PlatformKeys(fetch=jwks, refetch_interval=5, clock=lambda: clock[0])
    asyncio.run(keys.key("u", "k1"))
    asyncio.run(keys.key("u", "k1"))
    assert jwks.calls == 1
    clock[0] += 10
    with pytest.raises(LoginRefused, match="unknown key"):
        asyncio.run(keys.key("u", "rotated"))
    assert jwks.calls == 2
    with pytest.raises(LoginRefused):
        asyncio.run(keys.key("u", "rotated"))
    assert jwks.calls == 2, "no second refetch within the refetch interval"


def test_a_rotated_platform_key_is_found_by_the_refetch():
    jwks = FakeJWKS()
    clock = [0.0]
    keys = PlatformKeys(fetch=jwks, refetch_interval=5, clock=lambda: clock[0])
    asyncio.run(keys.key("u", "k1"))
    jwks.kid = "k2"
    clock[0] += 6
    assert asyncio.run(keys.key("u", "k2")) is not None


def test_tool_keys_rotate_keep_the_previous_one_and_stay_private(tmp_path):
    keys = ToolKeys(str(tmp_path / "keys"), keep=2)
    first, _ = keys.current()
    second = keys.rotate()
    third = keys.rotate()
    published = [k["kid"] for k in keys.jwks()["keys"]]
    assert published == [third, second]
    assert first not in published
    assert keys.current()[0] == third
    assert all("d" not in k for k in keys.jwks()["keys"])
    for name in os.listdir(tmp_path / "keys"):
        assert stat.S_IMODE(os.stat(tmp_path / "keys" / name).st_mode) == 0o600


def test_deep_linking_response_verifies_with_the_published_jwks(tmp_path):
    keys = ToolKeys(str(tmp_path))
    kid, private = keys.current()
    request = launch_claims(
        **{DEEP_LINKING_SETTINGS: {"deep_link_return_url": "https://lms/r", "data": "opaque"}}
    )
    environment = Environment(name="python-l1", image="i", title="Python")
    item = resource_link_item(environment, "https://hub/hub/home")
    token = signed_response(response_claims(PLATFORM, request, [item]), kid, private)
    jwk = next(
        k for k in keys.jwks()["keys"] if k["kid"] == jwt.get_unverified_header(token)["kid"]
    )
    claims = jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=["RS256"], audience=PLATFORM.issuer)
    assert claims["iss"] == "tool"
    assert claims[CLAIM + "message_type"] == "LtiDeepLinkingResponse"
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque"
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"] == [
        {
            "type": "ltiResourceLink",
            "title": "Python",
            "url": "https://hub/hub/home",
            "custom": {"environment": "python-l1"},
        }
    ]


def test_a_key_older_than_max_age_is_rotated_when_next_needed(tmp_path):
    now = [1_700_000_000.0]
    keys = ToolKeys(str(tmp_path), max_age_days=30, clock=lambda: now[0])
    first, _ = keys.current()
    now[0] += 29 * 86400
    assert keys.current()[0] == first
    now[0] += 2 * 86400
    second, _ = keys.current()
    assert second != first
    assert [k["kid"] for k in keys.jwks()["keys"]] == [second, first]

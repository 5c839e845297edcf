"""LTI 1.1 launch checks with launches signed by PyPI `lti`'s ToolConsumer."""

import time
from urllib.parse import parse_qs

import pytest
from lti import ToolConsumer

from mydocker_hub.auth.errors import LoginRefused
from mydocker_hub.auth.lti11 import LTI11Launches

URL = "https://hub.univ.fr/hub/lti/launch"


def signed(secret="s3cret", key="moodle", **kwargs):
    params = {
        "lti_message_type": "basic-lti-launch-request",
        "lti_version": "LTI-1p0",
        "resource_link_id": "r1",
        "user_id": "42",
        "roles": "Instructor",
        "custom_environment": "python-l1",
        "lis_person_contact_email_primary": "Jean@Univ.fr",
    }
    consumer = ToolConsumer(consumer_key=key, consumer_secret=secret, launch_url=URL, params=params)
    request = consumer.generate_launch_request(**kwargs)
    return {k: v for k, v in parse_qs(request.body.decode(), keep_blank_values=True).items()}


def launches(**kwargs):
    return LTI11Launches(consumers={"moodle": "s3cret", "edx": "other"}, **kwargs)


def test_a_signed_launch_gives_an_identity():
    tool = launches()
    identity = tool.identity(tool.validate(URL, signed()))
    assert (identity.source, identity.issuer, identity.subject) == ("lti11", "moodle", "42")
    assert identity.lti_roles == ("Instructor",)
    assert identity.environment == "python-l1"
    assert not identity.trusted and identity.preferred_name == ""


def test_a_trusted_consumer_proposes_the_email():
    tool = launches(
        username_parameter="lis_person_contact_email_primary", trusted_consumers={"moodle"}
    )
    identity = tool.identity(tool.validate(URL, signed()))
    assert identity.trusted and identity.preferred_name == "Jean@Univ.fr"


@pytest.mark.parametrize(
    "parameters, status, message",
    [
        (lambda: signed(secret="wrong"), 401, "signature"),
        (lambda: signed(key="unknown"), 401, "unknown consumer key"),
        (lambda: {**signed(), "oauth_nonce": []}, 400, "oauth_nonce is missing"),
    ],
    ids=["wrong-secret", "unknown-key", "no-nonce"],
)
def test_bad_launches(parameters, status, message):
    with pytest.raises(LoginRefused) as refused:
        launches().validate(URL, parameters())
    assert refused.value.status_code == status
    assert message in refused.value.jupyterhub_message


def test_the_launch_url_is_part_of_the_signature():
    with pytest.raises(LoginRefused, match="signature"):
        launches().validate("https://other.host/hub/lti/launch", signed())


def test_timestamp_window_is_configurable():
    old = signed(timestamp=str(int(time.time()) - 600))
    with pytest.raises(LoginRefused) as refused:
        launches().validate(URL, old)
    assert "off by about 10 minutes" in refused.value.jupyterhub_message
    assert launches(timestamp_window=900).validate(URL, old)["user_id"] == "42"


def test_a_replay_is_refused():
    tool = launches()
    data = signed()
    tool.validate(URL, data)
    with pytest.raises(LoginRefused, match="already used"):
        tool.validate(URL, data)

"""LTI 1.3 deep linking: a teacher picks environments, the LMS gets signed links to them.

The links carry the environment's name as a custom parameter; launches from
them arrive with it in the ``.../claim/custom`` claim and open that environment.
"""

import secrets
import time

import jwt

from .lti13 import CLAIM, DEEP_LINKING_SETTINGS, DEPLOYMENT_ID

DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"
CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"


def resource_link_item(environment, launch_url, parameter="environment"):
    """The content item of a link that opens `environment`."""
    item = {
        "type": "ltiResourceLink",
        "title": environment.display_name,
        "url": launch_url,
        "custom": {parameter: environment.name},
    }
    if environment.description:
        item["text"] = environment.description
    return item


def response_claims(platform, request_claims, items, now=None):
    """The claims of the LtiDeepLinkingResponse answering `request_claims`."""
    now = int(time.time() if now is None else now)
    settings = request_claims[DEEP_LINKING_SETTINGS]
    claims = {
        "iss": platform.client_id,
        "aud": platform.issuer,
        "iat": now,
        "exp": now + 600,
        "nonce": secrets.token_urlsafe(16),
        CLAIM + "message_type": DEEP_LINKING_RESPONSE,
        CLAIM + "version": "1.3.0",
        DEPLOYMENT_ID: request_claims[DEPLOYMENT_ID],
        CONTENT_ITEMS: items,
    }
    if "data" in settings:
        claims[DATA] = settings["data"]
    return claims


def signed_response(claims, kid, private_key):
    """The JWT to post back to the platform's ``deep_link_return_url``."""
    return jwt.encode(claims, private_key, algorithm="RS256", headers={"kid": kid})

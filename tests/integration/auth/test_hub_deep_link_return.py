"""A deep-linking request whose return URL is not https is refused before any form is shown."""

import pytest
import requests
from lti_platform import INSTRUCTOR, launch

SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


def settings(return_url):
    return {
        "deep_link_return_url": return_url,
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["iframe", "window"],
        "accept_multiple": True,
    }


@pytest.mark.parametrize(
    "return_url",
    ["javascript:alert(document.cookie)", "http://evil.example/deep_link_return"],
    ids=["javascript", "http-elsewhere"],
)
def test_a_return_url_that_is_not_https_is_refused(hub, return_url):
    spoil = {"set": {SETTINGS: settings(return_url)}}
    url = hub.platform.prepare("teacher-1", [INSTRUCTOR], deep_linking=True, spoil=spoil)
    response = launch(requests.Session(), hub.platform, url)
    assert response.status_code == 400, response.text
    page = response.content.decode()
    assert "not an https address" in page
    assert "<form action=" not in page
    assert 'action="javascript' not in page


def test_an_https_return_url_opens_the_picker(hub):
    spoil = {"set": {SETTINGS: settings("https://moodle.univ.fr/mod/lti/contentitem_return.php")}}
    url = hub.platform.prepare("teacher-1", [INSTRUCTOR], deep_linking=True, spoil=spoil)
    response = launch(requests.Session(), hub.platform, url)
    assert response.status_code == 200, response.text
    assert 'value="python-l1"' in response.content.decode()

"""What launches remember outlives a restart of the hub: used nonces, pending choices."""

import re

import requests
from lti_platform import INSTRUCTOR, launch
from test_hub_lti11 import consumer


def restart(hub):
    hub.stop()
    hub.start()


def test_an_lti11_launch_replayed_after_a_restart_is_refused(own_hub):
    hub = own_hub
    data = consumer(hub, "captured", "Learner", resource_link_id="activity-r")
    data = data.generate_launch_data()
    url = f"{hub.url}/hub/lti/launch"
    assert requests.post(url, data=data, allow_redirects=False).status_code == 302
    restart(hub)
    replay = requests.post(url, data=data, allow_redirects=False)
    assert replay.status_code == 401, replay.text
    assert "already used" in replay.text


def test_a_picker_opened_before_a_restart_is_submitted_after_it(own_hub):
    hub = own_hub
    session = requests.Session()
    url = hub.platform.prepare("teacher-r", [INSTRUCTOR], deep_linking=True)
    picker = launch(session, hub.platform, url)
    assert picker.status_code == 200, picker.text
    fields = dict(re.findall(r'name="(_xsrf|request_id)" value="([^"]+)"', picker.text))
    restart(hub)
    answer = session.post(
        f"{hub.url}/hub/lti13/deep_link",
        data={**fields, "environment": "python-l1"},
        allow_redirects=False,
    )
    assert answer.status_code == 200, answer.text
    token = re.search(r'name="JWT" value="([^"]+)"', answer.text).group(1)
    verdict = requests.post(f"{hub.platform.url}/deep_link_return", data={"JWT": token})
    assert verdict.status_code == 200, verdict.text
    assert verdict.json()["items"][0]["custom"] == {"environment": "python-l1"}

"""Normal logins leave no warning in the hub's log: warnings are kept for what is wrong."""

import re

import requests
from lti_platform import INSTRUCTOR, LEARNER, launch
from test_hub_lti11 import consumer

from mydocker_hub import accounts, db

WARNING = re.compile(r"^\[W |^\[E |Traceback", re.M)


def test_normal_logins_of_every_kind_leave_no_warning(own_hub):
    hub = own_hub
    db.configure(f"sqlite:///{hub.data_dir}/mydocker.sqlite")
    accounts.create("prof-quiet", "teacher", password="quiet-password-1")
    started = len(hub.logs(100000))
    session = requests.Session()
    page = session.get(f"{hub.url}/hub/login").content.decode()
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page).group(1)
    form = {"username": "prof-quiet", "password": "quiet-password-1", "_xsrf": xsrf}
    assert session.post(f"{hub.url}/hub/login", data=form, allow_redirects=False).status_code == 302
    lti11 = consumer(hub, "s-quiet", "Learner", resource_link_id="quiet-1")
    lti11 = lti11.generate_launch_data()
    response = requests.post(f"{hub.url}/hub/lti/launch", data=lti11, allow_redirects=False)
    assert response.status_code == 302
    for user, role in (("t-quiet", INSTRUCTOR), ("s-quiet-13", LEARNER)):
        url = hub.platform.prepare(user, [role])
        assert launch(requests.Session(), hub.platform, url).status_code == 302
    log = hub.logs(100000)[started:]
    assert "Login of prof-quiet" in log and "Login of t-quiet@lms" in log
    assert not WARNING.findall(log), log

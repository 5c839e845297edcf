"""End to end: a local user logs in through the real proxy, starts the default
environment on the Swarm, runs code in a kernel, stops, and the service is gone."""

import time

from deployment import LMS_ORIGIN, docker_client, service_name
from jupyter_client import HubUser


def service_names(prefix):
    return {s.name for s in docker_client().services.list() if s.name.startswith(f"{prefix}-")}


async def test_student_runs_code_in_default_environment(platform):
    password = platform.add_user("e2e-student", role="student")
    user = HubUser(platform.url, "e2e-student")

    login = user.login(password)
    assert login.status_code == 302, login.text[:300]

    response = user.start()
    assert response.status_code in (201, 202), response.text
    events = user.progress()
    assert events[-1].get("ready"), events
    user.wait_ready()

    services = service_names(platform.prefix)
    default_server = service_name(platform.prefix, "e2e-student")  # its own service
    assert default_server in services

    lab = user.open_server()
    # The LMS may show JupyterLab in its frame; no other site may.
    assert lab.headers["Content-Security-Policy"] == f"frame-ancestors 'self' {LMS_ORIGIN}"
    assert await user.execute("1+1") == "2"

    response = user.stop()
    assert response.status_code in (202, 204), response.text
    deadline = time.monotonic() + 60
    while default_server in service_names(platform.prefix):
        assert time.monotonic() < deadline, "the service was not removed after the stop"
        time.sleep(0.5)


def test_wrong_password_is_refused(platform):
    platform.add_user("e2e-wrongpass")
    user = HubUser(platform.url, "e2e-wrongpass")
    response = user.login("not-the-password")
    assert response.status_code == 403
    assert "Invalid username or password" in response.text

"""Logging in to the portal's test hub (a module of its own: every test folder has a conftest)."""

import re

import requests


def login(hub, name, password, headers=None):
    """Log in with the hub's real login form; a session that follows redirects."""
    session = requests.Session()
    session.headers.update(headers or {})
    page = session.get(f"{hub.url}/hub/login").text
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page).group(1)
    response = session.post(
        f"{hub.url}/hub/login",
        data={"username": name, "password": password, "_xsrf": xsrf},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text
    return session

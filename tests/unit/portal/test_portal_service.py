"""The portal's service definition, roles and hub settings, as exact dicts."""

import json
import sys

from traitlets.config import Config

from mydocker_hub import config
from mydocker_hub.portal import service


def test_service_definition():
    definition = service.service("mydocker-hub", "postgresql://hub@db/hub", images=["img:1"])
    assert definition == {
        "name": "mydocker",
        "url": "http://mydocker-hub:10101",
        "command": [sys.executable, "-m", "mydocker_hub.portal"],
        "environment": {
            "MYDOCKER_DB_URL": "postgresql://hub@db/hub",
            "MYDOCKER_STANDARD_IMAGES": '["img:1"]',
        },
        "oauth_no_confirm": True,
        "oauth_client_allowed_scopes": ["delete:servers!user"],
        "display": True,
    }


def test_the_portal_token_reads_users_and_stops_servers():
    assert service.roles() == [
        {
            "name": "mydocker-portal",
            "description": (
                "The portal's own token: read users, their roles and servers; stop servers."
            ),
            "scopes": [
                "list:users",
                "read:users",
                "read:roles:users",
                "read:servers",
                "delete:servers",
            ],
            "services": ["mydocker"],
        }
    ]


def test_hub_settings():
    assert service.hub_settings() == {
        "extra_user_scopes": {"access:services!service=mydocker"},
        "default_url": "/services/mydocker/",
    }
    assert service.hub_settings("/jh/")["default_url"] == "/jh/services/mydocker/"


def test_apply_adds_to_what_the_config_has():
    c = Config()
    c.JupyterHub.services = [{"name": "other", "api_token": "t"}]
    c.JupyterHub.load_roles = [{"name": "admin", "services": ["other"]}]
    c.JupyterHub.extra_user_scopes = {"access:services!service=other"}
    service.apply(c, "hub", "sqlite:///x.sqlite", port=9999)
    assert [s["name"] for s in c.JupyterHub.services] == ["other", "mydocker"]
    assert c.JupyterHub.services[1]["url"] == "http://hub:9999"
    assert [r["name"] for r in c.JupyterHub.load_roles] == ["admin", "mydocker-portal"]
    assert c.JupyterHub.extra_user_scopes == {
        "access:services!service=other",
        "access:services!service=mydocker",
    }
    assert c.JupyterHub.default_url == "/services/mydocker/"


def test_the_platform_serves_the_portal_beside_the_hub():
    c = Config()
    settings = config.settings_from_env({"MYDOCKER_DATA_DIR": "/data"})
    config.apply(c, settings, "secret")
    [portal] = [s for s in c.JupyterHub.services if s["name"] == "mydocker"]
    assert portal["url"] == "http://127.0.0.1:10101"
    assert portal["environment"] == {
        "MYDOCKER_DB_URL": "sqlite:////data/jupyterhub.sqlite",
        # the teachers' choice of images: the platform's standard one
        "MYDOCKER_STANDARD_IMAGES": json.dumps([settings.default_image]),
        # the cookie secret outlives a restart: a form open meanwhile still posts
        "MYDOCKER_PORTAL_SECRET_FILE": "/data/portal_cookie_secret",
        # the teachers' build contexts, on the hub's data volume
        "MYDOCKER_IMAGES_DIR": "/data/images",
    }
    assert c.JupyterHub.default_url == "/services/mydocker/"


def test_the_settings_of_builds_reach_the_portal_and_only_those():
    c = Config()
    environ = {
        "MYDOCKER_DATA_DIR": "/data",
        "MYDOCKER_REGISTRY": "registry.example.org:5000",
        "MYDOCKER_BUILD_TIMEOUT_MINUTES": "30",
        "MYDOCKER_IDLE_TIMEOUT": "600",
    }
    config.apply(c, config.settings_from_env(environ), "secret")
    [portal] = [s for s in c.JupyterHub.services if s["name"] == "mydocker"]
    assert portal["environment"]["MYDOCKER_REGISTRY"] == "registry.example.org:5000"
    assert portal["environment"]["MYDOCKER_BUILD_TIMEOUT_MINUTES"] == "30"
    assert "MYDOCKER_IDLE_TIMEOUT" not in portal["environment"]


def test_the_cookie_secret_is_kept_in_its_file_and_random_without_one(tmp_path):
    from mydocker_hub.portal import app

    path = tmp_path / "portal_cookie_secret"
    settings = app.settings_from_env({"MYDOCKER_PORTAL_SECRET_FILE": str(path)})
    first = app.cookie_secret_of(settings)
    assert len(first) == 64
    assert app.cookie_secret_of(settings) == first  # the same after a restart
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    without = app.settings_from_env({})
    assert app.cookie_secret_of(without) != app.cookie_secret_of(without)

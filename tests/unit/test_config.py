import pytest
from traitlets.config import Config

from mydocker_hub import config


def test_defaults_serve_a_small_deployment():
    settings = config.settings_from_env({})
    assert settings.database_url == "sqlite:////srv/jupyterhub/jupyterhub.sqlite"
    assert (settings.prefix, settings.network, settings.hub_host) == (
        "mydocker",
        "mydocker",
        "mydocker-hub",
    )
    c = Config()
    config.apply(c, settings, "secret-token")
    assert c.JupyterHub.spawner_class == "mydocker"
    assert c.JupyterHub.authenticator_class == "mydocker"
    assert c.JupyterHub.hub_connect_url == "http://mydocker-hub:8081"
    assert c.JupyterHub.allow_named_servers is True
    assert c.SwarmCourseSpawner.network_name == "mydocker"
    [environment] = c.StaticEnvironmentCatalog.environments
    assert environment["image"].startswith("mydocker/jupyterlab:")
    assert c.SwarmCourseSpawner.catalog_class.endswith(".DatabaseEnvironmentCatalog")
    assert {s["name"] for s in c.JupyterHub.services} == {
        "mydocker-admin",
        "idle-culler",
        "mydocker",
    }


def test_multi_node_settings_come_from_the_environment():
    settings = config.settings_from_env(
        {
            "MYDOCKER_PREFIX": "prod",
            "MYDOCKER_DB_URL": "postgresql://hub@db/hub",
            "MYDOCKER_VOLUME_DRIVER_OPTS": "type=nfs,o=addr=10.0.0.5,device=:/export/homes",
            "MYDOCKER_IDLE_TIMEOUT": "0",
        }
    )
    c = Config()
    config.apply(c, settings, "t")
    assert c.JupyterHub.db_url == "postgresql://hub@db/hub"
    assert c.SwarmCourseSpawner.network_name == "prod"
    assert c.SwarmCourseSpawner.volume_driver_options == {
        "type": "nfs",
        "o": "addr=10.0.0.5",
        "device": ":/export/homes",
    }
    assert [s["name"] for s in c.JupyterHub.services] == ["mydocker-admin", "mydocker"]


def test_bad_volume_options_name_the_variable():
    with pytest.raises(ValueError, match="MYDOCKER_VOLUME_DRIVER_OPTS"):
        config.parse_options("type=nfs,oops")


def test_admin_service_secret_is_private_and_stable(tmp_path):
    path = tmp_path / "data" / "token"
    first = config.read_or_create_secret(str(path))
    assert len(first) == 64
    assert path.stat().st_mode & 0o777 == 0o600
    assert config.read_or_create_secret(str(path)) == first

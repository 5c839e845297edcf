import json
import subprocess
import sys
from types import SimpleNamespace

import pytest

from mydocker_hub import cli

CLI = [sys.executable, "-m", "mydocker_hub.cli"]


def run(*args, env=None):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, timeout=60)


def test_unknown_role_is_one_line_and_non_zero():
    result = run("add-user", "bob", "--role", "king")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "invalid choice: 'king'" in result.stderr


def test_docker_not_reachable_is_one_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DOCKER_HOST": f"unix://{tmp_path}/no.sock"}
    result = run("status", env=env)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "mydocker-hub: error: Docker is not reachable: is the platform up? (run `make up`)"
    )
    assert "Traceback" not in result.stderr


def test_dotenv_is_read_and_bad_lines_are_reported(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("# settings\nMYDOCKER_PORT=9000\n\nMYDOCKER_PREFIX='demo'\n")
    monkeypatch.delenv("MYDOCKER_PORT", raising=False)
    monkeypatch.delenv("MYDOCKER_PREFIX", raising=False)
    instance = cli.instance_from_env()
    assert (instance.port, instance.prefix, instance.container) == (9000, "demo", "demo-hub")
    (tmp_path / ".env").write_text("MYDOCKER_PORT\n")
    with pytest.raises(cli.DeployError, match=r"\.env:1: expected KEY=VALUE"):
        cli.read_dotenv()


def test_bad_port_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MYDOCKER_PORT", "eighty")
    with pytest.raises(cli.DeployError, match="MYDOCKER_PORT must be a port number"):
        cli.instance_from_env()


def test_host_settings_are_read_and_not_passed_to_the_hub(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MYDOCKER_SUBNET", "10.99.0.0/16")
    monkeypatch.setenv("MYDOCKER_CONFIG", "/etc/site/jupyterhub_config.py")
    monkeypatch.setenv("MYDOCKER_IDLE_TIMEOUT", "600")
    instance = cli.instance_from_env()
    assert (instance.subnet, instance.hub_ip) == ("10.99.0.0/16", "10.99.0.2")
    assert instance.config_file == "/etc/site/jupyterhub_config.py"
    env = instance.hub_environment()
    assert env["MYDOCKER_IDLE_TIMEOUT"] == "600"
    assert env["MYDOCKER_HUB_HOST"] == "10.99.0.2"
    assert "MYDOCKER_SUBNET" not in env and "MYDOCKER_CONFIG" not in env


def test_daemon_config_hardens_a_new_daemon_and_respects_an_existing_one(tmp_path):
    from mydocker_hub.deploy import engine

    said = []
    path = tmp_path / "docker" / "daemon.json"
    engine.write_daemon_config(said.append, str(path))
    assert json.loads(path.read_text()) == {"no-new-privileges": True}
    path.write_text('{"log-driver": "journald"}')
    engine.write_daemon_config(said.append, str(path))
    assert json.loads(path.read_text()) == {"log-driver": "journald"}
    assert "user containers will lack it" in said[-1]


def fake_service(name, labels=None):
    return SimpleNamespace(name=name, attrs={"Spec": {"Labels": labels or {}}})


def test_status_shows_users_and_environments_in_readable_columns(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MYDOCKER_PREFIX", raising=False)
    services = [
        fake_service(
            "mydocker-ux-2Dlti-2Dstudent-40moodle--python-2Dl1",
            {
                "mydocker.instance": "mydocker",
                "mydocker.user": "ux-lti-student@moodle",
                "mydocker.server": "python-l1",
                "mydocker.environment": "python-l1",
            },
        ),
        fake_service(
            "mydocker-bob",
            {"mydocker.instance": "mydocker", "mydocker.user": "bob", "mydocker.server": ""}
            | {"mydocker.environment": "jupyterlab"},
        ),
        fake_service("mydocker2-eve", {"mydocker.instance": "mydocker2", "mydocker.user": "eve"}),
    ]
    client = SimpleNamespace(
        containers=SimpleNamespace(get=lambda name: SimpleNamespace(status="running")),
        info=lambda: {"Swarm": {"LocalNodeState": "active"}},
        services=SimpleNamespace(list=lambda filters: services),
    )
    monkeypatch.setattr(cli.engine, "require", lambda: client)
    assert cli.main(["status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "proxy:    mydocker-proxy (running)"
    assert lines[3:] == [
        "servers:  2",
        "  USER                   ENVIRONMENT  SERVER     SERVICE",
        "  bob                    jupyterlab   (default)  mydocker-bob",
        "  ux-lti-student@moodle  python-l1    python-l1  "
        "mydocker-ux-2Dlti-2Dstudent-40moodle--python-2Dl1",
    ]


def test_status_shows_a_restarting_hub_and_its_last_error(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MYDOCKER_PREFIX", raising=False)
    log = (
        b"[I 2026-11-26 06:00:00.000 JupyterHub app:1] Running\n"
        b"[E 2026-11-26 06:00:01.000 JupyterHub app:2] Failed to connect to db\n"
        b"sqlite3.DatabaseError: file is not a database\n"
    )
    hub = SimpleNamespace(
        status="restarting",
        attrs={"State": {}, "RestartCount": 4},
        logs=lambda tail: log,
    )
    proxy = SimpleNamespace(status="running")
    client = SimpleNamespace(
        containers=SimpleNamespace(get=lambda name: hub if name == "mydocker-hub" else proxy),
        info=lambda: {"Swarm": {"LocalNodeState": "active"}},
        services=SimpleNamespace(list=lambda filters: []),
    )
    monkeypatch.setattr(cli.engine, "require", lambda: client)
    assert cli.main(["status"]) == 3
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("hub:      mydocker-hub (restarting, 4 restart(s) so far)")
    assert lines[1] == (
        "          last error: [E 2026-11-26 06:00:01.000 JupyterHub app:2] Failed to connect to db"
    )


def test_status_shows_how_a_stopped_hub_ended(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MYDOCKER_PREFIX", raising=False)
    hub = SimpleNamespace(
        status="exited",
        attrs={"State": {"ExitCode": 137, "FinishedAt": "2026-11-26T06:01:02.123456789Z"}},
        logs=lambda tail: b"[I 2026-11-26 06:00:00.000 JupyterHub app:1] Running\n",
    )
    client = SimpleNamespace(
        containers=SimpleNamespace(get=lambda name: hub),
        info=lambda: {"Swarm": {"LocalNodeState": "active"}},
        services=SimpleNamespace(list=lambda filters: []),
    )
    monkeypatch.setattr(cli.engine, "require", lambda: client)
    assert cli.main(["status"]) == 3
    lines = capsys.readouterr().out.splitlines()
    assert "(exited, code 137 (killed), at 2026-11-26T06:01:02)" in lines[0]
    assert lines[1].endswith("last error: [I 2026-11-26 06:00:00.000 JupyterHub app:1] Running")


def test_a_service_without_names_in_its_labels_is_read_from_its_name():
    service = fake_service("mydocker-ux-2Dlti-40moodle--python-2Dl1", {"mydocker.instance": "x"})
    assert cli.server_row(service, "mydocker") == (
        "ux-lti@moodle",
        "python-l1",
        "python-l1",
        "mydocker-ux-2Dlti-40moodle--python-2Dl1",
    )

"""The admin's commands on the real platform: `up` again, a subnet conflict, accounts, keys.

Each is run as an admin runs it (`mydocker-hub ...` on the host), against the
platform that the session brought up.
"""

import hashlib
import io
import subprocess
import tarfile

import requests
from deployment import CLI, ROOT, docker_client, remove_everything, wait_for_http
from jupyter_client import HubUser

from mydocker_hub.deploy import priority
from mydocker_hub.deploy.hub import PLATFORM_CPU_SHARES


def hub_container(platform):
    return docker_client().containers.get(f"{platform.prefix}-hub")


def hub_settings(container):
    return dict(item.split("=", 1) for item in container.attrs["Config"]["Env"])


def proxy_container(platform):
    return docker_client().containers.get(f"{platform.prefix}-proxy")


def test_up_keeps_an_unchanged_hub_and_replaces_it_when_a_setting_changes(platform):
    before = hub_container(platform)
    proxy = proxy_container(platform)
    again = platform.up()
    assert "Replacing" not in again.stdout and "Creating the hub" not in again.stdout
    assert hub_container(platform).id == before.id
    try:
        changed = platform.up(MYDOCKER_BUILDS_KEPT="7")
        assert "Replacing the hub container" in changed.stdout
        replaced = hub_container(platform)
        assert replaced.id != before.id and replaced.status == "running"
        assert hub_settings(replaced)["MYDOCKER_BUILDS_KEPT"] == "7"
        # The proxy stays, with the students' connections
        assert proxy_container(platform).id == proxy.id
        wait_for_http(f"{platform.url}/hub/health", "the replaced hub")
    finally:
        platform.env.pop("MYDOCKER_BUILDS_KEPT", None)
        restored = platform.cli("up")
    assert "Replacing the hub container" in restored.stdout
    assert "MYDOCKER_BUILDS_KEPT" not in hub_settings(hub_container(platform))


def test_the_hub_and_the_proxy_come_before_the_servers_for_the_cpu(platform):
    shares = PLATFORM_CPU_SHARES
    assert hub_container(platform).attrs["HostConfig"]["CpuShares"] == shares
    proxy = proxy_container(platform)
    assert proxy.attrs["HostConfig"]["CpuShares"] == shares
    proxy.update(cpu_shares=1024)  # a proxy made before it had its weight
    platform.up()
    kept = proxy_container(platform)
    assert kept.id == proxy.id and kept.attrs["HostConfig"]["CpuShares"] == shares


def test_the_hub_and_the_proxy_run_in_a_cpu_group_of_their_own_with_its_weight(platform):
    group = f"/{priority.GROUP}"
    for container in (hub_container(platform), proxy_container(platform)):
        assert container.attrs["HostConfig"]["CgroupParent"] == group
        with open(f"/proc/{container.attrs['State']['Pid']}/cgroup") as f:
            assert f"{group}/{container.id}" in f.read()
    path, value = priority.weight_file()
    with open(path) as f:
        assert f.read().strip() == value


def test_a_subnet_that_conflicts_with_the_network_is_one_line_and_changes_nothing(platform):
    before = hub_container(platform)
    env = dict(platform.env, MYDOCKER_SUBNET="10.215.0.0/16")
    result = platform.cli("up", check=False, env=env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "exists without the subnet 10.215.0.0/16" in lines[0]
    assert "MYDOCKER_SUBNET" in lines[0]
    assert "Traceback" not in result.stdout + result.stderr
    after = hub_container(platform)
    assert (after.id, after.status) == (before.id, "running")


def test_add_user_leaves_no_account_when_the_hub_api_fails(platform):
    """The hub's API unreachable (as when it restarts): the account is taken back."""
    container = hub_container(platform)
    command = ["python", "-m", "mydocker_hub.admin", "add-user", "orphan-check"]
    result = container.exec_run(
        command, environment={"MYDOCKER_HUB_API": "http://127.0.0.1:9/hub/api"}, demux=True
    )
    stdout, stderr = (part.decode() if part else "" for part in result.output)
    assert result.exit_code == 1
    assert stderr.strip() == "error: the hub's API does not answer: ConnectionError"
    assert "password" not in stdout
    # no account left behind: nothing to reset, and the name is free again
    missing = platform.cli("reset-password", "orphan-check", check=False)
    assert missing.returncode != 0 and "no local user" in missing.stderr
    assert platform.add_user("orphan-check")


def test_reset_password_gives_a_new_password_and_the_old_one_stops_working(platform):
    old = platform.add_user("forgetful")
    new = platform.cli("reset-password", "forgetful").stdout.split("password:")[1].strip()
    assert new and new != old
    assert HubUser(platform.url, "forgetful").login(old).status_code != 302
    assert HubUser(platform.url, "forgetful").login(new).status_code == 302


def test_rotate_lti_key_publishes_the_new_key_beside_the_previous_one(platform):
    jwks = f"{platform.url}/hub/lti13/jwks"
    before = [key["kid"] for key in requests.get(jwks, timeout=10).json()["keys"]]
    out = platform.cli("rotate-lti-key").stdout
    new_kid = out.split("new key:")[1].strip()
    after = [key["kid"] for key in requests.get(jwks, timeout=10).json()["keys"]]
    assert new_kid not in before
    # the new key first; the one in use until now still published, for the platforms
    # that check a signature made just before with the key set they cached
    assert after[0] == new_kid and before[0] in after


def test_up_refuses_a_database_it_cannot_open_and_changes_nothing(platform):
    """A database file cut short or overwritten: one line, the hub not started, the file kept."""
    prefix = f"{platform.prefix}-dbcheck"
    client = docker_client()
    volume = f"{prefix}-hub-data"
    garbage = b"this is not a SQLite database " * 100
    client.containers.run(
        "debian:bookworm-slim",
        ["sh", "-c", f"printf '%s' '{garbage.decode()}' > /data/jupyterhub.sqlite"],
        volumes={volume: {"bind": "/data", "mode": "rw"}},
        remove=True,
    )
    env = dict(platform.env, MYDOCKER_PREFIX=prefix, MYDOCKER_SUBNET="10.216.0.0/16")
    env.pop("MYDOCKER_NETWORK", None)
    try:
        up = subprocess.run(
            [CLI, "up"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert up.returncode == 1
        [line] = up.stderr.strip().splitlines()
        assert line.startswith("mydocker-hub: error: the hub's database jupyterhub.sqlite ")
        assert "cannot be opened (file is not a database)" in line
        assert f"your data is untouched in the volume {volume}" in line
        assert "Traceback" not in up.stdout + up.stderr
        assert not client.containers.list(all=True, filters={"name": f"^{prefix}-hub$"})
        # Read from the volume with a container that never runs: no log to wait for.
        reader = client.containers.create(
            "debian:bookworm-slim", ["true"], volumes={volume: {"bind": "/data", "mode": "ro"}}
        )
        try:
            chunks, _ = reader.get_archive("/data/jupyterhub.sqlite")
            with tarfile.open(fileobj=io.BytesIO(b"".join(chunks))) as tar:
                kept = tar.extractfile("jupyterhub.sqlite").read()
        finally:
            reader.remove(force=True)
        assert hashlib.sha256(kept).digest() == hashlib.sha256(garbage).digest()
    finally:
        remove_everything(prefix)


def test_the_hubs_database_and_secrets_are_readable_by_its_user_only(platform):
    listing = hub_container(platform).exec_run(
        ["sh", "-c", "stat -c '%a %U %n' /srv/jupyterhub /srv/jupyterhub/*"]
    )
    assert listing.exit_code == 0, listing.output
    modes = dict(
        (name, mode)
        for mode, _, name in (line.split(" ", 2) for line in listing.output.decode().splitlines())
    )
    assert modes["/srv/jupyterhub"] == "700"
    for name in ("jupyterhub.sqlite", "jupyterhub_cookie_secret", "admin-service-token"):
        assert modes[f"/srv/jupyterhub/{name}"] == "600", modes
    # nothing in it for the group or the others
    assert all(mode.endswith("00") for mode in modes.values()), modes

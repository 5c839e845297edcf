import pytest

from mydocker_hub.swarm import names


@pytest.mark.parametrize(
    "user", ["alice", "jean.dupont@univ-paris.fr", "a-b", "Élodie", "x" * 200], ids=str.__len__
)
def test_escaping_is_reversible_and_docker_safe(user):
    escaped = names.escape_name(user)
    assert names.unescape_name(escaped) == user
    assert all(c.isascii() and (c.isalnum() or c == "-") for c in escaped)


def test_distinct_users_never_share_a_service():
    assert names.service_name("p", "a-b", "env") != names.service_name("p", "a.b", "env")


def test_long_names_fit_docker_limits_and_stay_unique():
    first = names.service_name("mydocker", "x" * 80 + "1", "some-environment")
    second = names.service_name("mydocker", "x" * 80 + "2", "some-environment")
    assert len(first) <= 63 and len(second) <= 63
    assert first != second


def test_the_default_server_and_a_named_server_never_share_a_service():
    default = names.service_name("mydocker", "alice", "")
    assert default == "mydocker-alice"
    assert names.service_name("mydocker", "alice", "jupyterlab") == "mydocker-alice--jupyterlab"
    # Neither can another user's default server be one of alice's servers.
    assert names.service_name("mydocker", "alice--jupyterlab", "") != names.service_name(
        "mydocker", "alice", "jupyterlab"
    )


@pytest.mark.parametrize(
    "user, server",
    [
        ("alice", "a--b"),
        ("a-b", "c"),
        ("a", "b-c"),
        ("Élodie", "Mon serveur"),
        ("x" * 90, "y" * 40),
    ],
    ids=["double-dash", "dash-in-user", "dash-in-server", "non-ascii", "long"],
)
def test_service_names_are_docker_valid(user, server):
    for name in (
        names.service_name("mydocker", user, server),
        names.service_name("mydocker", user),
    ):
        assert len(name) <= 63
        assert name[0].isalnum() and all(c.isascii() and (c.isalnum() or c == "-") for c in name)


def test_service_names_are_unique_over_users_and_servers():
    users = ["a", "a-b", "a--b", "a-2Db", "b", "a.b", "x" * 70, "x" * 71]
    servers = ["", "b", "b--c", "c", "2Db", "jupyterlab", "y" * 50]
    all_names = [names.service_name("p", u, s) for u in users for s in servers]
    assert len(set(all_names)) == len(all_names)


@pytest.mark.parametrize(
    "name, labels, mine",
    [
        ("mydocker-alice", {"mydocker.instance": "mydocker", "mydocker.user": "alice"}, True),
        ("mydocker-2-alice", {"mydocker.instance": "mydocker-2", "mydocker.user": "alice"}, False),
        ("mydocker2-alice", {"mydocker.instance": "mydocker2", "mydocker.user": "alice"}, False),
        # Made before the instance label: recognised by the exact name.
        ("mydocker-alice--jupyterlab", {"mydocker.user": "alice", "mydocker.server": ""}, True),
        (
            "mydocker-2-alice--python",
            {"mydocker.user": "alice", "mydocker.server": "python"},
            False,
        ),
        ("mydocker-2-alice", {"mydocker.user": "alice", "mydocker.server": ""}, False),
        ("mydocker-web", {}, False),
    ],
    ids=[
        "labelled",
        "dash-prefix",
        "longer-prefix",
        "legacy",
        "legacy-other",
        "legacy-2",
        "foreign",
    ],
)
def test_a_deployment_finds_its_own_services_only(name, labels, mine):
    labels = {"mydocker.environment": "jupyterlab", **labels}
    assert names.is_deployment_service(name, labels, "mydocker") is mine

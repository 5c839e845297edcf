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

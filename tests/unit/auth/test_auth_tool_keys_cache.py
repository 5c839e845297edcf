"""The tool's published key set is cached until its key files change."""

from mydocker_hub.auth import tool_keys
from mydocker_hub.auth.tool_keys import ToolKeys


def count_loads(monkeypatch):
    loads = []
    real = ToolKeys._load

    def counting(self, name):
        loads.append(name)
        return real(self, name)

    monkeypatch.setattr(ToolKeys, "_load", counting)
    return loads


def test_jwks_does_not_read_the_keys_again_when_nothing_changed(tmp_path, monkeypatch):
    keys = ToolKeys(str(tmp_path / "keys"))
    keys.current()
    keys.rotate()
    loads = count_loads(monkeypatch)
    first = keys.jwks()
    assert len(loads) == 2
    for _ in range(5):
        assert keys.jwks() == first
        assert keys.cached_jwks() == first
    assert len(loads) == 2


def test_a_rotation_by_another_process_shows_at_the_next_request(tmp_path):
    directory = str(tmp_path / "keys")
    keys = ToolKeys(directory)
    old = [key["kid"] for key in keys.jwks()["keys"]]
    # the command line, in another process, with its own ToolKeys
    assert tool_keys.main(["rotate", directory]) == 0
    assert keys.cached_jwks() is None
    new = [key["kid"] for key in keys.jwks()["keys"]]
    assert len(new) == 2 and new[1:] == old


def test_the_signing_key_is_read_once_until_it_changes(tmp_path, monkeypatch):
    keys = ToolKeys(str(tmp_path / "keys"))
    kid, _ = keys.current()
    loads = count_loads(monkeypatch)
    assert keys.current()[0] == kid
    assert keys.current()[0] == kid
    assert loads == []
    new_kid = keys.rotate()
    assert keys.current()[0] == new_kid
    assert len(loads) == 1

"""Nonces and pending choices in the database: they outlive the objects (and the hub)."""

import pytest

from mydocker_hub.auth.nonces import DatabaseNonceStore
from mydocker_hub.auth.pending import DatabasePendingChoices


def test_a_nonce_used_before_a_restart_is_still_refused_after_it():
    assert DatabaseNonceStore("lti11", ttl=600).use(["moodle", "n1"])
    # a new store, as after a restart of the hub
    assert not DatabaseNonceStore("lti11", ttl=600).use(["moodle", "n1"])
    # the same nonce from another source is another nonce
    assert DatabaseNonceStore("lti13", ttl=600).use(["moodle", "n1"])


def test_nonces_expire_by_time(clock):
    store = DatabaseNonceStore("lti11", ttl=60, clock=clock)
    assert store.use("a")
    clock.now += 30
    assert not store.use("a")
    clock.now += 31
    assert store.use("a")
    assert len(store) == 1


def test_nonces_are_bounded_oldest_dropped_first(clock):
    store = DatabaseNonceStore("lti13", size=3, ttl=600, clock=clock, prune_interval=0)
    for nonce in "abcde":
        assert store.use(nonce)
        clock.now += 1
    assert len(store) == 3
    assert not store.use("e")
    assert store.use("a")


def test_a_pending_choice_survives_a_restart_and_is_used_once():
    claims = {"sub": "t1", "https://purl.imsglobal.org/spec/lti-dl/claim/data": "x"}
    payload = {"issuer": "https://lms", "client_id": "tool", "claims": claims}
    request_id = DatabasePendingChoices().add("prof", "deep_link", payload)
    again = DatabasePendingChoices()
    assert again.peek(request_id, "eleve", "deep_link") is None
    assert again.peek(request_id, "prof", "activity") is None
    assert again.pop(request_id, "prof", "deep_link") == payload
    assert again.pop(request_id, "prof", "deep_link") is None


def test_pending_choices_expire_and_are_bounded(clock):
    pending = DatabasePendingChoices(ttl=60, max_pending=2, clock=clock)
    late = pending.add("prof", "activity", "lti11:moodle:r1")
    clock.now += 61
    assert pending.peek(late, "prof", "activity") is None
    ids = []
    for i in range(3):
        ids.append(pending.add("prof", "activity", f"r{i}"))
        clock.now += 1
    assert pending.peek(ids[0], "prof", "activity") is None
    assert [pending.peek(i, "prof", "activity") for i in ids[1:]] == ["r1", "r2"]


@pytest.mark.parametrize("trait", ["ttl", "max_pending"])
def test_pending_choices_settings_must_be_positive(trait):
    with pytest.raises(ValueError, match=f"DatabasePendingChoices.{trait}"):
        DatabasePendingChoices(**{trait: 0})

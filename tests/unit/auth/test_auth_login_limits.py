"""Failed local logins: limits per name and per address (fake clock), one scrypt either way."""

import asyncio
import hashlib
from types import SimpleNamespace

import pytest

from mydocker_hub import accounts
from mydocker_hub.auth.errors import LoginRefused
from mydocker_hub.auth.local import LocalAccounts
from mydocker_hub.auth.login_limits import FailureCounter, LoginLimits


def test_a_name_is_refused_after_five_failures_until_the_oldest_leaves_the_window(clock):
    limits = LoginLimits(per_name=5, per_address=20, window=300, clock=clock)
    for _ in range(4):
        limits.failed("prof", "10.0.0.1")
        clock.now += 10
    assert limits.retry_after("prof", "10.0.0.1") == 0
    limits.failed("prof", "10.0.0.1")
    assert limits.retry_after("prof", "10.0.0.1") == 260
    # another address does not help the name...
    assert limits.retry_after("prof", "10.0.0.2") == 260
    # ...and another name from the same address is still welcome
    assert limits.retry_after("eleve", "10.0.0.1") == 0
    clock.now += 260
    assert limits.retry_after("prof", "10.0.0.1") == 0


def test_an_address_is_refused_after_twenty_failures_whatever_the_names(clock):
    limits = LoginLimits(per_name=5, per_address=20, window=300, clock=clock)
    for i in range(20):
        limits.failed(f"name-{i}", "10.0.0.9")
    assert limits.retry_after("someone-new", "10.0.0.9") == 300
    assert limits.retry_after("someone-new", "10.0.0.10") == 0


def test_a_success_clears_the_name_but_not_the_address(clock):
    limits = LoginLimits(per_name=2, per_address=3, window=300, clock=clock)
    limits.failed("prof", "a")
    limits.succeeded("prof")
    limits.failed("prof", "a")
    assert limits.retry_after("prof", "b") == 0
    limits.failed("prof", "a")
    assert limits.retry_after("prof", "b") > 0
    assert limits.retry_after("other", "a") > 0


def test_the_counter_keeps_a_bounded_number_of_keys(clock):
    counter = FailureCounter(limit=5, window=300, max_keys=100, clock=clock)
    for i in range(1000):
        counter.fail(f"random-{i}")
    assert len(counter._failures) == 100
    assert counter.retry_after("random-999") == 0


def handler(address):
    return SimpleNamespace(request=SimpleNamespace(remote_ip=address))


def test_local_login_refuses_the_right_password_after_too_many_failures():
    accounts.create("locked", "student", password="right-password-1")
    local = LocalAccounts(failures_per_name=3)

    def login(password, address="10.0.0.1"):
        data = {"username": "Locked", "password": password}
        return asyncio.run(local.identify(data, handler(address)))

    assert login("right-password-1").subject == "locked"
    for _ in range(3):
        assert login("wrong") is None
    with pytest.raises(LoginRefused) as refused:
        login("right-password-1", address="10.0.0.2")
    assert refused.value.status_code == 429
    assert "wait 5 minute(s)" in refused.value.jupyterhub_message
    assert "attendez 5 minute(s)" in refused.value.jupyterhub_message


@pytest.fixture
def scrypt_calls(monkeypatch):
    calls = []
    real = hashlib.scrypt

    def counting(*args, **kwargs):
        calls.append(kwargs.get("salt"))
        return real(*args, **kwargs)

    monkeypatch.setattr(accounts.hashlib, "scrypt", counting)
    return calls


@pytest.mark.parametrize(
    "name",
    ["known", "unknown", "Not A Valid Name!"],
    ids=["known-name", "unknown-name", "invalid-name"],
)
def test_a_failed_check_computes_one_scrypt_whether_the_name_exists_or_not(name, scrypt_calls):
    accounts.create("known", "student", password="right-password-1")
    scrypt_calls.clear()
    assert accounts.authenticate(name, "wrong-password") is None
    assert len(scrypt_calls) == 1

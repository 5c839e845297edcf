import pytest


@pytest.fixture(autouse=True)
def _platform_database(database):
    """Nonces and pending choices live in the database: each test gets a fresh one."""
    yield database


class FakeClock:
    """A clock that moves only when a test moves it (``clock.now += 60``)."""

    def __init__(self):
        self.now = 1_700_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return FakeClock()

import pytest


@pytest.fixture(autouse=True)
def _platform_database(database):
    """Nonces and pending choices live in the database: each test gets a fresh one."""
    yield database

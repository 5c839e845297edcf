import pytest

from mydocker_hub import db


@pytest.fixture
def database(tmp_path):
    """A fresh SQLite database for the platform's tables."""
    db._engine = None
    engine = db.configure(f"sqlite:///{tmp_path}/test.sqlite")
    yield engine
    engine.dispose()
    db._engine = None
    db._sessionmaker = None

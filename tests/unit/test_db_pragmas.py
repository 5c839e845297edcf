"""Every SQLite connection of the process, JupyterHub's included, gets the platform's pragmas."""

from sqlalchemy import create_engine, text

from mydocker_hub import db


def pragmas(engine):
    with engine.connect() as connection:
        mode = connection.execute(text("PRAGMA journal_mode")).scalar()
        synchronous = connection.execute(text("PRAGMA synchronous")).scalar()
    return mode, synchronous


def test_another_engine_on_the_database_commits_without_waiting_for_the_disk(database, tmp_path):
    # as JupyterHub's engine, made after the platform configured its own
    hub_engine = create_engine(f"sqlite:///{tmp_path}/jupyterhub.sqlite")
    try:
        assert pragmas(hub_engine) == ("wal", 1)  # 1: NORMAL (FULL, the default, is 2)
    finally:
        hub_engine.dispose()


def test_the_platforms_own_engine_has_them_too(database):
    assert pragmas(db._engine) == ("wal", 1)

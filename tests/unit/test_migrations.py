"""The platform's tables come from its Alembic revisions, from scratch or from 0.1.0."""

import sqlalchemy as sa

from mydocker_hub import db, migrations

# Every module that declares tables, so that `db.Base.metadata` knows them all.
from mydocker_hub.auth import nonces, pending, store  # noqa: F401
from mydocker_hub.portal import image_models, models  # noqa: F401

TABLES_OF_0_1_0 = [
    "mydocker_local_accounts",
    "mydocker_enrolments",
    "mydocker_identity_links",
    "mydocker_login_admin_grants",
    "mydocker_activity_links",
]


def engine_at(tmp_path, name="test.sqlite"):
    return sa.create_engine(f"sqlite:///{tmp_path}/{name}")


def test_an_empty_database_gets_every_table_of_the_models(tmp_path):
    engine = engine_at(tmp_path)
    migrations.upgrade(engine)
    inspector = sa.inspect(engine)
    for table in db.Base.metadata.sorted_tables:
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert columns == {c.name for c in table.columns}, table.name
        keys = set(inspector.get_pk_constraint(table.name)["constrained_columns"])
        assert keys == {c.name for c in table.primary_key}, table.name
        indexes = {i["name"] for i in inspector.get_indexes(table.name)}
        assert {i.name for i in table.indexes} <= indexes, table.name
    with engine.connect() as connection:
        assert migrations.current_revision(connection) == migrations.head_revision()


def test_a_database_of_0_1_0_is_recognised_and_upgraded_keeping_its_data(tmp_path):
    engine = engine_at(tmp_path)
    # What 0.1.0 made: its tables, created without Alembic, and an enrolment.
    old = [db.Base.metadata.tables[name] for name in TABLES_OF_0_1_0]
    db.Base.metadata.create_all(engine, tables=old)
    with engine.begin() as connection:
        connection.execute(
            db.Enrolment.__table__.insert().values(environment="python-l1", user="s1@moodle")
        )
    migrations.upgrade(engine)
    names = sa.inspect(engine).get_table_names()
    assert "mydocker_used_nonces" in names and "mydocker_join_grants" in names
    with engine.connect() as connection:
        rows = connection.execute(sa.select(db.Enrolment.environment, db.Enrolment.user)).all()
        assert rows == [("python-l1", "s1@moodle")]
        assert migrations.current_revision(connection) == migrations.head_revision()


def test_upgrading_twice_changes_nothing_and_leaves_jupyterhubs_version_alone(tmp_path):
    engine = engine_at(tmp_path)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
        connection.execute(sa.text("INSERT INTO alembic_version VALUES ('4621fec11365')"))
    migrations.upgrade(engine)
    migrations.upgrade(engine)
    with engine.connect() as connection:
        hub_version = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
        assert hub_version.scalars().all() == ["4621fec11365"]
        ours = connection.execute(sa.text(f"SELECT version_num FROM {migrations.VERSION_TABLE}"))
        assert ours.scalars().all() == [migrations.head_revision()]


def test_configuring_the_database_runs_the_migrations(database):
    with database.connect() as connection:
        assert migrations.current_revision(connection) == migrations.head_revision()

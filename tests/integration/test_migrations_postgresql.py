"""The platform's Alembic revisions on a real PostgreSQL, as a production hub may use.

The unit tests prove them on SQLite, which forgives much (types, transactional
DDL, time zones); these run the same upgrades on Debian's PostgreSQL, in a
throw-away cluster started for this module (installed first when missing).
"""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from postgresql import started_cluster

from mydocker_hub import db, migrations

# Every module that declares tables, so that `db.Base.metadata` knows them all.
from mydocker_hub.auth import nonces, pending, store  # noqa: F401
from mydocker_hub.environments import environment_of
from mydocker_hub.portal.models import EnvironmentRecord, SessionRecord

TABLES_OF_0_1_0 = [
    "mydocker_local_accounts",
    "mydocker_enrolments",
    "mydocker_identity_links",
    "mydocker_login_admin_grants",
    "mydocker_activity_links",
]
JUPYTERHUB_VERSION_TABLE = "alembic_version"


@pytest.fixture(scope="module")
def cluster():
    """One cluster for the module: starting it costs seconds, a new database does not."""
    cluster, seconds = started_cluster()
    print(f"PostgreSQL cluster started in {seconds:.2f}s")
    yield cluster
    cluster.stop()


@pytest.fixture
def engine(cluster):
    """An engine on a new, empty database of the cluster."""
    engine = sa.create_engine(cluster.database())
    yield engine
    engine.dispose()


def our_versions(connection):
    query = sa.text(f"SELECT version_num FROM {migrations.VERSION_TABLE}")
    return connection.execute(query).scalars().all()


def model_tables():
    return {table.name for table in db.Base.metadata.sorted_tables}


def test_an_empty_database_gets_every_table_of_the_models_and_only_our_version_table(engine):
    migrations.upgrade(engine)
    inspector = sa.inspect(engine)
    names = set(inspector.get_table_names())
    assert JUPYTERHUB_VERSION_TABLE not in names
    assert names == model_tables() | {migrations.VERSION_TABLE}
    for table in db.Base.metadata.sorted_tables:
        columns = {c["name"]: c for c in inspector.get_columns(table.name)}
        assert set(columns) == {c.name for c in table.columns}, table.name
        for column in table.columns:
            # PostgreSQL, unlike SQLite, keeps the difference: a time zone lost here is lost.
            if isinstance(column.type, sa.DateTime):
                assert columns[column.name]["type"].timezone == column.type.timezone, column
        keys = set(inspector.get_pk_constraint(table.name)["constrained_columns"])
        assert keys == {c.name for c in table.primary_key}, table.name
        indexes = {i["name"] for i in inspector.get_indexes(table.name)}
        assert {i.name for i in table.indexes} <= indexes, table.name
        # SQLite does not enforce them by default; PostgreSQL does, cascades included.
        foreign = {
            (fk["referred_table"], tuple(fk["constrained_columns"]), fk["options"].get("ondelete"))
            for fk in inspector.get_foreign_keys(table.name)
        }
        expected = {
            (fk.referred_table.name, tuple(fk.column_keys), fk.ondelete)
            for fk in table.foreign_key_constraints
        }
        assert foreign == expected, table.name
    with engine.connect() as connection:
        assert our_versions(connection) == [migrations.head_revision()]


def test_a_database_of_0_1_0_is_recognised_and_upgraded_keeping_its_enrolments(engine):
    # What 0.1.0 made: its tables, created without Alembic, and enrolments.
    old = [db.Base.metadata.tables[name] for name in TABLES_OF_0_1_0]
    db.Base.metadata.create_all(engine, tables=old)
    enrolments = [("python-l1", "s1@moodle"), ("python-l1", "s2@moodle"), ("intro", "s1@moodle")]
    with engine.begin() as connection:
        connection.execute(
            db.Enrolment.__table__.insert(),
            [{"environment": e, "user": u} for e, u in enrolments],
        )
    migrations.upgrade(engine)
    assert set(sa.inspect(engine).get_table_names()) == model_tables() | {migrations.VERSION_TABLE}
    with engine.connect() as connection:
        query = sa.select(db.Enrolment.environment, db.Enrolment.user).order_by(db.Enrolment.id)
        assert connection.execute(query).all() == enrolments
        assert our_versions(connection) == [migrations.head_revision()]


def test_upgrading_twice_changes_nothing_and_leaves_jupyterhubs_version_alone(engine):
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
        connection.execute(sa.text("INSERT INTO alembic_version VALUES ('4621fec11365')"))
    migrations.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(
            db.Enrolment.__table__.insert().values(environment="python-l1", user="s1@moodle")
        )
    tables = set(sa.inspect(engine).get_table_names())
    migrations.upgrade(engine)
    assert set(sa.inspect(engine).get_table_names()) == tables
    with engine.connect() as connection:
        hub_version = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
        assert hub_version.scalars().all() == ["4621fec11365"]
        assert our_versions(connection) == [migrations.head_revision()]
        assert connection.execute(sa.select(db.Enrolment.user)).scalars().all() == ["s1@moodle"]


@pytest.fixture
def configured(cluster):
    """The platform's database configured on PostgreSQL, as the hub does at start."""
    db._engine = None
    engine = db.configure(cluster.database())
    yield engine
    engine.dispose()
    db._engine = None
    db._sessionmaker = None


def test_environments_and_sessions_come_back_with_the_same_instants(configured):
    # Stored in UTC as `environments.write_record` does; the server's own zone is not UTC.
    start = datetime(2099, 3, 3, 13, 0, tzinfo=UTC)
    end = datetime(2099, 3, 3, 15, 30, tzinfo=UTC)
    with db.session() as session:
        session.add(
            EnvironmentRecord(
                name="python-l1",
                image="img:1",
                sessions=[SessionRecord(start=start, end=end, timezone="Europe/Paris")],
            )
        )
    with db.session() as session:
        row = session.scalars(sa.select(EnvironmentRecord)).one()
        (stored,) = row.sessions
        assert (stored.start.astimezone(UTC), stored.end.astimezone(UTC)) == (start, end)
        assert row.created.tzinfo is not None
        assert abs(datetime.now(UTC) - row.created).total_seconds() < 60
        (shown,) = environment_of(row).sessions
    assert (shown.start.hour, shown.start.minute, shown.end.hour) == (14, 0, 16)
    assert str(shown.start.tzinfo) == "Europe/Paris"
    with configured.connect() as connection:
        assert migrations.current_revision(connection) == migrations.head_revision()

"""Revision 0004: a database at 0003 gets the people and LMS-link tables, keeping its data."""

import sqlalchemy as sa
from alembic import command

from mydocker_hub import db, migrations
from mydocker_hub.auth import store

NEW_TABLES = ("mydocker_people", "mydocker_lms_links")


def database_at_0003(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path}/at-0003.sqlite")
    with engine.begin() as connection:
        command.upgrade(migrations.alembic_config(connection), "0003")
    with engine.begin() as connection:
        connection.execute(
            db.Enrolment.__table__.insert().values(environment="python-l1", user="s1@moodle")
        )
    return engine


def revision(engine):
    with engine.connect() as connection:
        return migrations.current_revision(connection)


def test_a_database_at_0003_gets_both_tables_as_the_models_define_them(tmp_path):
    engine = database_at_0003(tmp_path)
    assert revision(engine) == "0003"
    assert not set(NEW_TABLES) & set(sa.inspect(engine).get_table_names())
    migrations.upgrade(engine)
    assert revision(engine) == migrations.head_revision()
    inspector = sa.inspect(engine)
    for model in (store.Person, store.LmsLink):
        table = model.__table__
        columns = {c["name"]: c for c in inspector.get_columns(table.name)}
        assert set(columns) == {c.name for c in table.columns}, table.name
        for column in table.columns:
            assert columns[column.name]["nullable"] == column.nullable, column
        keys = inspector.get_pk_constraint(table.name)["constrained_columns"]
        assert set(keys) == {c.name for c in table.primary_key}
    uniques = [u["column_names"] for u in inspector.get_unique_constraints("mydocker_lms_links")]
    assert ["issuer", "resource_link_id"] in uniques
    indexes = {i["name"] for i in inspector.get_indexes("mydocker_lms_links")}
    assert "ix_mydocker_lms_links_environment" in indexes
    with engine.connect() as connection:
        rows = connection.execute(sa.select(db.Enrolment.environment, db.Enrolment.user)).all()
        assert rows == [("python-l1", "s1@moodle")]


def test_the_upgraded_database_is_usable_by_the_store(tmp_path):
    engine = database_at_0003(tmp_path)
    engine.dispose()
    db._engine = None
    try:
        db.configure(f"sqlite:///{tmp_path}/at-0003.sqlite")
        with db.session() as session:
            store.record_person(session, "s1@moodle", "Marie Curie", "m@univ.fr")
            store.record_lms_link(
                session, source="lti11", issuer="moodle", resource_link_id="a", environment="e"
            )
        with db.session() as session:
            assert store.display_names(session, ["s1@moodle"]) == {"s1@moodle": "Marie Curie"}
            assert [link["resource_link_id"] for link in store.lms_links_of(session, "e")] == ["a"]
    finally:
        db._engine.dispose()
        db._engine = db._sessionmaker = None


def test_tables_made_before_the_revision_are_kept_with_their_rows(tmp_path):
    engine = database_at_0003(tmp_path)
    # A development version created the people table without Alembic.
    store.Person.__table__.create(engine)
    with engine.begin() as connection:
        connection.execute(
            store.Person.__table__.insert().values(
                username="u1", display_name="Ada", updated=store._now()
            )
        )
    migrations.upgrade(engine)
    assert revision(engine) == migrations.head_revision()
    with engine.connect() as connection:
        names = connection.execute(sa.select(store.Person.username, store.Person.display_name))
        assert names.all() == [("u1", "Ada")]
    assert "mydocker_lms_links" in sa.inspect(engine).get_table_names()


def test_downgrading_to_0003_removes_only_the_new_tables(tmp_path):
    engine = database_at_0003(tmp_path)
    migrations.upgrade(engine)
    with engine.begin() as connection:
        command.downgrade(migrations.alembic_config(connection), "0003")
    names = set(sa.inspect(engine).get_table_names())
    assert not set(NEW_TABLES) & names
    assert {"mydocker_enrolments", "mydocker_environments"} <= names
    assert revision(engine) == "0003"

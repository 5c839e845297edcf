"""Revision 0005: a database at 0004 gets the tables of teachers' images, keeping its data."""

import sqlalchemy as sa
from alembic import command

from mydocker_hub import db, migrations
from mydocker_hub.portal import image_models

NEW_TABLES = ("mydocker_images", "mydocker_image_collaborators", "mydocker_builds")


def test_a_database_at_0004_gets_the_image_tables_as_the_models_define_them(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path}/at-0004.sqlite")
    with engine.begin() as connection:
        command.upgrade(migrations.alembic_config(connection), "0004")
        connection.execute(
            db.Enrolment.__table__.insert().values(environment="python-l1", user="s1@moodle")
        )
    assert not set(NEW_TABLES) & set(sa.inspect(engine).get_table_names())
    migrations.upgrade(engine)
    inspector = sa.inspect(engine)
    for model in (
        image_models.ImageRecord,
        image_models.ImageCollaborator,
        image_models.BuildRecord,
    ):
        table = model.__table__
        columns = {c["name"]: c for c in inspector.get_columns(table.name)}
        assert set(columns) == {c.name for c in table.columns}, table.name
        for column in table.columns:
            assert columns[column.name]["nullable"] == column.nullable, column
    unique = inspector.get_unique_constraints("mydocker_builds")
    assert [sorted(u["column_names"]) for u in unique] == [["image_id", "number"]]
    with engine.connect() as connection:
        rows = connection.execute(sa.select(db.Enrolment.environment, db.Enrolment.user)).all()
        assert rows == [("python-l1", "s1@moodle")]

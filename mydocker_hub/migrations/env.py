"""Alembic's entry point: run the platform's revisions on the connection it is given."""

from alembic import context

from mydocker_hub.migrations import VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(connection=connection, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()

"""The platform's own database schema, upgraded by Alembic at every start of the hub.

The platform's tables (prefix ``mydocker_``) live in JupyterHub's database but
keep their own version table, ``mydocker_alembic_version``: JupyterHub's
``alembic_version`` is not ours, and neither upgrades the other's tables.

A database made by version 0.1.0 (tables created without Alembic) is
recognised by its tables and marked as revision ``0001`` before upgrading.
To write a new revision, add a file to ``versions/`` (``down_revision`` is
the previous one) and say in its docstring what it changes.
"""

import os

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

VERSION_TABLE = "mydocker_alembic_version"
HERE = os.path.dirname(os.path.abspath(__file__))
# A table that every 0.1.0 platform has: it marks a database made before Alembic.
TABLE_OF_0_1_0 = "mydocker_local_accounts"


def alembic_config(connection):
    config = Config()
    config.set_main_option("script_location", HERE)
    config.attributes["connection"] = connection
    return config


def current_revision(connection):
    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return context.get_current_revision()


def head_revision():
    return ScriptDirectory.from_config(alembic_config(None)).get_current_head()


def upgrade(engine):
    """Bring the platform's tables to the newest revision (a no-op when they are)."""
    with engine.begin() as connection:
        config = alembic_config(connection)
        if current_revision(connection) is None:
            if TABLE_OF_0_1_0 in inspect(connection).get_table_names():
                command.stamp(config, "0001")
        command.upgrade(config, "head")

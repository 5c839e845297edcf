"""Local accounts linked to outside logins, course teachers, used nonces, pending choices.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def create_table(name, *columns):
    # Development versions between 0.1.0 and this revision created some of these
    # tables without Alembic: keep them.
    if not sa.inspect(op.get_bind()).has_table(name):
        op.create_table(name, *columns)


def upgrade():
    create_table(
        "mydocker_join_grants",
        sa.Column("username", sa.String(255), primary_key=True),
        sa.Column("issuer", sa.String(255), primary_key=True),
        sa.Column("created", sa.DateTime(timezone=True)),
    )
    create_table(
        "mydocker_context_teachers",
        sa.Column("context", sa.String(512), primary_key=True),
        sa.Column("username", sa.String(255), primary_key=True),
        sa.Column("created", sa.DateTime(timezone=True)),
    )
    create_table(
        "mydocker_used_nonces",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("namespace", sa.String(16), nullable=False, index=True),
        sa.Column("expires", sa.Float, nullable=False, index=True),
    )
    create_table(
        "mydocker_pending_choices",
        sa.Column("request_id", sa.String(64), primary_key=True),
        sa.Column("user_name", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("expires", sa.Float, nullable=False, index=True),
    )


def downgrade():
    for table in (
        "mydocker_pending_choices",
        "mydocker_used_nonces",
        "mydocker_context_teachers",
        "mydocker_join_grants",
    ):
        op.drop_table(table)

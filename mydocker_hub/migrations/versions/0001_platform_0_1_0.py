"""The tables of version 0.1.0: local accounts, enrolments, identity links, activity links.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def created():
    return sa.Column("created", sa.DateTime(timezone=True))


def upgrade():
    op.create_table(
        "mydocker_local_accounts",
        sa.Column("name", sa.String(255), primary_key=True),
        sa.Column("password_hash", sa.String(512), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        created(),
    )
    op.create_table(
        "mydocker_enrolments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("environment", sa.String(64), nullable=False, index=True),
        sa.Column("user", sa.String(255), nullable=False, index=True),
        created(),
        sa.UniqueConstraint("environment", "user"),
    )
    op.create_table(
        "mydocker_identity_links",
        sa.Column("key", sa.String(512), primary_key=True),
        sa.Column("username", sa.String(255), nullable=False, index=True),
        created(),
    )
    op.create_table(
        "mydocker_login_admin_grants",
        sa.Column("username", sa.String(255), primary_key=True),
        created(),
    )
    op.create_table(
        "mydocker_activity_links",
        sa.Column("activity", sa.String(512), primary_key=True),
        sa.Column("environment", sa.String(64), nullable=False),
        sa.Column("linked_by", sa.String(255), nullable=False),
        created(),
    )


def downgrade():
    for table in (
        "mydocker_activity_links",
        "mydocker_login_admin_grants",
        "mydocker_identity_links",
        "mydocker_enrolments",
        "mydocker_local_accounts",
    ):
        op.drop_table(table)

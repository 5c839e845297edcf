"""What people are called, and which LMS activities open which environment.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def create_table(name, *columns):
    # Tables already there (made by hand, or by an upgrade interrupted before its
    # version was written) are kept with their rows.
    if not sa.inspect(op.get_bind()).has_table(name):
        op.create_table(name, *columns)


def upgrade():
    create_table(
        "mydocker_people",
        sa.Column("username", sa.String(255), primary_key=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
    )
    create_table(
        "mydocker_lms_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("issuer", sa.String(255), nullable=False),
        sa.Column("context_id", sa.String(255), nullable=False),
        sa.Column("context_title", sa.String(200), nullable=False),
        sa.Column("resource_link_id", sa.String(255), nullable=False),
        sa.Column("resource_link_title", sa.String(200), nullable=False),
        sa.Column("environment", sa.String(64), nullable=False, index=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("issuer", "resource_link_id"),
    )


def downgrade():
    for table in ("mydocker_lms_links", "mydocker_people"):
        op.drop_table(table)

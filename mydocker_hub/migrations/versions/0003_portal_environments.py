"""The portal's environments, sessions, collaborators, join links and activity log.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def environment_id(**kwargs):
    foreign_key = sa.ForeignKey("mydocker_environments.id", ondelete="CASCADE")
    return sa.Column("environment_id", sa.Integer, foreign_key, **kwargs)


def upgrade():
    op.create_table(
        "mydocker_environments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(30), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("image", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("public", sa.Boolean, nullable=False),
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("managed_by_config", sa.Boolean, nullable=False),
        sa.Column("cpu_limit", sa.Float, nullable=False),
        sa.Column("cpu_reservation", sa.Float, nullable=False),
        sa.Column("mem_limit", sa.String(16), nullable=False),
        sa.Column("mem_reservation", sa.String(16), nullable=False),
        sa.Column("gpus", sa.Integer, nullable=False),
        sa.Column("pids_limit", sa.Integer, nullable=False),
        sa.Column("compute_type", sa.String(64), nullable=False),
        sa.Column("home_volume", sa.Boolean, nullable=False),
        sa.Column("work_volume", sa.Boolean, nullable=False),
        sa.Column("disk_quota", sa.String(16), nullable=False),
        sa.Column("idle_timeout", sa.Integer, nullable=False),
        sa.Column("interfaces_json", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "mydocker_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        environment_id(nullable=False, index=True),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("expected_students", sa.Integer, nullable=False),
        sa.Column("block_before_start", sa.Boolean, nullable=False),
        sa.Column("stop_at_end", sa.Boolean, nullable=False),
    )
    op.create_table(
        "mydocker_collaborators",
        environment_id(primary_key=True),
        sa.Column("username", sa.String(255), primary_key=True),
        sa.Column("permission", sa.String(8), nullable=False),
    )
    op.create_table(
        "mydocker_join_links",
        sa.Column("token", sa.String(64), primary_key=True),
        environment_id(nullable=False, index=True),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "mydocker_activity",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("user", sa.String(255), nullable=False, index=True),
        sa.Column("environment", sa.String(30), nullable=False, index=True),
        sa.Column("server", sa.String(255), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("node", sa.String(255), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )


def downgrade():
    for table in (
        "mydocker_activity",
        "mydocker_join_links",
        "mydocker_collaborators",
        "mydocker_sessions",
        "mydocker_environments",
    ):
        op.drop_table(table)

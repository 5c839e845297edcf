"""Images that teachers build, who shares them, and their builds.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def image_id(**kwargs):
    foreign_key = sa.ForeignKey("mydocker_images.id", ondelete="CASCADE")
    return sa.Column("image_id", sa.Integer, foreign_key, **kwargs)


def upgrade():
    op.create_table(
        "mydocker_images",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(30), nullable=False, unique=True),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("dockerfile", sa.Text, nullable=False),
        sa.Column("interfaces_json", sa.Text, nullable=False),
        sa.Column("custom_port", sa.Integer, nullable=False),
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("public", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "mydocker_image_collaborators",
        image_id(primary_key=True),
        sa.Column("username", sa.String(255), primary_key=True),
        sa.Column("permission", sa.String(8), nullable=False),
    )
    op.create_table(
        "mydocker_builds",
        sa.Column("id", sa.Integer, primary_key=True),
        image_id(nullable=False, index=True),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("started_by", sa.String(255), nullable=False),
        sa.Column("tag", sa.String(255), nullable=False),
        sa.Column("dockerfile", sa.Text, nullable=False),
        sa.Column("docker_id", sa.String(80), nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("root_warning", sa.Text, nullable=False),
        sa.Column("log", sa.Text, nullable=False),
        sa.Column("queued", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("image_id", "number"),
    )


def downgrade():
    op.drop_table("mydocker_builds")
    op.drop_table("mydocker_image_collaborators")
    op.drop_table("mydocker_images")

"""users who may log in; who generated and rated what

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )
    # Existing rows keep NULL: they were made before anyone logged in.
    with op.batch_alter_table("generations") as batch:
        batch.add_column(sa.Column("created_by", sa.String(64), nullable=True))
        batch.create_index("ix_generations_created_by", ["created_by"])
    with op.batch_alter_table("ratings") as batch:
        batch.add_column(sa.Column("created_by", sa.String(64), nullable=True))
        batch.create_index("ix_ratings_created_by", ["created_by"])


def downgrade() -> None:
    with op.batch_alter_table("ratings") as batch:
        batch.drop_index("ix_ratings_created_by")
        batch.drop_column("created_by")
    with op.batch_alter_table("generations") as batch:
        batch.drop_index("ix_generations_created_by")
        batch.drop_column("created_by")
    op.drop_table("users")

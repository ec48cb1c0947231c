"""quality checks: the checks a draft failed, and retries linked to their first attempt

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

A draft that fails a hard check is logged as `rejected` and written again; `retry_of` links each
retry to the request's first attempt. Rows from before have `checks` NULL: never checked.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("generations") as batch:
        batch.add_column(sa.Column("checks", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("retry_of", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_generations_retry_of", "generations", ["retry_of"], ["id"], ondelete="SET NULL"
        )
        batch.create_index("ix_generations_retry_of", ["retry_of"])


def downgrade() -> None:
    with op.batch_alter_table("generations") as batch:
        batch.drop_index("ix_generations_retry_of")
        batch.drop_constraint("fk_generations_retry_of", type_="foreignkey")
        batch.drop_column("retry_of")
        batch.drop_column("checks")

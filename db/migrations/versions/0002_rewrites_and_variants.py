"""rewrites link to their parent; variants share a group and one is chosen

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("generations") as batch:
        batch.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("variant_group", sa.String(36), nullable=True))
        batch.add_column(sa.Column("chosen", sa.Boolean(), nullable=True))
        batch.create_foreign_key(
            "fk_generations_parent_id", "generations", ["parent_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index("ix_generations_parent_id", ["parent_id"])
        batch.create_index("ix_generations_variant_group", ["variant_group"])
        batch.create_index("ix_generations_template_version", ["template_version"])


def downgrade() -> None:
    with op.batch_alter_table("generations") as batch:
        batch.drop_index("ix_generations_template_version")
        batch.drop_index("ix_generations_variant_group")
        batch.drop_index("ix_generations_parent_id")
        batch.drop_constraint("fk_generations_parent_id", type_="foreignkey")
        batch.drop_column("chosen")
        batch.drop_column("variant_group")
        batch.drop_column("parent_id")

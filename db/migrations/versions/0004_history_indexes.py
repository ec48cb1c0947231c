"""history paging: filter columns indexed together with created_at

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

The history page lists generations newest first under a filter. With an index on the filter
column alone, SQLite either sorts every match or walks the whole created_at index looking for
them (180 ms for an old template version at 100k rows); (column, created_at) serves both the
filter and the order, and still serves plain lookups and DISTINCT on the column.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = {"backend": "backend", "model_id": "model", "template_version": "version"}


def upgrade() -> None:
    with op.batch_alter_table("generations") as batch:
        for column, short in COLUMNS.items():
            batch.drop_index(f"ix_generations_{column}")
            batch.create_index(f"ix_generations_{short}_created", [column, "created_at"])


def downgrade() -> None:
    with op.batch_alter_table("generations") as batch:
        for column, short in COLUMNS.items():
            batch.drop_index(f"ix_generations_{short}_created")
            batch.create_index(f"ix_generations_{column}", [column])

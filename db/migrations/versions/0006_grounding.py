"""grounding: where a row came from, the examples and passages a prompt used, example vectors

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

`source` tells the app's own drafts from imported replies and Huayu's starter pack (imported rows
are marked from their backend). `example_vectors` holds the embeddings of approved requests as
float32 bytes, so SQLite and PostgreSQL store them alike and every machine of a shop shares them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("generations") as batch:
        batch.add_column(sa.Column("source", sa.String(16), nullable=False, server_default="app"))
        batch.add_column(sa.Column("external_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("grounding", sa.JSON(), nullable=True))
        batch.create_index("ix_generations_source", ["source"])
        batch.create_index("ix_generations_external_id", ["external_id"])
    op.execute("UPDATE generations SET source = 'imported' WHERE backend = 'imported'")
    op.create_table(
        "example_vectors",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "generation_id",
            sa.Integer(),
            sa.ForeignKey("generations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("task", sa.String(32), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("embedder", sa.String(64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.UniqueConstraint(
            "generation_id", "embedder", name="uq_example_vectors_generation_embedder"
        ),
    )
    op.create_index("ix_example_vectors_embedder_id", "example_vectors", ["embedder", "id"])


def downgrade() -> None:
    op.drop_index("ix_example_vectors_embedder_id", table_name="example_vectors")
    op.drop_table("example_vectors")
    with op.batch_alter_table("generations") as batch:
        batch.drop_index("ix_generations_external_id")
        batch.drop_index("ix_generations_source")
        batch.drop_column("grounding")
        batch.drop_column("external_id")
        batch.drop_column("source")

"""triage labels on generations, and the managers' review queue

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

A complaint's category, sentiment and urgency are columns (the history filters and the
dashboard group by them); `triage` keeps what the classifier predicted, so staff corrections stay
countable. `ratings.edit_distance` is how many characters staff changed, filled in for the
edits already stored. `review_items` holds the drafts a manager should look at, one per generation.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


DASHBOARD_COLUMNS = (
    "source", "created_at", "task", "status", "model_id", "template_id", "template_version",
    "category", "retry_of", "parent_id", "variant_group", "ttft_ms", "latency_ms", "checks",
)
"""The dashboard's covering index, on SQLite only (see `Generation.__table_args__`)."""


def upgrade() -> None:
    with op.batch_alter_table("generations") as batch:
        batch.add_column(sa.Column("category", sa.String(32), nullable=True))
        batch.add_column(sa.Column("sentiment", sa.String(16), nullable=True))
        batch.add_column(sa.Column("urgency", sa.String(16), nullable=True))
        batch.add_column(sa.Column("triage", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("triage_corrected_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_generations_triage_corrected_at", ["triage_corrected_at"])
        batch.create_index("ix_generations_category", ["category"])
        batch.create_index("ix_generations_urgency", ["urgency"])
        batch.create_index("ix_generations_category_created", ["category", "created_at"])
    if op.get_bind().dialect.name == "sqlite":
        op.create_index("ix_generations_dashboard", "generations", list(DASHBOARD_COLUMNS))
    with op.batch_alter_table("ratings") as batch:
        batch.add_column(sa.Column("edit_distance", sa.Integer(), nullable=True))
    _fill_edit_distances()
    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "generation_id",
            sa.Integer(),
            sa.ForeignKey("generations.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("assignee", sa.String(64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("resolved_by", sa.String(64), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("corrected_reply", sa.Text(), nullable=True),
    )
    op.create_index("ix_review_items_created_at", "review_items", ["created_at"])
    op.create_index("ix_review_items_status", "review_items", ["status"])
    op.create_index("ix_review_items_assignee", "review_items", ["assignee"])


def _fill_edit_distances() -> None:
    from rapidfuzz.distance import Levenshtein

    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT ratings.id, generations.output, ratings.edited_reply FROM ratings "
            "JOIN generations ON generations.id = ratings.generation_id "
            "WHERE ratings.edited_reply IS NOT NULL"
        )
    ).all()
    for rating_id, output, edited in rows:
        connection.execute(
            sa.text("UPDATE ratings SET edit_distance = :distance WHERE id = :id"),
            {"distance": Levenshtein.distance(output or "", edited), "id": rating_id},
        )


def downgrade() -> None:
    op.drop_index("ix_review_items_assignee", table_name="review_items")
    op.drop_index("ix_review_items_status", table_name="review_items")
    op.drop_index("ix_review_items_created_at", table_name="review_items")
    op.drop_table("review_items")
    with op.batch_alter_table("ratings") as batch:
        batch.drop_column("edit_distance")
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index("ix_generations_dashboard", table_name="generations")
    with op.batch_alter_table("generations") as batch:
        batch.drop_index("ix_generations_category_created")
        batch.drop_index("ix_generations_triage_corrected_at")
        batch.drop_column("triage_corrected_at")
        batch.drop_index("ix_generations_urgency")
        batch.drop_index("ix_generations_category")
        batch.drop_column("triage")
        batch.drop_column("urgency")
        batch.drop_column("sentiment")
        batch.drop_column("category")

"""Huayu's tables: every generation the shop ran, and what staff thought of it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """Timezone-aware UTC now; stored naive-in-UTC by SQLite, with zone by PostgreSQL."""
    return datetime.now(UTC)


def built_on(item: object, dialect: str) -> bool:
    """Whether `item` (an index, a constraint) exists on `dialect`: False when its `ddl_if`
    names another. Alembic's autogenerate does not read `ddl_if`, so migrations ask this."""
    condition = getattr(item, "_ddl_if", None)  # set by SchemaItem.ddl_if()
    return condition is None or condition.dialect is None or condition.dialect == dialect


class Base(DeclarativeBase):
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads it once, nothing mutates it
        dict[str, Any]: JSON,
        list[Any]: JSON,
        list[str]: JSON,
        float: Float,
    }


class Generation(Base):
    """One call to a model (or one imported past reply), with exactly what was sent and got back."""

    __tablename__ = "generations"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    task: Mapped[str] = mapped_column(String(32), index=True)
    template_id: Mapped[str] = mapped_column(String(64))
    template_version: Mapped[str] = mapped_column(String(32))
    inputs: Mapped[dict[str, Any]]
    messages: Mapped[list[Any]]
    output: Mapped[str] = mapped_column(Text, default="")
    backend: Mapped[str] = mapped_column(String(32))
    model_id: Mapped[str] = mapped_column(String(255))
    params: Mapped[dict[str, Any]]
    latency_ms: Mapped[float | None]
    ttft_ms: Mapped[float | None]
    prompt_tokens: Mapped[int | None]
    completion_tokens: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16), default="ok", index=True)
    error: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("generations.id", ondelete="SET NULL", name="fk_generations_parent_id"),
        index=True,
    )
    """The draft this one rewrites (shorter, warmer…), if it is a rewrite."""
    variant_group: Mapped[str | None] = mapped_column(String(36), index=True)
    """Drafts asked for together share a group; staff pick one."""
    chosen: Mapped[bool | None]
    """Within a variant group: True for the draft staff picked, False for the others."""
    created_by: Mapped[str | None] = mapped_column(String(64), index=True)
    """Name of the logged-in user who asked for it; None in local mode, from the CLI, or imports.
    A name, not a key: the record of who did what outlives the user's account."""
    checks: Mapped[list[Any] | None]
    """Quality checks the draft failed, as `{"id", "severity", "detail"}`; an empty list when it
    passed them all, None when it was never checked (stopped, failed, older rows, imports)."""
    retry_of: Mapped[int | None] = mapped_column(
        ForeignKey("generations.id", ondelete="SET NULL", name="fk_generations_retry_of"),
        index=True,
    )
    """The first attempt of the same request, when this draft was written because a quality
    check rejected an earlier one."""
    source: Mapped[str] = mapped_column(String(16), default="app", server_default="app", index=True)
    """Where the row came from: `app` (a model run from the app, CLI or benchmarks), `imported`
    (the shop's past replies) or `starter` (Huayu's starter pack), so exports and analytics can
    leave some out."""
    external_id: Mapped[str | None] = mapped_column(String(64), index=True)
    """The id a row had in the file it came from (`starter:st-en-c-001`): importing again skips it."""
    grounding: Mapped[dict[str, Any] | None]
    """What the prompt was grounded in: `{"examples": [{"id", "score", "tier"}], "passages":
    [{"source", "heading", "score"}]}`; None when it used neither."""
    category: Mapped[str | None] = mapped_column(String(32), index=True)
    """A complaint's triage category (`freshness`, `late_delivery`…), as staff last left it;
    None for bouquets and rows never triaged."""
    sentiment: Mapped[str | None] = mapped_column(String(16))
    """`very_negative`, `negative`, `neutral` or `positive`."""
    urgency: Mapped[str | None] = mapped_column(String(16), index=True)
    """`high` (an event today or tomorrow, a funeral, a repeat complaint) or `normal`."""
    triage: Mapped[dict[str, Any] | None]
    """How the labels came about: `{"predicted": {"category", "sentiment", "urgency"},
    "method", "confidence", "reasons", "corrected_by", "corrected_at"}`; the predicted labels stay
    when staff correct the three columns, so corrections can be counted and exported."""
    triage_corrected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    """When staff last corrected the labels; None while they are the classifier's."""

    ratings: Mapped[list[Rating]] = relationship(
        back_populates="generation", order_by="Rating.id", cascade="all, delete-orphan"
    )

    # (filter column, created_at): the history page filters by one and lists newest first.
    __table_args__ = (
        Index("ix_generations_task_created", "task", "created_at"),
        Index("ix_generations_backend_created", "backend", "created_at"),
        Index("ix_generations_model_created", "model_id", "created_at"),
        Index("ix_generations_version_created", "template_version", "created_at"),
        Index("ix_generations_category_created", "category", "created_at"),
        # SQLite keeps a row's long `messages` inline, so the dashboard's scans over 100k drafts
        # read every prompt; this index holds all the columns they read (bench: dashboard row).
        # PostgreSQL stores long values out of line and cannot index JSON with a btree.
        Index(
            "ix_generations_dashboard",
            "source", "created_at", "task", "status", "model_id", "template_id",
            "template_version", "category", "retry_of", "parent_id", "variant_group", "ttft_ms",
            "latency_ms", "checks",
        ).ddl_if(dialect="sqlite"),
    )

    @property
    def latest_rating(self) -> Rating | None:
        """Staff may re-rate; the newest rating is the one that counts."""
        return self.ratings[-1] if self.ratings else None


class Rating(Base):
    """A staff member's verdict on one generation, and the reply they actually sent."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    generation_id: Mapped[int] = mapped_column(
        ForeignKey("generations.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    thumbs: Mapped[int | None]  # +1 up, -1 down
    stars: Mapped[int | None]  # 1..5
    reasons: Mapped[list[str]] = mapped_column(default=list)
    comment: Mapped[str | None] = mapped_column(Text)
    edited_reply: Mapped[str | None] = mapped_column(Text)
    edit_distance: Mapped[int | None]
    """Characters staff changed (Levenshtein distance from the draft to `edited_reply`), stored
    with the rating so the dashboard can sum it in SQL; None when the reply was not edited."""
    created_by: Mapped[str | None] = mapped_column(String(64), index=True)
    """Name of the logged-in user who rated; None in local mode."""

    generation: Mapped[Generation] = relationship(back_populates="ratings")


class ReviewItem(Base):
    """A draft a manager should look at: rated down, failing a soft check, or flagged urgent.

    One per generation; a later reason joins the open item's `reasons`. Resolving with a corrected
    reply also stores that reply as an edit (a rating), so it feeds the training data."""

    __tablename__ = "review_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    generation_id: Mapped[int] = mapped_column(
        ForeignKey("generations.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    reasons: Mapped[list[str]] = mapped_column(default=list)
    """Why it is here: `thumbs_down`, `soft_checks`, `urgent`."""
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    """`open` or `resolved`."""
    assignee: Mapped[str | None] = mapped_column(String(64), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    corrected_reply: Mapped[str | None] = mapped_column(Text)

    generation: Mapped[Generation] = relationship()


class User(Base):
    """Someone who may log in: staff draft, rate and browse; managers also export, manage
    models and change settings."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    """argon2id hash in PHC format (salt and cost parameters inside)."""
    failed_attempts: Mapped[int] = mapped_column(default=0)
    """Wrong passwords in a row since the last success or lockout."""
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    """Sessions that began before this end: changing a password logs everyone out of it."""
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("name", name="uq_users_name"),)


class ExampleVector(Base):
    """The embedding of an approved request (complaint or bouquet details), for finding the past
    replies most like a new request. Rows are only ever added; one whose generation is no longer
    approved is skipped when read."""

    __tablename__ = "example_vectors"

    id: Mapped[int] = mapped_column(primary_key=True)
    generation_id: Mapped[int] = mapped_column(ForeignKey("generations.id", ondelete="CASCADE"))
    task: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    embedder: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    """float32, little-endian, normalised to length 1."""

    __table_args__ = (
        UniqueConstraint("generation_id", "embedder", name="uq_example_vectors_generation_embedder"),
        Index("ix_example_vectors_embedder_id", "embedder", "id"),
    )


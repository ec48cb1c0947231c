"""Browsing the log: filtered, keyset-paged lists of generations, and one generation in full.

Rows come back as typed records, not ORM objects, newest first by `created_at` then id. Paging is
by keyset (after the last row's `(created_at, id)`), so a deep page costs what the first one does:
the `created_at` index, which in SQLite also carries the id, serves both the order and the cursor.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import ColumnElement, Select, Text, cast, func, or_, select
from sqlalchemy.orm import Session, aliased

from db.models import Generation, Rating

RatingFilter = Literal["any", "rated", "unrated", "up", "down"]
RATING_FILTERS: tuple[str, ...] = get_args(RatingFilter)


@dataclass(frozen=True)
class HistoryFilter:
    """Which generations to list; None or empty means no restriction. Times are UTC."""

    task: str | None = None
    backend: str | None = None
    model_id: str | None = None
    template_version: str | None = None
    rating: RatingFilter = "any"
    """Judged by each generation's newest rating, the one that counts."""
    min_stars: int | None = None
    since: datetime | None = None
    """Inclusive."""
    until: datetime | None = None
    """Exclusive."""
    search: str = ""
    """Case-insensitive (for ASCII) substring of the inputs or the output."""
    category: str | None = None
    """A complaint's triage category."""
    urgency: str | None = None

    def __post_init__(self) -> None:
        if self.rating not in RATING_FILTERS:
            raise ValueError(f"rating must be one of {RATING_FILTERS}, not {self.rating!r}")


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: the next page starts after this row."""

    created_at: datetime
    id: int


@dataclass(frozen=True)
class HistoryRow:
    """One line of the history list (everything but the messages sent)."""

    id: int
    created_at: datetime
    task: str
    backend: str
    model_id: str
    template_id: str
    template_version: str
    status: str
    inputs: dict[str, Any]
    output: str
    parent_id: int | None
    variant_group: str | None
    chosen: bool | None
    thumbs: int | None
    """From the newest rating, as are `stars` and `edited`."""
    stars: int | None
    edited: bool
    category: str | None = None
    urgency: str | None = None

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.created_at, self.id)


@dataclass(frozen=True)
class RatingEntry:
    """One (re-)rating of a generation."""

    id: int
    created_at: datetime
    thumbs: int | None
    stars: int | None
    reasons: list[str]
    comment: str | None
    edited_reply: str | None


@dataclass(frozen=True)
class LinkedDraft:
    """A generation related to the one shown: its parent, a rewrite of it, or a sibling variant."""

    id: int
    created_at: datetime
    template_id: str
    status: str
    chosen: bool | None
    output: str


@dataclass(frozen=True)
class GenerationDetail:
    """Everything logged about one generation, its ratings and the drafts linked to it."""

    id: int
    created_at: datetime
    task: str
    template_id: str
    template_version: str
    inputs: dict[str, Any]
    messages: list[dict[str, str]]
    output: str
    backend: str
    model_id: str
    params: dict[str, Any]
    latency_ms: float | None
    ttft_ms: float | None
    prompt_tokens: int | None
    completion_tokens: int | None
    status: str
    error: str | None
    variant_group: str | None
    chosen: bool | None
    ratings: list[RatingEntry]
    parent: LinkedDraft | None
    rewrites: list[LinkedDraft]
    variants: list[LinkedDraft]
    """The whole variant group, this generation included; empty when it was asked for alone."""
    checks: list[dict[str, str]] | None = None
    """The quality checks it failed; None when it was never checked."""
    retry_of: int | None = None
    """The first attempt of the same request, when the guard wrote this one again."""
    source: str = "app"
    grounding: dict[str, Any] | None = None
    """The few-shot examples (ids, scores, tiers) and knowledge passages its prompt used."""
    category: str | None = None
    sentiment: str | None = None
    urgency: str | None = None
    triage: dict[str, Any] | None = None
    """What triage predicted, and who corrected it (see `Generation.triage`)."""

    @property
    def sent_reply(self) -> str | None:
        """The reply staff said they sent, from the newest rating (the one that counts)."""
        return self.ratings[-1].edited_reply if self.ratings else None


@dataclass(frozen=True)
class FilterOptions:
    """The values present in the log, for the filter menus."""

    tasks: list[str]
    backends: list[str]
    models: list[str]
    template_versions: list[tuple[str, str]]
    """(template_version, template_id) pairs, newest version first."""


def _newest_rating_id() -> ColumnElement[int]:
    # max(id) per generation is one lookup in ix_ratings_generation_id (which carries the id).
    return (
        select(func.max(Rating.id))
        .where(Rating.generation_id == Generation.id)
        .correlate(Generation)
        .scalar_subquery()
    )


def _search_condition(term: str) -> ColumnElement[bool]:
    # JSON columns are stored with non-ASCII text as \uXXXX escapes, so the inputs are searched
    # for the escaped spelling of the term too.
    spellings = {term, json.dumps(term)[1:-1]}
    inputs_text = cast(Generation.inputs, Text)
    return or_(
        Generation.output.contains(term, autoescape=True),
        *(inputs_text.contains(spelling, autoescape=True) for spelling in sorted(spellings)),
    )


def _conditions(filters: HistoryFilter, newest: Any) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    for column, value in (
        (Generation.task, filters.task),
        (Generation.backend, filters.backend),
        (Generation.model_id, filters.model_id),
        (Generation.template_version, filters.template_version),
        (Generation.category, filters.category),
        (Generation.urgency, filters.urgency),
    ):
        if value:
            conditions.append(column == value)
    if filters.since is not None:
        conditions.append(Generation.created_at >= filters.since)
    if filters.until is not None:
        conditions.append(Generation.created_at < filters.until)
    if filters.search.strip():
        conditions.append(_search_condition(filters.search.strip()))
    if filters.rating == "rated":
        conditions.append(newest.id.is_not(None))
    elif filters.rating == "unrated":
        conditions.append(newest.id.is_(None))
    elif filters.rating == "up":
        conditions.append(newest.thumbs == 1)
    elif filters.rating == "down":
        conditions.append(newest.thumbs == -1)
    if filters.min_stars:
        conditions.append(newest.stars >= filters.min_stars)
    return conditions


def _needs_ratings(filters: HistoryFilter) -> bool:
    return filters.rating != "any" or bool(filters.min_stars)


def list_generations(
    session: Session, filters: HistoryFilter, *, after: Cursor | None = None, limit: int = 50
) -> list[HistoryRow]:
    """Up to `limit` generations matching `filters`, newest first, starting after `after`."""
    newest = aliased(Rating, name="newest_rating")
    statement: Select[Any] = (
        select(
            Generation.id,
            Generation.created_at,
            Generation.task,
            Generation.backend,
            Generation.model_id,
            Generation.template_id,
            Generation.template_version,
            Generation.status,
            Generation.inputs,
            Generation.output,
            Generation.parent_id,
            Generation.variant_group,
            Generation.chosen,
            newest.thumbs,
            newest.stars,
            newest.edited_reply.is_not(None).label("edited"),
            Generation.category,
            Generation.urgency,
        )
        .outerjoin(newest, newest.id == _newest_rating_id())
        .where(*_conditions(filters, newest))
        .order_by(Generation.created_at.desc(), Generation.id.desc())
        .limit(limit)
    )
    if after is not None:
        statement = statement.where(
            # The first bound is implied by the second; it is there so SQLite starts the index
            # range at the cursor instead of walking the index from the newest row.
            Generation.created_at <= after.created_at,
            or_(Generation.created_at < after.created_at, Generation.id < after.id),
        )
    return [
        HistoryRow(**{**row._asdict(), "edited": bool(row.edited)})
        for row in session.execute(statement)
    ]


def count_generations(session: Session, filters: HistoryFilter) -> int:
    """How many generations match `filters`."""
    statement = select(func.count()).select_from(Generation)
    newest = aliased(Rating, name="newest_rating")
    if _needs_ratings(filters):
        statement = statement.outerjoin(newest, newest.id == _newest_rating_id())
    return session.scalar(statement.where(*_conditions(filters, newest))) or 0


def filter_options(session: Session) -> FilterOptions:
    """Every task, backend, model and template version present in the log."""

    def distinct(column: Any) -> list[str]:
        return list(session.scalars(select(column).distinct().order_by(column)))

    # Distinct versions come from their index; each one's template id and last use are then one
    # index lookup apiece, instead of a GROUP BY that reads every row.
    version = select(Generation.template_version).distinct().subquery()
    same_version = Generation.template_version == version.c.template_version
    versions = session.execute(
        select(
            version.c.template_version,
            select(Generation.template_id).where(same_version).limit(1).scalar_subquery(),
        ).order_by(
            select(func.max(Generation.created_at)).where(same_version).scalar_subquery().desc()
        )
    )
    return FilterOptions(
        tasks=distinct(Generation.task),
        backends=distinct(Generation.backend),
        models=distinct(Generation.model_id),
        template_versions=[(version, template_id) for version, template_id in versions],
    )


def _linked(generations: Sequence[Generation]) -> list[LinkedDraft]:
    return [
        LinkedDraft(
            id=g.id,
            created_at=g.created_at,
            template_id=g.template_id,
            status=g.status,
            chosen=g.chosen,
            output=g.output,
        )
        for g in generations
    ]


def _rating_entries(ratings: Sequence[Rating]) -> list[RatingEntry]:
    return [
        RatingEntry(
            id=r.id,
            created_at=r.created_at,
            thumbs=r.thumbs,
            stars=r.stars,
            reasons=list(r.reasons),
            comment=r.comment,
            edited_reply=r.edited_reply,
        )
        for r in ratings
    ]


def ratings_of(session: Session, generation_id: int) -> list[RatingEntry]:
    """Every rating of one generation, oldest first (the newest counts)."""
    return _rating_entries(
        session.scalars(
            select(Rating).where(Rating.generation_id == generation_id).order_by(Rating.id)
        ).all()
    )


def generation_detail(session: Session, generation_id: int) -> GenerationDetail | None:
    """One generation in full, with all its ratings, its parent, its rewrites and its variants."""
    generation = session.get(Generation, generation_id)
    if generation is None:
        return None
    parent = session.get(Generation, generation.parent_id) if generation.parent_id else None
    rewrites = session.scalars(
        select(Generation).where(Generation.parent_id == generation_id).order_by(Generation.id)
    ).all()
    variants: Sequence[Generation] = []
    if generation.variant_group is not None:
        variants = session.scalars(
            select(Generation)
            .where(Generation.variant_group == generation.variant_group)
            .order_by(Generation.id)
        ).all()
    return GenerationDetail(
        id=generation.id,
        created_at=generation.created_at,
        task=generation.task,
        template_id=generation.template_id,
        template_version=generation.template_version,
        inputs=generation.inputs,
        messages=generation.messages,
        output=generation.output,
        backend=generation.backend,
        model_id=generation.model_id,
        params=generation.params,
        latency_ms=generation.latency_ms,
        ttft_ms=generation.ttft_ms,
        prompt_tokens=generation.prompt_tokens,
        completion_tokens=generation.completion_tokens,
        status=generation.status,
        error=generation.error,
        variant_group=generation.variant_group,
        chosen=generation.chosen,
        ratings=_rating_entries(generation.ratings),
        parent=_linked([parent])[0] if parent is not None else None,
        rewrites=_linked(rewrites),
        variants=_linked(variants),
        checks=generation.checks,
        retry_of=generation.retry_of,
        source=generation.source,
        grounding=generation.grounding,
        category=generation.category,
        sentiment=generation.sentiment,
        urgency=generation.urgency,
        triage=generation.triage,
    )

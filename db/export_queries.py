"""Reads for the fine-tuning export: generations with their newest rating, streamed.

Every query selects plain columns joined to the newest rating in one statement (no N+1) and is
iterated with `yield_per`, so 100k rows pass through in constant memory. Ordering does the
grouping (by variant group, by prompt) in the database instead of in Python dictionaries.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Text, cast, func, select
from sqlalchemy.orm import Session

from db.models import Generation, Rating

BATCH = 1000
# Finished drafts; a `rejected` one only reaches an export through a rating (see below).
EXPORTED_STATUSES = ("ok", "rejected")


@dataclass(frozen=True)
class ExportFilter:
    """Which generations an export reads: a task, a start time, the newest rating's stars."""

    task: str | None = None
    since: datetime | None = None
    min_rating: int | None = None
    include_starter: bool = True
    """Huayu's starter pack (source `starter`) alongside the shop's own replies."""


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One successful generation as the export needs it, with its newest rating (if any)."""

    generation_id: int
    task: str
    messages: list[dict[str, str]]
    output: str
    variant_group: str | None
    chosen: bool | None
    rating_id: int | None
    thumbs: int | None
    stars: int | None
    edited_reply: str | None


def _newest_rating_select(where: ExportFilter, *, apply_min_rating: bool = True) -> Select[Any]:
    newest = (
        select(Rating.generation_id, func.max(Rating.id).label("rating_id"))
        .group_by(Rating.generation_id)
        .subquery("newest")
    )
    statement = (
        select(
            Generation.id,
            Generation.task,
            Generation.messages,
            Generation.output,
            Generation.variant_group,
            Generation.chosen,
            Rating.id,
            Rating.thumbs,
            Rating.stars,
            Rating.edited_reply,
        )
        .outerjoin(newest, newest.c.generation_id == Generation.id)
        .outerjoin(Rating, Rating.id == newest.c.rating_id)
        # A draft the quality guard rejected still counts once staff rated or edited it: the
        # reply they fixed and sent is the best training row there is. Failed runs never do.
        .where(Generation.status.in_(EXPORTED_STATUSES))
    )
    if where.task:
        statement = statement.where(Generation.task == where.task)
    if where.since is not None:
        statement = statement.where(Generation.created_at >= where.since)
    if not where.include_starter:
        statement = statement.where(Generation.source != "starter")
    if apply_min_rating and where.min_rating is not None:
        statement = statement.where(Rating.stars >= where.min_rating)
    return statement


def _stream(session: Session, statement: Select[Any]) -> Iterator[ExportRow]:
    for row in session.execute(statement.execution_options(yield_per=BATCH)):
        yield ExportRow(*row)


def rated_generations(session: Session, where: ExportFilter) -> Iterator[ExportRow]:
    """Generations staff rated, plus picked variants, oldest first."""
    statement = _newest_rating_select(where).where(
        (Rating.id.is_not(None)) | (Generation.chosen.is_(True))
    )
    return _stream(session, statement.order_by(Generation.id))


def edited_generations(session: Session, where: ExportFilter) -> Iterator[ExportRow]:
    """Generations whose newest rating carries the reply staff actually sent, oldest first."""
    statement = _newest_rating_select(where).where(Rating.edited_reply.is_not(None))
    return _stream(session, statement.order_by(Generation.id))


def variant_generations(session: Session, where: ExportFilter) -> Iterator[ExportRow]:
    """Generations asked for together, group after group; `min_rating` is left to the caller
    because it applies to the picked variant only."""
    statement = _newest_rating_select(where, apply_min_rating=False).where(
        Generation.variant_group.is_not(None)
    )
    return _stream(session, statement.order_by(Generation.variant_group, Generation.id))


def rated_generations_by_prompt(session: Session, where: ExportFilter) -> Iterator[ExportRow]:
    """Rated generations ordered by their exact prompt, so replies to the same input are adjacent;
    `min_rating` is left to the caller because it applies to the better reply of a pair only."""
    statement = _newest_rating_select(where, apply_min_rating=False).where(
        (Rating.stars.is_not(None)) | (Rating.thumbs.is_not(None))
    )
    return _stream(session, statement.order_by(cast(Generation.messages, Text), Generation.id))

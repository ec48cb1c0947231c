"""Reads and writes of generations and ratings. Each function takes the caller's `Session`;
the caller owns the transaction (`with factory.begin() as session:`), one per user action."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rapidfuzz.distance import Levenshtein
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db.models import Generation, Rating

# rejected: a finished draft that failed a hard quality check (core.quality); kept, never sent.
STATUSES = ("ok", "error", "cancelled", "rejected")


@dataclass(frozen=True)
class GenerationRecord:
    """Everything logged about one generation; built by `core`, stored by `log_generation`."""

    task: str
    template_id: str
    template_version: str
    inputs: dict[str, Any]
    messages: list[dict[str, str]]
    output: str
    backend: str
    model_id: str
    params: dict[str, Any] = field(default_factory=dict)
    latency_ms: float | None = None
    ttft_ms: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    status: str = "ok"
    error: str | None = None
    parent_id: int | None = None
    variant_group: str | None = None
    created_by: str | None = None
    checks: list[dict[str, str]] | None = None
    retry_of: int | None = None
    source: str = "app"
    external_id: str | None = None
    grounding: dict[str, Any] | None = None
    category: str | None = None
    sentiment: str | None = None
    urgency: str | None = None
    triage: dict[str, Any] | None = None


def log_generation(session: Session, record: GenerationRecord) -> Generation:
    """Store one generation. Every path that runs a model (UI, CLI, benchmarks) ends here."""
    if record.status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}, not {record.status!r}")
    generation = Generation(**record.__dict__)
    session.add(generation)
    session.flush()  # assigns the id the UI keys its rating widgets by
    return generation


def add_rating(
    session: Session,
    generation_id: int,
    *,
    thumbs: int | None = None,
    stars: int | None = None,
    reasons: list[str] | None = None,
    comment: str | None = None,
    edited_reply: str | None = None,
    created_by: str | None = None,
) -> Rating:
    """Record a (re-)rating; earlier ratings are kept, the newest one counts."""
    if thumbs not in (None, 1, -1):
        raise ValueError("thumbs must be +1, -1 or None")
    if stars is not None and not 1 <= stars <= 5:
        raise ValueError("stars must be between 1 and 5")
    generation = session.get(Generation, generation_id)
    if generation is None:
        raise LookupError(f"no generation with id {generation_id}")
    rating = Rating(
        generation_id=generation_id,
        thumbs=thumbs,
        stars=stars,
        reasons=list(reasons or []),
        comment=comment or None,
        edited_reply=edited_reply or None,
        edit_distance=Levenshtein.distance(generation.output, edited_reply) if edited_reply else None,
        created_by=created_by,
    )
    session.add(rating)
    session.flush()
    return rating


def get_generation(session: Session, generation_id: int) -> Generation | None:
    """One generation with its ratings loaded."""
    return session.scalars(
        select(Generation)
        .where(Generation.id == generation_id)
        .options(selectinload(Generation.ratings))
    ).one_or_none()


def recent_generations(session: Session, limit: int = 20) -> list[Generation]:
    """The newest generations first, ratings loaded."""
    return list(
        session.scalars(
            select(Generation)
            .order_by(Generation.id.desc())
            .limit(limit)
            .options(selectinload(Generation.ratings))
        )
    )


def choose_none(session: Session, variant_group: str) -> None:
    """Mark every draft of `variant_group` not chosen: staff judged none of them good enough."""
    for member in session.scalars(select(Generation).where(Generation.variant_group == variant_group)):
        member.chosen = False
    session.flush()


def group_as_variants(session: Session, generation_ids: list[int], variant_group: str) -> None:
    """Make the logged drafts `generation_ids` (and only them) the variant group `variant_group`."""
    for generation_id in generation_ids:
        generation = session.get(Generation, generation_id)
        if generation is None:
            raise LookupError(f"no generation with id {generation_id}")
        generation.variant_group = variant_group
    session.flush()


def variant_groups_like(session: Session, prefix: str) -> list[tuple[str, int, str, bool | None]]:
    """(group, generation id, model id, chosen) of the drafts in every variant group whose name
    starts with `prefix`, group by group."""
    rows = session.execute(
        select(Generation.variant_group, Generation.id, Generation.model_id, Generation.chosen)
        .where(Generation.variant_group.startswith(prefix, autoescape=True))
        .order_by(Generation.variant_group, Generation.id)
    )
    return [(str(g), int(i), str(m), c) for g, i, m, c in rows]


def choose_variant(session: Session, generation_id: int) -> list[int]:
    """Mark `generation_id` chosen and the other drafts of its variant group not chosen.

    Picking again switches the choice. Returns the ids of the whole group, oldest first.
    """
    generation = session.get(Generation, generation_id)
    if generation is None:
        raise LookupError(f"no generation with id {generation_id}")
    if generation.variant_group is None:
        raise ValueError(f"generation {generation_id} was not asked for as one of several drafts")
    group = session.scalars(
        select(Generation)
        .where(Generation.variant_group == generation.variant_group)
        .order_by(Generation.id)
    ).all()
    for member in group:
        member.chosen = member.id == generation_id
    session.flush()
    return [member.id for member in group]

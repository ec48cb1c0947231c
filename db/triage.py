"""Reads and writes of complaints' triage labels (the caller owns the transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Generation, utcnow


def correct_labels(
    session: Session,
    generation_ids: Sequence[int],
    labels: dict[str, str],
    corrected_by: str | None = None,
) -> None:
    """Set the category, sentiment and urgency staff chose on the drafts of one request.

    The classifier's own labels stay in `triage["predicted"]`, so a correction is countable."""
    now = utcnow()
    for generation_id in generation_ids:
        generation = session.get(Generation, generation_id)
        if generation is None:
            raise LookupError(f"no generation with id {generation_id}")
        generation.category = labels["category"]
        generation.sentiment = labels["sentiment"]
        generation.urgency = labels["urgency"]
        generation.triage = {
            **(generation.triage or {}),
            "corrected_by": corrected_by,
            "corrected_at": now.isoformat(),
        }
        generation.triage_corrected_at = now
    session.flush()


def corrected_labels(session: Session) -> list[tuple[str, str, str, str, str]]:
    """(complaint, language, category, sentiment, urgency) of every complaint staff re-labelled,
    newest correction first, each complaint once."""
    return [
        (row["complaint"], row["lang"], row["category"], row["sentiment"] or "", row["urgency"] or "")
        for row in triaged_complaints(session, corrected_only=True)
    ]


def correction_count(session: Session) -> int:
    """How many drafts carry staff-corrected labels: the classifier retrains when it changes."""
    return int(
        session.scalar(
            select(func.count()).select_from(Generation).where(Generation.triage_corrected_at.is_not(None))
        )
        or 0
    )


def stored_labels(session: Session, generation_id: int) -> tuple[dict[str, str], dict[str, Any]] | None:
    """The labels a draft carries now and its `triage` record; None when it was never triaged."""
    generation = session.get(Generation, generation_id)
    if generation is None or generation.category is None:
        return None
    labels = {
        "category": generation.category,
        "sentiment": generation.sentiment or "",
        "urgency": generation.urgency or "",
    }
    return labels, dict(generation.triage or {})


def triaged_complaints(session: Session, *, corrected_only: bool = True) -> list[dict[str, Any]]:
    """Each triaged complaint once (its newest correction, else its newest draft), with its
    labels, what the classifier said and who corrected it; with `corrected_only`, only those
    staff corrected."""
    query = select(Generation).where(Generation.task == "complaint", Generation.category.is_not(None))
    if corrected_only:
        query = query.where(Generation.triage_corrected_at.is_not(None))
    seen: set[str] = set()
    rows = []
    newest_first = (Generation.triage_corrected_at.desc().nulls_last(), Generation.id.desc())
    for generation in session.scalars(query.order_by(*newest_first)):
        text = str(generation.inputs.get("complaint") or "")
        if not text or text in seen:
            continue
        seen.add(text)
        record = generation.triage or {}
        rows.append(
            {
                "id": f"generation-{generation.id}",
                "lang": str(generation.inputs.get("language") or generation.template_id.rsplit(".", 1)[-1]),
                "complaint": text,
                "category": generation.category,
                "sentiment": generation.sentiment,
                "urgency": generation.urgency,
                "predicted": record.get("predicted"),
                "corrected_by": record.get("corrected_by"),
                "corrected": generation.triage_corrected_at is not None,
            }
        )
    return rows

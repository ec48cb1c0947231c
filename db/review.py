"""The managers' review queue: drafts rated down, failing a soft check, or for an urgent
complaint. Reads and writes; the caller owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from db.models import Generation, ReviewItem, utcnow
from db.repository import add_rating

REASONS = ("thumbs_down", "soft_checks", "urgent")
STATUSES = ("open", "resolved")


def review_reasons(generation: Generation) -> list[str]:
    """Why a just-logged draft belongs in the queue: a soft check it failed (it was still shown),
    or an urgent complaint. Rejected, failed and stopped drafts were never offered to staff."""
    if generation.status != "ok" or generation.source != "app":
        return []
    reasons = []
    if any(check.get("severity") != "hard" for check in generation.checks or []):
        reasons.append("soft_checks")
    if generation.urgency == "high":
        reasons.append("urgent")
    return reasons


def queue_for_review(session: Session, generation_id: int, reasons: list[str]) -> ReviewItem:
    """Add `generation_id` to the queue, or add `reasons` to its item (reopening a resolved one).

    Drafts asked for together are one request: an urgent complaint with three drafts is one item,
    on the first of them."""
    unknown = set(reasons) - set(REASONS)
    if unknown:
        raise ValueError(f"unknown review reasons: {sorted(unknown)}")
    generation = session.get(Generation, generation_id)
    if generation is None:
        raise LookupError(f"no generation with id {generation_id}")
    item = session.scalars(select(ReviewItem).where(ReviewItem.generation_id == generation_id)).first()
    if item is None and generation.variant_group and reasons == ["urgent"]:
        item = session.scalars(
            select(ReviewItem)
            .join(Generation, Generation.id == ReviewItem.generation_id)
            .where(Generation.variant_group == generation.variant_group)
        ).first()
        if item is not None:
            return item
    if item is None:
        item = ReviewItem(generation_id=generation_id, reasons=list(reasons), status="open")
        session.add(item)
    else:
        item.reasons = sorted({*item.reasons, *reasons}, key=REASONS.index)
        if item.status == "resolved" and "thumbs_down" in reasons:
            item.status = "open"
    session.flush()
    return item


@dataclass(frozen=True)
class QueueRow:
    """One item as the queue lists it, with what a manager needs to judge the draft."""

    id: int
    generation_id: int
    created_at: datetime
    reasons: list[str]
    status: str
    assignee: str | None
    note: str | None
    resolved_by: str | None
    task: str
    request: str
    draft: str
    category: str | None
    urgency: str | None
    model_id: str


def review_queue(
    session: Session,
    *,
    status: str | None = "open",
    assignee: str | None = None,
    reason: str | None = None,
    limit: int = 100,
) -> list[QueueRow]:
    """Items in the queue, urgent first, then oldest first (the one waiting longest)."""
    query = select(ReviewItem, Generation).join(Generation, Generation.id == ReviewItem.generation_id)
    if status:
        query = query.where(ReviewItem.status == status)
    if assignee:
        query = query.where(ReviewItem.assignee == assignee)
    rows = session.execute(
        # case(), not a boolean sort: PostgreSQL puts the NULL of an untriaged draft first.
        query.order_by(
            case((Generation.urgency == "high", 0), else_=1), ReviewItem.created_at, ReviewItem.id
        )
    ).all()
    found = []
    for item, generation in rows:
        if reason and reason not in item.reasons:
            continue
        found.append(
            QueueRow(
                id=item.id, generation_id=item.generation_id, created_at=item.created_at,
                reasons=list(item.reasons), status=item.status, assignee=item.assignee,
                note=item.note, resolved_by=item.resolved_by, task=generation.task,
                request=str(generation.inputs.get("complaint") or generation.inputs.get("details") or ""),
                draft=generation.output, category=generation.category, urgency=generation.urgency,
                model_id=generation.model_id,
            )
        )
        if len(found) >= limit:
            break
    return found


def queue_counts(session: Session) -> dict[str, int]:
    """Items per status."""
    rows = session.execute(select(ReviewItem.status, func.count()).group_by(ReviewItem.status))
    return {str(status): int(count) for status, count in rows}


def assign(session: Session, item_id: int, assignee: str | None, note: str | None = None) -> None:
    """Give the item to `assignee` (None: nobody), keeping or replacing its note."""
    item = _item(session, item_id)
    item.assignee = assignee or None
    if note is not None:
        item.note = note or None
    session.flush()


def resolve(
    session: Session,
    item_id: int,
    *,
    resolved_by: str | None,
    note: str | None = None,
    corrected_reply: str | None = None,
) -> int:
    """Close the item; returns its generation's id. A corrected reply is also stored as an edit
    of the draft (a rating with `edited_reply`), so it feeds the few-shot examples and the
    training data like any edit."""
    item = _item(session, item_id)
    item.status = "resolved"
    item.resolved_by = resolved_by
    item.resolved_at = utcnow()
    if note is not None:
        item.note = note or None
    if corrected_reply:
        item.corrected_reply = corrected_reply
        add_rating(
            session, item.generation_id, edited_reply=corrected_reply,
            comment=note or None, created_by=resolved_by,
        )
    session.flush()
    return item.generation_id


def reopen(session: Session, item_id: int) -> None:
    item = _item(session, item_id)
    item.status = "open"
    item.resolved_at = None
    session.flush()


def _item(session: Session, item_id: int) -> ReviewItem:
    item = session.get(ReviewItem, item_id)
    if item is None:
        raise LookupError(f"no review item with id {item_id}")
    return item

"""The review queue as the page uses it: each action one transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from core.examples.selection import ExampleFinder
from core.text import clean_text
from db import review
from db.review import REASONS, STATUSES, QueueRow

__all__ = ["REASONS", "STATUSES", "QueueRow", "assign", "counts", "items", "reopen", "resolve"]


def items(
    sessions: sessionmaker[Session],
    *,
    status: str | None = "open",
    assignee: str | None = None,
    reason: str | None = None,
) -> list[QueueRow]:
    """The queue's items, urgent first, then the longest waiting."""
    with sessions() as session:
        return review.review_queue(session, status=status, assignee=assignee, reason=reason)


def counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Open and resolved items."""
    with sessions() as session:
        return review.queue_counts(session)


def assign(sessions: sessionmaker[Session], item_id: int, assignee: str | None, note: str | None = None) -> None:
    with sessions.begin() as session:
        review.assign(session, item_id, clean_text(assignee) or None, clean_text(note) if note is not None else None)


def resolve(
    sessions: sessionmaker[Session],
    item_id: int,
    *,
    resolved_by: str | None,
    note: str = "",
    corrected_reply: str = "",
    examples: ExampleFinder | None = None,
) -> None:
    """Close an item; a corrected reply becomes the draft's edit (and, with `examples`, a
    few-shot example at once)."""
    corrected = clean_text(corrected_reply)
    with sessions.begin() as session:
        generation_id = review.resolve(
            session, item_id, resolved_by=resolved_by, note=clean_text(note),
            corrected_reply=corrected or None,
        )
    if corrected and examples is not None:
        examples.add([generation_id])


def reopen(sessions: sessionmaker[Session], item_id: int) -> None:
    with sessions.begin() as session:
        review.reopen(session, item_id)

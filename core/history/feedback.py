"""Staff verdicts on drafts: ratings, reasons and the reply they actually sent."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from core.examples.selection import ExampleFinder
from core.text import clean_text
from db.repository import add_rating
from db.review import queue_for_review

# Short reasons staff tick under a draft; stored as these ids, shown translated.
REASON_TAGS = ("wrong_facts", "against_policy", "wrong_tone", "too_long", "too_short", "wrong_language", "great")


def save_rating(
    sessions: sessionmaker[Session],
    generation_id: int,
    *,
    thumbs: int | None = None,
    stars: int | None = None,
    reasons: list[str] | None = None,
    comment: str = "",
    edited_reply: str = "",
    created_by: str | None = None,
    examples: ExampleFinder | None = None,
) -> int:
    """Store a rating for `generation_id` in its own transaction; returns the rating's id.

    With `examples`, a draft the rating approves (edited and sent, 4–5 stars, thumbs up) joins
    the few-shot index at once, so the next draft in any tab can be shown it."""
    unknown = set(reasons or []) - set(REASON_TAGS)
    if unknown:
        raise ValueError(f"unknown reason tags: {sorted(unknown)}")
    with sessions.begin() as session:
        rating = add_rating(
            session,
            generation_id,
            thumbs=thumbs,
            stars=stars,
            reasons=reasons,
            comment=clean_text(comment),
            edited_reply=clean_text(edited_reply),
            created_by=created_by,
        )
        rating_id = rating.id
        if thumbs == -1:
            queue_for_review(session, generation_id, ["thumbs_down"])
    if examples is not None:
        examples.add([generation_id])
    return rating_id

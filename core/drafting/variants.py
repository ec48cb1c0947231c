"""Several drafts asked for at once: staff compare them side by side and pick one.

The drafts run one after another (the model's lock serialises them anyway) and share a variant
group; picking one records it as chosen and the others as not, which the fine-tuning export
turns into preference pairs.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session, sessionmaker

from core.models.backends import GenerationParams
from db.repository import choose_variant as record_choice

MAX_VARIANTS = 4


def new_variant_group(count: int) -> str | None:
    """A fresh group id for `count` drafts asked for together; None for a single draft."""
    if not 1 <= count <= MAX_VARIANTS:
        raise ValueError(f"ask for 1 to {MAX_VARIANTS} drafts, not {count}")
    return str(uuid.uuid4()) if count > 1 else None


def variant_params(params: GenerationParams, index: int) -> GenerationParams:
    """Settings for the `index`-th variant: a fixed seed is stepped, or every draft would match."""
    if params.seed is None or index == 0:
        return params
    return params.model_copy(update={"seed": params.seed + index})


def choose_variant(sessions: sessionmaker[Session], generation_id: int) -> list[int]:
    """Record `generation_id` as the draft staff picked from its group; returns the group's ids."""
    with sessions.begin() as session:
        return record_choice(session, generation_id)

"""Running one blind comparison: both drafts, in random order, and recording the staff's pick."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from core.drafting.generation import PreparedPrompt
from core.models.backends import GenerationParams, LoadedModel
from core.quality.guard import GuardedDraft
from db.repository import add_rating, choose_none, choose_variant, group_as_variants

GROUP_PREFIX = "blind:"
BOTH_BAD = "both_bad"


@dataclass(frozen=True)
class BlindDraft:
    """One of the two drafts, as staff see it (text) and as the result reveals it (model)."""

    generation_id: int
    text: str
    model_id: str


@dataclass(frozen=True)
class BlindPair:
    group: str
    drafts: tuple[BlindDraft, BlindDraft]
    """In the order shown: first is "Draft A"."""


def new_group() -> str:
    # variant_group holds 36 characters: the prefix and 30 hex digits (120 random bits).
    return f"{GROUP_PREFIX}{uuid.uuid4().hex[:30]}"


def draft_pair(
    prompt: PreparedPrompt,
    models: tuple[str, str],
    load: Callable[[str], LoadedModel],
    sessions: sessionmaker[Session],
    params: GenerationParams,
    *,
    created_by: str | None = None,
    rng: random.Random | None = None,
) -> BlindPair:
    """Draft `prompt` with each of the two `models` (loaded one after the other by `load`, so only
    one is in memory), through the quality guard, and return the drafts in random order."""
    drafts = []
    for choice in models:
        model = load(choice)
        outcome = GuardedDraft(
            prompt=prompt, model=model, params=params, sessions=sessions, created_by=created_by
        ).run()
        if outcome.generation_id is None:
            raise RuntimeError(f"{model.model_id} wrote no draft: {outcome.error}")
        drafts.append(BlindDraft(outcome.generation_id, outcome.text, model.model_id))
    # Only the two drafts shown form the group, not the attempts the guard rejected before them.
    group = new_group()
    with sessions.begin() as session:
        group_as_variants(session, [d.generation_id for d in drafts], group)
    (rng or random.SystemRandom()).shuffle(drafts)
    return BlindPair(group, (drafts[0], drafts[1]))


def record_pick(
    sessions: sessionmaker[Session],
    pair: BlindPair,
    pick: int | str,
    *,
    created_by: str | None = None,
) -> None:
    """Store the pick: the index of the better draft (0 or 1), or `BOTH_BAD`."""
    with sessions.begin() as session:
        if pick == BOTH_BAD:
            for draft in pair.drafts:
                add_rating(session, draft.generation_id, thumbs=-1, created_by=created_by)
            choose_none(session, pair.group)
        else:
            choose_variant(session, pair.drafts[int(pick)].generation_id)

"""Which past replies a new request is shown: the most similar approved ones, varied.

Approved means, best first: a reply staff edited and sent, a draft rated 4–5 stars or thumbs up,
a starter-pack reply. Similarity decides most; the tier and the reply's language add a little,
so a close edited reply beats a close starter one, and the shop's own reply to the same trouble
in the other language can still serve a request. Starter replies come only in the language asked
for: the pack has both, and a small model shown a Chinese example for an English request answered
in Chinese (2 of 48 English evaluation complaints). MMR keeps the k from being near copies.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from core.drafting.grounding import ExampleReply, Tier
from core.drafting.requests import request_text
from core.retrieval.embeddings import LocalEmbeddings, make_embeddings
from core.retrieval.index import VectorIndex
from core.retrieval.vectors import mmr, to_bytes
from db.models import Generation
from db.vectors import (
    add_example_vector,
    delete_example_vectors,
    generations_by_id,
    indexed_generation_ids,
    rated_or_starter_generations,
)

TIER_BONUS: dict[Tier, float] = {"edited": 0.15, "rated": 0.08, "starter": 0.0}
SAME_LANGUAGE_BONUS = 0.05
SAME_CATEGORY_BONUS = 0.1
"""For a past complaint triaged into the same category as the new one: the same trouble."""
MIN_SIMILARITY = 0.2
"""Below this (cosine, USE m3) two requests share little more than being complaints."""
POOL = 32
"""Nearest vectors read per search: room for the ones no longer approved and for MMR to choose."""
DIVERSITY = 0.3


def approved_reply(generation: Generation) -> tuple[Tier, str] | None:
    """The tier and reply that make `generation` an example, or None if it is not one."""
    if generation.parent_id is not None:
        return None  # a rewrite answers its draft, not the customer
    rating = generation.latest_rating
    if generation.source == "starter":
        return "starter", generation.output
    if rating is None:
        return None
    if rating.edited_reply:
        return "edited", rating.edited_reply
    if generation.status == "ok" and ((rating.stars or 0) >= 4 or rating.thumbs == 1):
        return "rated", generation.output
    return None


def _language(generation: Generation) -> str:
    return str(generation.inputs.get("language") or generation.template_id.rsplit(".", 1)[-1])


@dataclass
class ExampleFinder:
    """Finds examples for requests and keeps the index in step; one per process and database."""

    sessions: sessionmaker[Session]
    embeddings: LocalEmbeddings = field(default_factory=make_embeddings)
    index: VectorIndex = field(init=False)
    _write_lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        self.index = VectorIndex(self.embeddings.name, self.embeddings.dimensions)

    def find(
        self, task: str, text: str, language: str, k: int, category: str | None = None
    ) -> list[ExampleReply]:
        """Up to `k` approved past replies for a new request, the best first; with a triage
        `category`, replies to complaints of that category count a little more."""
        if k <= 0 or not text.strip():
            return []
        query = self.embeddings.vectors([text], query=True)[0]
        with self.sessions() as session:
            self.index.refresh(session)
            neighbours = self.index.search(query, task, POOL)
            generations = {
                g.id: g for g in generations_by_id(session, [n.generation_id for n in neighbours])
            }
            candidates: list[tuple[ExampleReply, float, np.ndarray]] = []
            seen: set[int] = set()
            for neighbour in neighbours:
                # Another process's rebuild re-adds a generation under a new row: count it once.
                if neighbour.generation_id in seen:
                    continue
                seen.add(neighbour.generation_id)
                generation = generations.get(neighbour.generation_id)
                approved = approved_reply(generation) if generation else None
                if generation is None or approved is None or neighbour.score < MIN_SIMILARITY:
                    continue
                tier, reply = approved
                if tier == "starter" and _language(generation) != language:
                    continue
                example = ExampleReply(
                    generation_id=generation.id,
                    score=neighbour.score,
                    tier=tier,
                    language=_language(generation),
                    request=request_text(generation.inputs),
                    reply=reply,
                )
                bonus = (
                    TIER_BONUS[tier]
                    + (SAME_LANGUAGE_BONUS if example.language == language else 0.0)
                    + (SAME_CATEGORY_BONUS if category and generation.category == category else 0.0)
                )
                candidates.append((example, neighbour.score + bonus, neighbour.vector))
        if not candidates:
            return []
        relevance = np.array([c[1] for c in candidates])
        vectors = np.stack([c[2] for c in candidates])
        return [candidates[i][0] for i in mmr(relevance, vectors, k, DIVERSITY)]

    def add(self, generation_ids: list[int]) -> int:
        """Index those of `generation_ids` that are approved and not yet indexed; how many were."""
        with self._write_lock, self.sessions.begin() as session:
            return self._add(session, generations_by_id(session, generation_ids))

    def _add(self, session: Session, generations: list[Generation]) -> int:
        done = indexed_generation_ids(session, self.embeddings.name, [g.id for g in generations])
        todo = [
            g
            for g in generations
            if g.id not in done and approved_reply(g) and request_text(g.inputs)
        ]
        if not todo:
            return 0
        vectors = self.embeddings.vectors([request_text(g.inputs) for g in todo])
        for generation, vector in zip(todo, vectors, strict=True):
            add_example_vector(
                session,
                generation.id,
                task=generation.task,
                language=_language(generation),
                embedder=self.embeddings.name,
                vector=to_bytes(vector),
            )
        return len(todo)

    def rebuild(self, *, fresh: bool = False, progress: Callable[[int], None] | None = None) -> int:
        """Index every approved generation not yet indexed (all of them again if `fresh`)."""
        added = 0
        with self._write_lock, self.sessions.begin() as session:
            if fresh:
                delete_example_vectors(session, self.embeddings.name)
                self.index = VectorIndex(self.embeddings.name, self.embeddings.dimensions)
            batch: list[Generation] = []
            for generation in rated_or_starter_generations(session):
                batch.append(generation)
                if len(batch) == 256:
                    added += self._add(session, batch)
                    batch = []
                    if progress:
                        progress(added)
            added += self._add(session, batch)
        return added

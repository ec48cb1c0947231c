"""Reads and writes of the embeddings behind few-shot examples.

Vectors are opaque bytes here (float32, made by `core.retrieval`); this module only stores them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from db.models import ExampleVector, Generation

SOURCES = ("app", "imported", "starter")


class VectorRow(NamedTuple):
    id: int
    generation_id: int
    task: str
    language: str
    vector: bytes


def add_example_vector(
    session: Session, generation_id: int, *, task: str, language: str, embedder: str, vector: bytes
) -> bool:
    """Store the vector of a generation's request unless it has one; True when one was added."""
    exists = session.scalar(
        select(ExampleVector.id).where(
            ExampleVector.generation_id == generation_id, ExampleVector.embedder == embedder
        )
    )
    if exists is not None:
        return False
    session.add(
        ExampleVector(
            generation_id=generation_id,
            task=task,
            language=language,
            embedder=embedder,
            vector=vector,
        )
    )
    session.flush()
    return True


def example_vectors_after(session: Session, embedder: str, after_id: int) -> list[VectorRow]:
    """Vectors of `embedder` added since row `after_id`, oldest first (an in-memory copy tops up)."""
    rows = session.execute(
        select(
            ExampleVector.id,
            ExampleVector.generation_id,
            ExampleVector.task,
            ExampleVector.language,
            ExampleVector.vector,
        )
        .where(ExampleVector.embedder == embedder, ExampleVector.id > after_id)
        .order_by(ExampleVector.id)
    )
    return [VectorRow(*row) for row in rows]


def indexed_generation_ids(session: Session, embedder: str, among: Sequence[int]) -> set[int]:
    """Those of the generations `among` that already have a vector of `embedder`."""
    if not among:
        return set()
    return set(
        session.scalars(
            select(ExampleVector.generation_id).where(
                ExampleVector.embedder == embedder, ExampleVector.generation_id.in_(list(among))
            )
        )
    )


def delete_example_vectors(session: Session, embedder: str) -> int:
    """Drop every vector of `embedder` (before a rebuild); returns how many."""
    return (
        session.execute(delete(ExampleVector).where(ExampleVector.embedder == embedder)).rowcount
        or 0
    )


def generations_by_id(session: Session, ids: Sequence[int]) -> list[Generation]:
    """The generations with these ids, ratings loaded, in the order of `ids` (missing ones left out)."""
    if not ids:
        return []
    found = {
        g.id: g
        for g in session.scalars(
            select(Generation)
            .where(Generation.id.in_(list(ids)))
            .options(selectinload(Generation.ratings))
        )
    }
    return [found[i] for i in ids if i in found]


def rated_or_starter_generations(session: Session, batch: int = 500) -> Iterator[Generation]:
    """Every generation that could be an example (rated, or from the starter pack), in id order,
    read in batches so a rebuild over 100k rows never holds them all."""
    last = 0
    while True:
        page = list(
            session.scalars(
                select(Generation)
                .where(
                    Generation.id > last,
                    Generation.parent_id.is_(None),
                    (Generation.source == "starter") | Generation.ratings.any(),
                )
                .order_by(Generation.id)
                .limit(batch)
                .options(selectinload(Generation.ratings))
            )
        )
        if not page:
            return
        yield from page
        last = page[-1].id


def external_ids(session: Session, prefix: str) -> set[str]:
    """The `external_id`s already stored that start with `prefix` (an import skips them)."""
    return set(
        session.scalars(
            select(Generation.external_id).where(Generation.external_id.startswith(prefix))
        )
    )

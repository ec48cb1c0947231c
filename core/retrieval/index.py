"""An in-memory copy of the example vectors in the database, topped up before each search.

A search at 100k vectors is one matrix-vector product (~10 ms on two cores); reading them from the
database each time would take seconds. Rows are only ever added, so each search first reads the
rows added since the last one: a rating saved in one browser tab (or on another machine of the
same PostgreSQL) is found by the very next draft in another.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy.orm import Session

from core.retrieval.vectors import from_bytes, top_indices
from db.vectors import example_vectors_after


@dataclass(frozen=True)
class Neighbour:
    generation_id: int
    score: float
    vector: np.ndarray


@dataclass
class VectorIndex:
    """The example vectors of one embedder; `search` is safe from many threads."""

    embedder: str
    dimensions: int
    _matrix: np.ndarray = field(init=False)
    _generation_ids: np.ndarray = field(init=False)
    _tasks: np.ndarray = field(init=False)
    _size: int = field(default=0, init=False)
    _last_id: int = field(default=0, init=False)
    _task_codes: dict[str, int] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        self._matrix = np.zeros((0, self.dimensions), dtype=np.float32)
        self._generation_ids = np.zeros(0, dtype=np.int64)
        self._tasks = np.zeros(0, dtype=np.int16)

    def __len__(self) -> int:
        return self._size

    def refresh(self, session: Session) -> int:
        """Read the rows added since the last refresh; returns how many."""
        with self._lock:
            rows = example_vectors_after(session, self.embedder, self._last_id)
            if not rows:
                return 0
            self._reserve(self._size + len(rows))
            end = self._size + len(rows)
            self._matrix[self._size : end] = np.stack([from_bytes(r.vector) for r in rows])
            self._generation_ids[self._size : end] = [r.generation_id for r in rows]
            self._tasks[self._size : end] = [
                self._task_codes.setdefault(r.task, len(self._task_codes)) for r in rows
            ]
            self._size, self._last_id = end, rows[-1].id
            return len(rows)

    def _reserve(self, needed: int) -> None:
        # Doubling: topping up one row per saved rating must not copy 200 MB each time.
        capacity = len(self._generation_ids)
        if needed <= capacity:
            return
        capacity = max(needed, 2 * capacity, 1024)
        matrix = np.zeros((capacity, self.dimensions), dtype=np.float32)
        matrix[: self._size] = self._matrix[: self._size]
        ids = np.zeros(capacity, dtype=np.int64)
        ids[: self._size] = self._generation_ids[: self._size]
        tasks = np.zeros(capacity, dtype=np.int16)
        tasks[: self._size] = self._tasks[: self._size]
        self._matrix, self._generation_ids, self._tasks = matrix, ids, tasks

    def search(self, query: np.ndarray, task: str, count: int) -> list[Neighbour]:
        """The `count` vectors of `task` most like `query` (a unit vector), best first."""
        with self._lock:
            code = self._task_codes.get(task)
            if code is None or not self._size:
                return []
            matrix = self._matrix[: self._size]
            scores = matrix @ query.astype(np.float32)
            scores[self._tasks[: self._size] != code] = -np.inf
            best = [int(i) for i in top_indices(scores, count) if np.isfinite(scores[i])]
            return [
                Neighbour(int(self._generation_ids[i]), float(scores[i]), matrix[i].copy())
                for i in best
            ]

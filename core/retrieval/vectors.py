"""Vectors as bytes for the database, nearest neighbours and maximal marginal relevance."""

from __future__ import annotations

import numpy as np


def to_bytes(vector: np.ndarray) -> bytes:
    """A unit vector as stored: float32, little-endian."""
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<f4")


def top_indices(scores: np.ndarray, count: int) -> np.ndarray:
    """Indices of the `count` highest scores, best first (argpartition: linear, not a full sort)."""
    if count <= 0 or scores.size == 0:
        return np.zeros(0, dtype=np.int64)
    if count < scores.size:
        part = np.argpartition(-scores, count - 1)[:count]
    else:
        part = np.arange(scores.size)
    return part[np.argsort(-scores[part], kind="stable")]


def mmr(relevance: np.ndarray, vectors: np.ndarray, k: int, diversity: float = 0.3) -> list[int]:
    """Pick `k` of the candidates: each next one the most relevant, less its likeness to those
    already picked (`diversity` 0 is plain top-k), so the picks are not near copies of each other."""
    picked: list[int] = []
    if k <= 0 or relevance.size == 0:
        return picked
    likeness = vectors @ vectors.T
    closest = np.full(relevance.size, -np.inf)
    for _ in range(min(k, relevance.size)):
        penalty = np.where(np.isinf(closest), 0.0, closest)
        score = (1 - diversity) * relevance - diversity * penalty
        score[picked] = -np.inf
        best = int(np.argmax(score))
        picked.append(best)
        closest = np.maximum(closest, likeness[best])
    return picked

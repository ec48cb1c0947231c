"""Standings from blind picks: wins, losses and "both bad" per model, and a Bradley–Terry rating
(on the Elo scale) with a bootstrap confidence interval."""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy.orm import Session

from core.comparison.blind import GROUP_PREFIX
from db.repository import variant_groups_like

BOOTSTRAP_SAMPLES = 1000
ITERATIONS = 200
PRIOR = 0.5
"""Half a win each way against every opponent: keeps a model that never lost finite."""


@dataclass(frozen=True)
class Pick:
    """One judged comparison: `winner` beat `loser`, or both were bad (`winner` is None)."""

    first: str
    second: str
    winner: str | None


@dataclass(frozen=True)
class Standing:
    model: str
    judged: int
    wins: int
    losses: int
    both_bad: int
    rating: float
    low: float
    high: float

    @property
    def win_rate(self) -> float | None:
        decided = self.wins + self.losses
        return self.wins / decided if decided else None


def picks(session: Session) -> list[Pick]:
    """Every judged blind comparison of two different models."""
    found = []
    for _group, rows in groupby(variant_groups_like(session, GROUP_PREFIX), key=lambda row: row[0]):
        members = list(rows)
        models = {model for _, _, model, _ in members}
        if len(members) != 2 or len(models) != 2 or any(chosen is None for *_, chosen in members):
            continue  # not judged yet, or not two models
        (_, _, first, first_chosen), (_, _, second, second_chosen) = members
        winner = first if first_chosen else second if second_chosen else None
        found.append(Pick(first, second, winner))
    return found


def bradley_terry(decided: list[tuple[str, str]], models: list[str]) -> dict[str, float]:
    """Elo-scale ratings (mean 1000) from (winner, loser) pairs, by Hunter's MM iterations."""
    wins: Counter[str] = Counter()
    games: Counter[frozenset[str]] = Counter()
    for winner, loser in decided:
        wins[winner] += 1
        games[frozenset((winner, loser))] += 1
    opponents = {m: [o for o in models if o != m] for m in models}
    strength = dict.fromkeys(models, 1.0)
    for _ in range(ITERATIONS):
        updated = {}
        for model in models:
            total = wins[model] + PRIOR * len(opponents[model])
            denominator = sum(
                (games[frozenset((model, other))] + 2 * PRIOR) / (strength[model] + strength[other])
                for other in opponents[model]
            )
            updated[model] = total / denominator if denominator else 1.0
        scale = math.exp(sum(math.log(v) for v in updated.values()) / len(updated))
        strength = {m: v / scale for m, v in updated.items()}
    return {m: 1000 + 400 * math.log10(v) for m, v in strength.items()}


def standings(found: list[Pick], *, seed: int = 0) -> list[Standing]:
    """One row per model, best rating first; the interval is the 2.5–97.5th percentile of the
    rating over bootstrap resamples of the picks."""
    models = sorted({m for p in found for m in (p.first, p.second)})
    if len(models) < 2:
        return []
    decided = [
        (p.winner, p.second if p.winner == p.first else p.first)
        for p in found
        if p.winner is not None
    ]
    ratings = bradley_terry(decided, models)
    rng = random.Random(seed)
    samples: dict[str, list[float]] = {m: [] for m in models}
    for _ in range(BOOTSTRAP_SAMPLES if decided else 0):
        resample = [decided[rng.randrange(len(decided))] for _ in decided]
        for model, rating in bradley_terry(resample, models).items():
            samples[model].append(rating)
    rows = []
    for model in models:
        mine = [p for p in found if model in (p.first, p.second)]
        ordered = sorted(samples[model]) or [ratings[model]]
        rows.append(
            Standing(
                model=model,
                judged=len(mine),
                wins=sum(p.winner == model for p in mine),
                losses=sum(p.winner is not None and p.winner != model for p in mine),
                both_bad=sum(p.winner is None for p in mine),
                rating=round(ratings[model], 1),
                low=round(ordered[int(0.025 * (len(ordered) - 1))], 1),
                high=round(ordered[int(0.975 * (len(ordered) - 1))], 1),
            )
        )
    return sorted(rows, key=lambda row: row.rating, reverse=True)

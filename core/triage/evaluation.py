"""How often triage gets the labels of `evals/triage.*.jsonl` right, per category and overall.

The evaluation messages are never examples (`tests/test_eval_sets.py` keeps them apart), so the
numbers say how triage does on messages it has not seen."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from core.settings import ROOT
from core.triage.labels import CATEGORIES, FIELDS, Triage

EVAL_DIR = ROOT / "evals"


@dataclass(frozen=True)
class TriageCase:
    id: str
    language: str
    text: str
    expected: dict[str, str]


def load_cases(language: str, directory: Path = EVAL_DIR) -> list[TriageCase]:
    """The labelled evaluation messages in `language`."""
    path = directory / f"triage.{language}.jsonl"
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            cases.append(
                TriageCase(row["id"], row["lang"], row["complaint"], {f: row[f] for f in FIELDS})
            )
    return cases


@dataclass
class TriageReport:
    """Accuracy of each label, the category's per category, and what the misses were."""

    language: str
    method: str
    cases: int = 0
    correct: Counter[str] = field(default_factory=Counter)
    per_category: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    """category → [right, cases]."""
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(expected, predicted) category pairs that were wrong."""
    seconds: float = 0.0

    def accuracy(self, name: str) -> float:
        return self.correct[name] / self.cases if self.cases else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "language": self.language,
            "method": self.method,
            "cases": self.cases,
            "accuracy": {name: round(self.accuracy(name), 4) for name in FIELDS},
            "per_category": {
                c: {"right": r, "cases": n, "accuracy": round(r / n, 4) if n else None}
                for c in CATEGORIES
                for r, n in [self.per_category.get(c, [0, 0])]
            },
            "confusions": [
                {"expected": e, "predicted": p, "count": n} for (e, p), n in self.confusions.most_common()
            ],
            "ms_per_message": round(1000 * self.seconds / self.cases, 1) if self.cases else None,
        }

    def markdown(self) -> str:
        lines = [
            (
                f"**{self.language}, {self.method}**: {self.cases} messages, category "
                f"{self.accuracy('category'):.1%}, sentiment {self.accuracy('sentiment'):.1%}, "
                f"urgency {self.accuracy('urgency'):.1%}"
            ),
            "",
            "| category | right | accuracy |",
            "| --- | --- | --- |",
        ]
        for category in CATEGORIES:
            right, total = self.per_category.get(category, [0, 0])
            if total:
                lines.append(f"| {category} | {right}/{total} | {right / total:.0%} |")
        return "\n".join(lines)


def evaluate(
    cases: Sequence[TriageCase],
    label: Callable[[Sequence[TriageCase]], list[Triage]],
    method: str,
) -> TriageReport:
    """Label every case with `label` (all at once, so a classifier can batch) and score it."""
    import time

    start = time.perf_counter()
    found = label(cases)
    report = TriageReport(language=cases[0].language if cases else "", method=method)
    report.seconds = time.perf_counter() - start
    for case, triage in zip(cases, found, strict=True):
        report.cases += 1
        predicted = triage.labels()
        for name in FIELDS:
            report.correct[name] += predicted[name] == case.expected[name]
        expected = case.expected["category"]
        report.per_category[expected][1] += 1
        if predicted["category"] == expected:
            report.per_category[expected][0] += 1
        else:
            report.confusions[(expected, predicted["category"])] += 1
    return report

"""The labelled messages triage learns from, never the evaluation set (`evals/triage.*.jsonl`).

Three sources, all read as `LabelledMessage`: Huayu's own labelled set (`starter/triage/*.jsonl`:
every category, sentiment and urgency in both languages), the starter pack's complaints (their
`kind` is a category), and the complaints staff re-labelled on the desk, which count most because
they are the shop's own customers in the shop's own words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from core.examples.starter import STARTER_DIR, load_starter
from core.triage.labels import check_label
from db.triage import corrected_labels

LABELLED_DIR = STARTER_DIR / "triage"


@dataclass(frozen=True)
class LabelledMessage:
    """A customer's message and the labels it should get; a label may be unknown (None)."""

    text: str
    language: str
    category: str
    sentiment: str | None = None
    urgency: str | None = None
    origin: str = "labelled"
    """`labelled` (Huayu's set), `starter` (a starter-pack complaint) or `staff` (a correction)."""


def labelled_set(directory: Path = LABELLED_DIR) -> list[LabelledMessage]:
    """Huayu's labelled messages; a malformed line raises ValueError naming its file and line."""
    messages = []
    for path in sorted(directory.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                messages.append(
                    LabelledMessage(
                        text=row["complaint"],
                        language=row["lang"],
                        category=check_label("category", row["category"]),
                        sentiment=check_label("sentiment", row["sentiment"]),
                        urgency=check_label("urgency", row["urgency"]),
                    )
                )
            except (KeyError, ValueError) as error:
                raise ValueError(f"{path.name}: line {number}: {error}") from None
    return messages


def starter_complaints() -> list[LabelledMessage]:
    """The starter pack's complaints, labelled with their kind (no sentiment or urgency)."""
    return [
        LabelledMessage(text=row.text, language=row.language, category=row.label, origin="starter")
        for row in load_starter()
        if row.task == "complaint"
    ]


def staff_corrections(session: Session) -> list[LabelledMessage]:
    """Complaints whose labels staff corrected on the desk, newest first, as they left them."""
    return [
        LabelledMessage(
            text=text, language=language, category=category, sentiment=sentiment or None,
            urgency=urgency or None, origin="staff",
        )
        for text, language, category, sentiment, urgency in corrected_labels(session)
    ]


def shipped_examples() -> list[LabelledMessage]:
    """Everything Huayu ships: the labelled set and the starter pack's complaints."""
    return labelled_set() + starter_complaints()

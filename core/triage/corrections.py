"""Staff's corrections of a complaint's labels: stored on its drafts, learnt by the classifier."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from core.triage.labels import FIELDS, check_label
from db.triage import correct_labels, stored_labels, triaged_complaints


@dataclass(frozen=True)
class StoredTriage:
    """A draft's labels as they stand, what the classifier first said, and who changed them."""

    labels: dict[str, str]
    predicted: dict[str, str]
    corrected_by: str | None
    corrected: bool
    confidence: dict[str, float]


def labels_of(sessions: sessionmaker[Session], generation_id: int) -> StoredTriage | None:
    """The labels of a logged draft; None when its request was not triaged."""
    with sessions() as session:
        found = stored_labels(session, generation_id)
    if found is None:
        return None
    labels, record = found
    return _stored(labels, record)


def _stored(labels: dict[str, str], record: dict[str, Any]) -> StoredTriage:
    return StoredTriage(
        labels=labels,
        predicted=dict(record.get("predicted") or labels),
        corrected_by=record.get("corrected_by"),
        corrected="corrected_at" in record,
        confidence=dict(record.get("confidence") or {}),
    )


def correct(
    sessions: sessionmaker[Session],
    generation_ids: Sequence[int],
    labels: dict[str, str],
    corrected_by: str | None = None,
) -> None:
    """Store the labels staff chose on every draft of one request (one transaction)."""
    checked = {name: check_label(name, labels[name]) for name in FIELDS}
    with sessions.begin() as session:
        correct_labels(session, generation_ids, checked, corrected_by)


def labels_jsonl(sessions: sessionmaker[Session], *, corrected_only: bool = True) -> str:
    """The shop's triaged complaints as JSON lines in `starter/triage/`'s format, plus what the
    classifier predicted: staff corrections to keep, share, or add to a labelled set."""
    with sessions() as session:
        rows = triaged_complaints(session, corrected_only=corrected_only)
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)

"""Huayu's starter pack: exemplary replies a new shop's drafts can imitate from the first day.

`starter/*.jsonl` holds complaint → reply pairs in every kind and tone and bouquet descriptions for
every occasion and length, in English and Chinese, written by the team to the default policy.
`python -m core import --starter` stores them as rated generations with source `starter` (once:
importing again skips rows already there) and indexes them for few-shot examples.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from core.drafting.requests import prompt_for
from core.examples.selection import ExampleFinder
from core.settings import ROOT
from db.repository import GenerationRecord, add_rating, log_generation
from db.vectors import external_ids

STARTER_DIR = ROOT / "starter"
SOURCE = "starter"
SHOP_NAME_SLOT = "{shop_name}"


@dataclass(frozen=True)
class StarterRow:
    """One exemplary request and its reply, as written in the pack."""

    id: str
    task: str
    language: str
    fields: dict[str, Any]
    reply: str
    """With `{shop_name}` where the shop signs; filled in when imported."""

    @property
    def label(self) -> str:
        """The complaint's kind or the bouquet's occasion."""
        return str(self.fields.get("kind") or self.fields.get("occasion") or "")

    @property
    def text(self) -> str:
        return str(self.fields.get("complaint") or self.fields.get("details") or "")


def starter_files(directory: Path = STARTER_DIR) -> list[Path]:
    return sorted(directory.glob("*.jsonl"))


def load_starter(directory: Path = STARTER_DIR) -> list[StarterRow]:
    """Every row of the pack; a malformed line raises ValueError naming its file and line."""
    rows = []
    for path in starter_files(directory):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                rows.append(
                    StarterRow(
                        id=str(raw.pop("id")),
                        task=str(raw.pop("task")),
                        language=str(raw.pop("lang")),
                        reply=str(raw.pop("reply")),
                        fields=raw,
                    )
                )
            except (KeyError, json.JSONDecodeError) as error:
                raise ValueError(f"{path.name}: line {number}: {error}") from None
    return rows


@dataclass
class StarterImport:
    """What `import_starter` did."""

    added: list[int] = field(default_factory=list)
    skipped: int = 0
    indexed: int = 0


def _store(session: Session, row: StarterRow, shop_name: str) -> int:
    prompt = prompt_for(row.task, row.language, row.fields, shop_name)
    generation = log_generation(
        session,
        GenerationRecord(
            task=prompt.task,
            template_id=prompt.template_id,
            template_version=prompt.template_version,
            inputs=prompt.inputs,
            messages=prompt.messages,
            output=row.reply.replace(SHOP_NAME_SLOT, shop_name),
            backend="imported",
            model_id=SOURCE,
            source=SOURCE,
            external_id=f"{SOURCE}:{row.id}",
            checks=[],
            # A complaint's kind is its triage category, so examples of the same trouble match.
            category=row.label if row.task == "complaint" else None,
        ),
    )
    # Five stars: what an export of rated replies includes, unless it leaves the pack out.
    add_rating(session, generation.id, stars=5)
    return generation.id


def import_starter(
    sessions: sessionmaker[Session], shop_name: str, finder: ExampleFinder | None = None
) -> StarterImport:
    """Store the rows of the pack not stored yet, in one transaction, then index them."""
    rows = load_starter()
    result = StarterImport()
    with sessions.begin() as session:
        done = external_ids(session, f"{SOURCE}:")
        for row in rows:
            if f"{SOURCE}:{row.id}" in done:
                result.skipped += 1
            else:
                result.added.append(_store(session, row, shop_name))
    if finder is not None and result.added:
        result.indexed = finder.add(result.added)
    return result

"""Importing replies the shop sent before Huayu (or outside it) as rated generations.

A file is CSV or JSONL with `task`, `input`, `reply` and optional `rating`, `draft`, `created_at`.
Each row becomes a generation with backend "imported": its prompt is rebuilt from the task's
template so training records carry the same system prompt the app uses. With a draft, the draft is
the generation's output and the sent reply is the rating's edited reply (an SFT target and a
preference pair); without one, the sent reply is the output.

All good rows are written in ONE transaction: every row is validated before anything is written,
so a bad row never stops the others, and if writing fails (disk full, killed process) nothing is
half-imported, so running the import again after a fix cannot duplicate the rows already done.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from sqlalchemy.orm import Session, sessionmaker

from core.drafting.generation import PreparedPrompt
from core.text import clean_text
from db.repository import GenerationRecord, add_rating, log_generation

BACKEND = "imported"
COLUMNS = ("task", "input", "reply", "rating", "draft", "created_at")
REQUIRED_COLUMNS = ("task", "input", "reply")
_CJK = re.compile(r"[\u3400-\u9fff]")


class ImportFileError(ValueError):
    """The file as a whole cannot be read (missing, unknown type, no header); the message says why."""


class ImportedReply(BaseModel):
    """One row of an import file, validated."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    task: Literal["complaint", "bouquet"]
    input: str
    reply: str
    rating: int | None = None
    draft: str | None = None
    created_at: datetime | None = None

    @field_validator("task", mode="before")
    @classmethod
    def _known_task(cls, value: object) -> object:
        task = clean_text(str(value or "")).lower()
        if task not in ("complaint", "bouquet"):
            raise ValueError(f"task must be complaint or bouquet, not {value!r}")
        return task

    @field_validator("input", "reply", mode="before")
    @classmethod
    def _has_text(cls, value: object, info: Any) -> str:
        text = clean_text(str(value) if value is not None else "")
        if not text:
            raise ValueError(f"{info.field_name} is empty")
        return text

    @field_validator("draft", mode="before")
    @classmethod
    def _optional_text(cls, value: object) -> str | None:
        return clean_text(str(value)) or None if value is not None else None

    @field_validator("rating", mode="before")
    @classmethod
    def _stars(cls, value: object) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        text = str(value).strip()
        if isinstance(value, bool) or not re.fullmatch(r"[1-5](?:\.0*)?", text):
            raise ValueError(f"rating must be a whole number of stars from 1 to 5, not {value!r}")
        return int(float(text))

    @field_validator("created_at", mode="before")
    @classmethod
    def _when(cls, value: object) -> datetime | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            when = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise ValueError(
                f"created_at must be an ISO date such as 2026-03-01T10:00:00Z, not {value!r}"
            ) from None
        return when if when.tzinfo else when.replace(tzinfo=UTC)

    @property
    def language(self) -> str:
        """The reply's language: Chinese if it has any Chinese characters."""
        return "zh" if _CJK.search(self.reply) else "en"


def _complaint_prompt(text: str, language: str, shop_name: str) -> PreparedPrompt:
    from core.drafting.complaint_reply import ComplaintRequest, build_prompt

    return build_prompt(ComplaintRequest(complaint=text, language=language), shop_name)  # type: ignore[arg-type]


def _bouquet_prompt(text: str, language: str, shop_name: str) -> PreparedPrompt:
    from core.drafting.bouquet_description import BouquetRequest, build_prompt

    # An imported row says nothing about occasion or length: the neutral options.
    request = BouquetRequest(details=text, occasion="just_because", length="medium", language=language)  # type: ignore[arg-type]
    return build_prompt(request, shop_name)


# How each task's prompt is rebuilt for a bare input: (input text, reply language, shop name).
PROMPT_BUILDERS: dict[str, Callable[[str, str, str], PreparedPrompt]] = {
    "complaint": _complaint_prompt,
    "bouquet": _bouquet_prompt,
}


@dataclass(frozen=True)
class RowError:
    """A row that was not imported: its line in the file and why."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportResult:
    """What an import did: ids of the generations stored, and the rows rejected."""

    generation_ids: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    with_draft: int = 0

    @property
    def imported(self) -> int:
        return len(self.generation_ids)


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, row) for each row of a CSV or JSONL file; a row that cannot even be parsed is
    given as the reason instead of a dict."""
    if not path.is_file():
        raise ImportFileError(f"{path} not found: give the path of a .csv or .jsonl file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from _csv_rows(path)
    elif suffix in (".jsonl", ".ndjson", ".json"):
        yield from _jsonl_rows(path)
    else:
        raise ImportFileError(
            f"{path.name}: unknown file type {suffix or '(none)'}; use .csv or .jsonl"
        )


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    # utf-8-sig: Excel writes a byte-order mark that would otherwise become part of "task".
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        header = [name.strip().lower() for name in reader.fieldnames or []]
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        if missing:
            raise ImportFileError(
                f"{path.name}: the first line must name the columns; missing: {', '.join(missing)} "
                f"(expected {', '.join(COLUMNS)})"
            )
        reader.fieldnames = header
        line = reader.line_num + 1
        for row in reader:
            # A quoted field may span lines: the row starts where the previous one ended.
            if None in row:
                yield (
                    line,
                    f"{len(row[None]) + len(header)} fields where the header has {len(header)}",
                )
            elif not any((value or "").strip() for value in row.values()):
                pass  # blank line
            else:
                yield line, row
            line = reader.line_num + 1


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    with path.open(encoding="utf-8-sig") as file:
        for line, text in enumerate(file, start=1):
            if not text.strip():
                continue
            try:
                row = json.loads(text)
            except json.JSONDecodeError as error:
                yield line, f"not valid JSON ({error.msg})"
                continue
            yield line, row if isinstance(row, dict) else "not a JSON object"


def parse_row(row: dict[str, Any]) -> ImportedReply:
    """A validated row, or ValueError with the first problem as a sentence."""
    try:
        return ImportedReply.model_validate({k.strip().lower(): v for k, v in row.items() if k})
    except ValidationError as error:
        first = error.errors()[0]
        cause = first.get("ctx", {}).get("error")
        field_name = ".".join(map(str, first["loc"]))
        if cause is not None:
            raise ValueError(str(cause)) from None
        if first["type"] == "missing":
            raise ValueError(f"{field_name} is missing") from None
        raise ValueError(f"{field_name}: {first['msg']}") from None


def store_reply(session: Session, reply: ImportedReply, shop_name: str) -> int:
    """Store one imported reply as a generation with its rating; returns the generation's id."""
    prompt = PROMPT_BUILDERS[reply.task](reply.input, reply.language, shop_name)
    generation = log_generation(
        session,
        GenerationRecord(
            task=prompt.task,
            template_id=prompt.template_id,
            template_version=prompt.template_version,
            inputs=prompt.inputs,
            messages=prompt.messages,
            output=reply.draft or reply.reply,
            backend=BACKEND,
            model_id=BACKEND,
        ),
    )
    rating = add_rating(
        session,
        generation.id,
        stars=reply.rating,
        edited_reply=reply.reply if reply.draft else None,
    )
    if reply.created_at is not None:
        # The record type has no time of its own: an import keeps the time the reply was sent.
        generation.created_at = rating.created_at = reply.created_at
    return generation.id


def import_file(sessions: sessionmaker[Session], path: Path, shop_name: str) -> ImportResult:
    """Import every good row of `path` in one transaction; bad rows are listed, not imported."""
    result = ImportResult()
    with sessions.begin() as session:
        for line, row in read_rows(path):
            if isinstance(row, str):
                result.errors.append(RowError(line, row))
                continue
            try:
                reply = parse_row(row)
            except ValueError as error:
                result.errors.append(RowError(line, str(error)))
                continue
            result.generation_ids.append(store_reply(session, reply, shop_name))
            result.with_draft += reply.draft is not None
    return result

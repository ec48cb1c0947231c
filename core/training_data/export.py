"""The fine-tuning export: what staff did with drafts, turned into training files.

Rules, each a small pure function below:
- SFT target: the reply staff actually sent (the edited reply) when there is one, else the draft,
  if its newest rating did not mark it down (thumbs down or 1–2 stars); a picked variant counts as
  approved even unrated.
- Preference pairs: edited reply (chosen) vs its draft; picked variant vs each other variant; the
  best-rated reply vs each lower-rated reply to the exact same prompt.
- KTO verdicts: thumbs, else stars (4–5 good, 1–2 bad); an edited reply is always good.
- `min_rating` keeps records whose source generation (for pairs: the chosen side's) has at least
  that many stars in its newest rating.
Then every record is scrubbed of personal data (unless asked not to), exact duplicates are dropped,
and a hash of the prompt sends it to train or validation, so the split is the same on every run and
replies to one prompt never straddle it. Rows stream from the database and records stream to disk.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session, sessionmaker

from core.training_data.export_formats import (
    FORMATS,
    Example,
    ExportFormat,
    KtoExample,
    PreferenceExample,
    SftExample,
    map_texts,
)
from core.training_data.scrub import scrub
from db.export_queries import (
    ExportFilter,
    ExportRow,
    edited_generations,
    rated_generations,
    rated_generations_by_prompt,
    variant_generations,
)

DATASET_INFO = "dataset_info.json"


@dataclass(frozen=True)
class ExportOptions:
    """What to export and how; mirrors `python -m core export`'s options."""

    format: str
    task: str | None = None
    min_rating: int | None = None
    since: date | None = None
    split: float = 0.0
    scrub: bool = True
    include_starter: bool = True

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(f"unknown format {self.format!r}; choose one of: {', '.join(FORMATS)}")
        if not 0.0 <= self.split < 1.0:
            raise ValueError(
                "the validation split must be a fraction from 0 up to (not including) 1"
            )
        if self.min_rating is not None and not 1 <= self.min_rating <= 5:
            raise ValueError("the minimum rating must be between 1 and 5 stars")

    def filter(self) -> ExportFilter:
        since = datetime.combine(self.since, time.min, tzinfo=UTC) if self.since else None
        return ExportFilter(
            task=self.task, since=since, min_rating=self.min_rating, include_starter=self.include_starter
        )


@dataclass
class ExportSummary:
    """What an export wrote."""

    files: list[Path] = field(default_factory=list)
    train: int = 0
    validation: int = 0
    duplicates: int = 0
    sources: Counter[str] = field(default_factory=Counter)
    """Preference pairs per pairing rule (edit, variant, rating)."""

    @property
    def records(self) -> int:
        return self.train + self.validation


# -- rules: rows -> examples ---------------------------------------------------------------------


def _prompt(row: ExportRow) -> tuple[dict[str, str], ...]:
    return tuple({"role": m["role"], "content": m["content"]} for m in row.messages)


def _marked_down(row: ExportRow) -> bool:
    return row.thumbs == -1 or (row.stars is not None and row.stars <= 2)


def _meets(row: ExportRow, min_rating: int | None) -> bool:
    return min_rating is None or (row.stars is not None and row.stars >= min_rating)


def sft_example(row: ExportRow) -> SftExample | None:
    """The edited reply, else an approved draft; None when the row teaches nothing good."""
    if row.edited_reply:
        return SftExample(_prompt(row), row.edited_reply)
    if row.rating_id is None and not row.chosen:
        return None
    if _marked_down(row) or not row.output.strip():
        return None
    return SftExample(_prompt(row), row.output)


def verdict(row: ExportRow) -> bool | None:
    """Good (True), bad (False) or no verdict (None), from thumbs, else stars."""
    if row.thumbs is not None:
        return row.thumbs > 0
    if row.stars is not None and row.stars != 3:
        return row.stars >= 4
    return None


def kto_examples(row: ExportRow) -> list[KtoExample]:
    """The rated draft with its verdict, and the edited reply as a good completion."""
    examples = []
    label = verdict(row)
    if label is not None and row.output.strip():
        examples.append(KtoExample(_prompt(row), row.output, label))
    if row.edited_reply and row.edited_reply != row.output:
        examples.append(KtoExample(_prompt(row), row.edited_reply, True))
    return examples


def edit_pair(row: ExportRow) -> PreferenceExample | None:
    """What staff sent (chosen) over the draft they changed (rejected)."""
    if (
        not row.edited_reply
        or not row.output.strip()
        or row.edited_reply.strip() == row.output.strip()
    ):
        return None
    return PreferenceExample(_prompt(row), row.edited_reply, row.output, "edit")


def variant_pairs(group: list[ExportRow], min_rating: int | None = None) -> list[PreferenceExample]:
    """The picked variant over each variant not picked, if exactly one was picked."""
    picked = [row for row in group if row.chosen]
    if len(picked) != 1 or not _meets(picked[0], min_rating) or not picked[0].output.strip():
        return []
    best = picked[0]
    return [
        PreferenceExample(_prompt(best), best.output, row.output, "variant")
        for row in group
        if row.chosen is False and row.output.strip() and row.output.strip() != best.output.strip()
    ]


def score(row: ExportRow) -> int | None:
    """A reply's rating on one scale: stars, else thumbs up as 4 and down as 2."""
    if row.stars is not None:
        return row.stars
    return {1: 4, -1: 2}.get(row.thumbs) if row.thumbs is not None else None


def rating_pairs(
    same_prompt: list[ExportRow], min_rating: int | None = None
) -> list[PreferenceExample]:
    """The best-rated reply over each lower-rated reply to the same prompt (n-1 pairs, not n²)."""
    scored = [
        (s, row) for row in same_prompt if (s := score(row)) is not None and row.output.strip()
    ]
    if len(scored) < 2:
        return []
    best_score, best = max(scored, key=lambda item: (item[0], -item[1].generation_id))
    if not _meets(best, min_rating):
        return []
    return [
        PreferenceExample(_prompt(best), best.output, row.output, "rating")
        for s, row in scored
        if s < best_score and row.output.strip() != best.output.strip()
    ]


# -- reading: database -> examples ---------------------------------------------------------------


def _groups(
    rows: Iterable[ExportRow], key: Callable[[ExportRow], Any]
) -> Iterator[list[ExportRow]]:
    # Rows arrive ordered by `key`, so each group is complete when the key changes.
    for _, group in itertools.groupby(rows, key=key):
        yield list(group)


def examples(session: Session, kind: str, where: ExportFilter) -> Iterator[Example]:
    """Every example of `kind` ("sft", "preference", "kto") that the rules draw from the database."""
    if kind == "sft":
        for row in rated_generations(session, where):
            if (example := sft_example(row)) is not None:
                yield example
    elif kind == "kto":
        for row in rated_generations(session, where):
            yield from kto_examples(row)
    elif kind == "preference":
        for row in edited_generations(session, where):
            if (pair := edit_pair(row)) is not None:
                yield pair
        for group in _groups(variant_generations(session, where), key=lambda r: r.variant_group):
            yield from variant_pairs(group, where.min_rating)
        for group in _groups(rated_generations_by_prompt(session, where), key=lambda r: r.messages):
            yield from rating_pairs(group, where.min_rating)
    else:
        raise ValueError(f"unknown example kind {kind!r}")


# -- writing: examples -> files ------------------------------------------------------------------


def _fingerprint(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def in_validation(example: Example, fraction: float) -> bool:
    """Whether `example` belongs to the validation split: decided by a hash of its prompt alone."""
    if fraction <= 0:
        return False
    prompt = json.dumps(example.prompt, ensure_ascii=False, sort_keys=True)
    return _fingerprint(prompt) / 2**64 < fraction


def output_paths(out: Path, split: float) -> tuple[Path, Path | None]:
    """`out` itself, or `name.train.jsonl` and `name.val.jsonl` beside it when splitting."""
    if split <= 0:
        return out, None
    stem, suffix = out.with_suffix(""), out.suffix or ".jsonl"
    return Path(f"{stem}.train{suffix}"), Path(f"{stem}.val{suffix}")


def write_records(
    records: Iterable[tuple[Example, dict[str, Any]]],
    train: IO[str],
    validation: IO[str] | None,
    split: float,
    summary: ExportSummary,
) -> None:
    """Write each record as one JSON line, dropping exact duplicates, into its split."""
    # 8-byte fingerprints: about 100 bytes each in a set, 10 MB per 100k records, no text kept.
    seen: set[int] = set()
    for example, record in records:
        line = json.dumps(record, ensure_ascii=False)
        fingerprint = _fingerprint(line)
        if fingerprint in seen:
            summary.duplicates += 1
            continue
        seen.add(fingerprint)
        if isinstance(example, PreferenceExample):
            summary.sources[example.source] += 1
        if validation is not None and in_validation(example, split):
            validation.write(line + "\n")
            summary.validation += 1
        else:
            train.write(line + "\n")
            summary.train += 1


def _records(
    source: Iterable[Example], export_format: ExportFormat, scrubbed: bool
) -> Iterator[tuple[Example, dict[str, Any]]]:
    # Prompts repeat (several drafts, pairs and verdicts per prompt, and rows come grouped), so a
    # small cache for this one export saves most of the scrubbing; bounded, so memory stays flat.
    scrub_cached = functools.lru_cache(maxsize=4096)(scrub)
    for example in source:
        if scrubbed:
            example = map_texts(example, scrub_cached)
            if isinstance(example, PreferenceExample) and example.chosen == example.rejected:
                continue  # only personal data told them apart
        yield example, export_format.record(example)


def dataset_info_entry(export_format: ExportFormat, file_name: str) -> dict[str, Any]:
    """The LLaMA-Factory `dataset_info.json` entry for an exported file."""
    assert export_format.llama_factory is not None
    return {"file_name": file_name, **export_format.llama_factory}


def write_dataset_info(directory: Path, entries: dict[str, dict[str, Any]]) -> Path:
    """Add `entries` to `directory/dataset_info.json`, keeping the datasets already listed there."""
    path = directory / DATASET_INFO
    info = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    info.update(entries)
    path.write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def dataset_name(path: Path) -> str:
    """The name a file is listed under in `dataset_info.json`: its name without `.jsonl`, dots as `_`."""
    return path.name.removesuffix(path.suffix).replace(".", "_")


def export_dataset(
    sessions: sessionmaker[Session], options: ExportOptions, out: Path
) -> ExportSummary:
    """Write the training file(s) for `options` at `out` (and `dataset_info.json` for LLaMA-Factory)."""
    export_format = FORMATS[options.format]
    train_path, validation_path = output_paths(out, options.split)
    train_path.parent.mkdir(parents=True, exist_ok=True)
    summary = ExportSummary()
    with sessions() as session, train_path.open("w", encoding="utf-8") as train:
        validation = validation_path.open("w", encoding="utf-8") if validation_path else None
        try:
            source = examples(session, export_format.kind, options.filter())
            write_records(
                _records(source, export_format, options.scrub),
                train,
                validation,
                options.split,
                summary,
            )
        finally:
            if validation is not None:
                validation.close()
    summary.files = [train_path, *([validation_path] if validation_path else [])]
    if export_format.llama_factory is not None:
        entries = {
            dataset_name(p): dataset_info_entry(export_format, p.name) for p in summary.files
        }
        summary.files.append(write_dataset_info(train_path.parent, entries))
    return summary


@dataclass(frozen=True)
class ExportDownload:
    """An export packed for a browser download: one JSONL file, or a zip when there are several."""

    data: bytes
    file_name: str
    mime: str
    summary: ExportSummary


def export_download(
    sessions: sessionmaker[Session], options: ExportOptions, name: str = "huayu"
) -> ExportDownload:
    """Run the export into a temporary folder and pack what it wrote for downloading."""
    import io
    import tempfile
    import zipfile

    base = f"{name}-{options.format}"
    with tempfile.TemporaryDirectory(prefix="huayu-export-") as folder:
        summary = export_dataset(sessions, options, Path(folder) / f"{base}.jsonl")
        if len(summary.files) == 1:
            data, file_name, mime = (
                summary.files[0].read_bytes(),
                summary.files[0].name,
                "application/jsonl",
            )
        else:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in summary.files:
                    archive.write(path, arcname=path.name)
            data, file_name, mime = buffer.getvalue(), f"{base}.zip", "application/zip"
        summary.files = [Path(p.name) for p in summary.files]
    return ExportDownload(data=data, file_name=file_name, mime=mime, summary=summary)

"""The knowledge folder: `knowledge/<lang>/*.md`, each `## ` section a passage that stands alone."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from core.settings import ROOT

DEFAULT_DIR = ROOT / "knowledge"
MAX_SECTION_CHARS = 1200
"""A longer section is cut at paragraph breaks: one passage must fit a small model's budget."""
_HEADING = re.compile(r"^(#{1,3})\s+(.+?)\s*#*\s*$")
_SAFE_NAME = re.compile(r"^[\w-]+\.md$")


def knowledge_dir() -> Path:
    """`HUAYU_KNOWLEDGE_DIR`, else the repository's `knowledge/`."""
    return Path(os.environ.get("HUAYU_KNOWLEDGE_DIR") or DEFAULT_DIR)


@dataclass(frozen=True)
class Section:
    source: str
    """`en/care.md`"""
    heading: str
    text: str


def knowledge_files(language: str, directory: Path | None = None) -> list[Path]:
    folder = (directory or knowledge_dir()) / language
    return sorted(folder.glob("*.md")) if folder.is_dir() else []


def file_path(language: str, name: str, directory: Path | None = None) -> Path:
    """Where file `name` of `language` lives; a name that could leave the folder is refused."""
    if language not in ("en", "zh") or not _SAFE_NAME.match(name):
        raise ValueError(
            f"a knowledge file is named like faq.md (letters, digits, - and _), not {name!r}"
        )
    return (directory or knowledge_dir()) / language / name


def sections(source: str, markdown: str) -> list[Section]:
    """The passages of one file: each `##`/`###` section under its heading (the `#` title is only
    the file's name), long ones cut at blank lines into parts of at most MAX_SECTION_CHARS."""
    found: list[Section] = []
    heading, lines = "", []

    def close() -> None:
        body = "\n".join(lines).strip()
        if heading and body:
            for number, part in enumerate(_parts(body), start=1):
                found.append(
                    Section(source, heading if number == 1 else f"{heading} ({number})", part)
                )

    for line in markdown.splitlines():
        match = _HEADING.match(line)
        if match and len(match.group(1)) >= 2:
            close()
            heading, lines = match.group(2), []
        elif not (match and len(match.group(1)) == 1):
            lines.append(line)
    close()
    return found


def _parts(body: str) -> list[str]:
    if len(body) <= MAX_SECTION_CHARS:
        return [body]
    parts, current = [], ""
    for paragraph in re.split(r"\n\s*\n", body):
        if current and len(current) + len(paragraph) + 2 > MAX_SECTION_CHARS:
            parts.append(current)
            current = ""
        current = f"{current}\n\n{paragraph}" if current else paragraph
    return [*parts, current] if current else parts


def all_sections(language: str, directory: Path | None = None) -> list[Section]:
    root = directory or knowledge_dir()
    return [
        section
        for path in knowledge_files(language, root)
        for section in sections(path.relative_to(root).as_posix(), path.read_text(encoding="utf-8"))
    ]


def read_knowledge_file(language: str, name: str, directory: Path | None = None) -> str:
    path = file_path(language, name, directory)
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def save_knowledge_file(
    language: str, name: str, text: str, directory: Path | None = None
) -> list[Section]:
    """Write a knowledge file (atomically: a crash never leaves half a file) and return its
    sections as drafts will see them."""
    path = file_path(language, name, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = text.replace("\r\n", "\n").rstrip() + "\n"
    partial = path.with_suffix(".md.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
    return sections(f"{language}/{name}", text)

"""Cleaning what staff paste in, before it reaches a prompt or the database."""

from __future__ import annotations

import re
import unicodedata

# Control characters except tab and newline; NUL breaks PostgreSQL text columns outright.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class InputError(ValueError):
    """Input the user must fix; the message says how."""


def clean_text(text: str | None) -> str:
    """`text` with control characters removed and line endings unified; emoji and CJK kept."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text).strip()


def require_text(text: str | None, what: str) -> str:
    """Cleaned `text`, or `InputError` if nothing is left of it."""
    cleaned = clean_text(text)
    if not cleaned:
        raise InputError(f"The {what} is empty: paste or type it first.")
    return cleaned


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&:])")


def escape_markdown(text: str) -> str:
    """`text` escaped so a markdown renderer shows it verbatim: no links, images, HTML or maths.

    Works chunk by chunk (every character is escaped on its own), so it can wrap a token stream.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")

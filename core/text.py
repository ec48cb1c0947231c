"""Cleaning what staff paste in, before it reaches a prompt or the database."""

from __future__ import annotations

import re
import unicodedata

# Control characters except tab and newline; NUL breaks PostgreSQL text columns outright. Bidi
# overrides and isolates (U+202A-202E, U+2066-2069) make text display differently from what it
# says ("Trojan source"); zero-width joiners stay, emoji sequences need them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Lone surrogates arrive from command-line bytes that are not UTF-8 and cannot be stored.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class InputError(ValueError):
    """Input the user must fix; the message says how."""


def clean_text(text: str | None) -> str:
    """`text` with control characters removed and line endings unified; emoji and CJK kept."""
    if not text:
        return ""
    text = remove_control_characters(text.replace("\r\n", "\n").replace("\r", "\n"))
    return unicodedata.normalize("NFC", text).strip()


def remove_control_characters(text: str) -> str:
    """`text` without control characters, bidi overrides and lone surrogates; nothing else changes.

    Used on model output too, which is stored as it came except for what a database refuses.
    """
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", text))


def require_text(text: str | None, what: str) -> str:
    """Cleaned `text`, or `InputError` if nothing is left of it."""
    cleaned = clean_text(text)
    if not any(_visible(character) for character in cleaned):
        raise InputError(f"The {what} is empty: paste or type it first.")
    return cleaned


def _visible(character: str) -> bool:
    # Zero-width spaces and joiners (format characters) and spaces of any width show nothing.
    return not character.isspace() and unicodedata.category(character) not in ("Cf", "Zs")


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&:])")


def escape_markdown(text: str) -> str:
    """`text` escaped so a markdown renderer shows it verbatim: no links, images, HTML or maths.

    Works chunk by chunk (every character is escaped on its own), so it can wrap a token stream.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def guess_language(text: str) -> str:
    """`zh` when Chinese characters make up a fair share of `text`'s letters, else `en`: enough
    for telling the shop's two languages apart, not a general language detector."""
    han = len(_HAN.findall(text))
    latin = sum(character.isascii() and character.isalpha() for character in text)
    return "zh" if han and han * 3 >= latin else "en"

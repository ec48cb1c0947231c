"""Prompt templates: TOML files in `prompts/`, one per task and reply language.

A template's id is its file name (`complaint_reply.en`) and its version is a hash of its content
plus any text it includes (the shop policy), so every logged generation says exactly which wording
produced it, and editing the policy is a new version.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.drafting.grounding import Passage
from core.settings import ROOT

PROMPTS_DIR = ROOT / "prompts"
LANGUAGES = ("en", "zh")


def prompts_dir() -> Path:
    """Where templates live: `HUAYU_PROMPTS_DIR`, else the repository's `prompts/`."""
    return Path(os.environ.get("HUAYU_PROMPTS_DIR") or PROMPTS_DIR)


@dataclass(frozen=True)
class PromptTemplate:
    """A loaded template. `tables` holds its option texts, e.g. `tables["tones"]["warm"]`;
    `examples` its example exchanges by option, e.g. `examples["warm"]["reply"]`."""

    id: str
    task: str
    language: str
    version: str
    system: str
    user: str
    tables: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    includes: Mapping[str, str] = field(default_factory=dict)
    examples: Mapping[str, Any] = field(default_factory=dict)
    max_new_tokens: int | Mapping[str, int] | None = None
    """The most new tokens the task needs: one number, or one per option (bouquet lengths)."""

    def messages(
        self, examples: Sequence[Mapping[str, str]] = (), **values: str
    ) -> list[dict[str, str]]:
        """The chat messages with every placeholder filled; a missing value is a KeyError.

        Each of `examples` (`{"user": …, "reply": …}`, both already filled) goes between the
        system message and the user's, in order, as an earlier exchange for the model to imitate.
        """
        filled = {**self.includes, **values}
        turns = [{"role": "system", "content": self.system.format_map(filled)}]
        for example in examples:
            turns += [
                {"role": "user", "content": example["user"]},
                {"role": "assistant", "content": example["reply"]},
            ]
        return [*turns, {"role": "user", "content": self.user.format_map(filled)}]


def load_template(
    name: str, language: str, includes: Mapping[str, str] | None = None
) -> PromptTemplate:
    """Load `prompts/{name}.{language}.toml`; `includes` are texts that become part of it."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    path = prompts_dir() / f"{name}.{language}.toml"
    raw = path.read_bytes()
    data: dict[str, Any] = tomllib.loads(raw.decode("utf-8"))
    digest = hashlib.sha256(raw)
    for key, text in sorted((includes or {}).items()):
        digest.update(f"\0{key}\0{text}".encode())
    return PromptTemplate(
        id=path.stem,
        task=data["task"],
        language=data["language"],
        version=digest.hexdigest()[:12],
        system=data["system"],
        user=data["user"],
        tables={
            k: v for k, v in data.items() if isinstance(v, dict) and k not in ("examples", "max_new_tokens")
        },
        includes=dict(includes or {}),
        examples=data.get("examples", {}),
        max_new_tokens=data.get("max_new_tokens"),
    )


def knowledge_block(template: PromptTemplate, passages: Sequence[Passage]) -> str:
    """The template's lines that put the shop's knowledge before the request; empty without any."""
    lines = template.tables.get("knowledge")
    if not passages or not lines:
        return ""
    body = "\n".join(lines["passage"].format(heading=p.heading, text=p.text) for p in passages)
    return f"{lines['heading']}\n{body}\n\n"


def shop_policy(language: str) -> str:
    """The shop's policy text: `data/policy.{lang}.md` if the shop wrote one, else the default."""
    override = ROOT / "data" / f"policy.{language}.md"
    path = override if override.is_file() else prompts_dir() / f"policy.{language}.md"
    return path.read_text(encoding="utf-8").strip()


def delimit_text(text: str, tag: str) -> str:
    """`text`, made safe to place between `<tag>` tags: a forged opening or closing tag inside it
    cannot end the block early and smuggle in instructions."""
    pattern = re.compile(rf"</?\s*{re.escape(tag)}\s*>", re.IGNORECASE)
    return pattern.sub(lambda m: m.group(0).replace("<", "‹").replace(">", "›"), text)


def delimit_customer_text(text: str) -> str:
    """Customer text, made safe to place between `<customer_message>` tags."""
    return delimit_text(text, "customer_message")


def tag_stops(tag: str) -> tuple[str, str]:
    """Stop strings for a prompt that delimits text with `<tag>`: small models sometimes echo the
    delimiters and invent another turn, and a reply never contains them."""
    return (f"<{tag}>", f"</{tag}>")

"""The training set for the shop's model: approved replies as prompt → completion examples.

Sources, best first: replies staff edited and sent, drafts they approved (the export's SFT rule,
`core.training_data.export.sft_example`), then Huayu's starter pack. The prompt is the exact chat
the app sends for that request (system prompt, the tone's example, the request), so the model learns
to answer the prompts it will be given; the loss falls on the reply only. Personal data is scrubbed
and a hash of the prompt sends each example to train or validation, as in the export.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlalchemy.orm import Session, sessionmaker

from core.drafting.requests import prompt_for
from core.examples.starter import SHOP_NAME_SLOT, load_starter
from core.training_data.export import in_validation, sft_example
from core.training_data.export_formats import SftExample, map_texts
from core.training_data.scrub import scrub
from db.export_queries import ExportFilter, rated_generations

Source = Literal["db", "starter", "both"]
SOURCES: tuple[str, ...] = ("db", "starter", "both")
VALIDATION_SHARE = 0.1
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Example:
    """One training example and where it came from ("edited", "rated", "starter" or "file")."""

    sft: SftExample
    origin: str
    language: str

    def record(self) -> dict[str, object]:
        """TRL's conversational prompt-completion row."""
        return {
            "prompt": [dict(m) for m in self.sft.prompt],
            "completion": [{"role": "assistant", "content": self.sft.completion}],
        }


@dataclass
class TuneData:
    """The examples split for training, with what the manifest records about them."""

    train: list[Example] = field(default_factory=list)
    validation: list[Example] = field(default_factory=list)

    def counts(self) -> dict[str, object]:
        every = self.train + self.validation
        return {
            "train": len(self.train),
            "validation": len(self.validation),
            "by_origin": dict(Counter(e.origin for e in every)),
            "by_language": dict(Counter(e.language for e in every)),
        }

    def fingerprint(self) -> str:
        """sha256 of every example in order: the data snapshot the model was trained on."""
        digest = hashlib.sha256()
        for example in self.train + self.validation:
            digest.update(json.dumps(example.record(), ensure_ascii=False, sort_keys=True).encode())
            digest.update(b"\n")
        return digest.hexdigest()


def reply_language(text: str) -> str:
    return "zh" if _CJK.search(text) else "en"


def shop_examples(session: Session) -> list[Example]:
    """The shop's own approved replies, edited-and-sent first, then rated; oldest first within."""
    edited: list[Example] = []
    rated: list[Example] = []
    for row in rated_generations(session, ExportFilter(include_starter=False)):
        sft = sft_example(row)
        if sft is None:
            continue
        origin = "edited" if row.edited_reply else "rated"
        (edited if row.edited_reply else rated).append(
            Example(sft, origin, reply_language(sft.completion))
        )
    return edited + rated


def starter_examples(shop_name: str) -> list[Example]:
    """The starter pack's pairs, prompted exactly as the app prompts those requests."""
    examples = []
    for row in load_starter():
        prompt = prompt_for(row.task, row.language, row.fields, shop_name)
        reply = row.reply.replace(SHOP_NAME_SLOT, shop_name)
        examples.append(Example(SftExample(prompt.messages, reply), "starter", row.language))
    return examples


def file_examples(path: Path) -> list[Example]:
    """Examples from a JSONL file the export wrote (`trl-prompt-completion` or `openai`)."""
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if "messages" in row:
                messages = row["messages"]
                prompt, completion = messages[:-1], messages[-1]["content"]
            else:
                prompt, completion = row["prompt"], row["completion"][-1]["content"]
        except (KeyError, IndexError, TypeError, json.JSONDecodeError) as error:
            raise ValueError(
                f"{path.name}: line {number}: not a prompt-completion row ({error})"
            ) from None
        sft = SftExample(
            tuple({"role": m["role"], "content": m["content"]} for m in prompt), completion
        )
        examples.append(Example(sft, "file", reply_language(completion)))
    return examples


def mix(shop: list[Example], starter: list[Example], starter_share: float) -> list[Example]:
    """The shop's examples plus starter examples making up at most `starter_share` of the set
    (all of the pack when the shop has none yet), spread evenly over the pack's kinds."""
    if not shop:
        return starter
    if starter_share <= 0:
        return shop
    room = int(len(shop) * starter_share / max(1e-9, 1 - starter_share))
    if room >= len(starter):
        return shop + starter
    step = len(starter) / room if room else 0
    return shop + [starter[int(i * step)] for i in range(room)]


def build(
    sessions: sessionmaker[Session] | None,
    source: Source | Path,
    *,
    shop_name: str,
    languages: frozenset[str] | None = None,
    starter_share: float = 0.5,
    limit: int | None = None,
    validation_share: float = VALIDATION_SHARE,
) -> TuneData:
    """The training set from `source`, kept to `languages`, scrubbed, deduplicated and split."""
    if isinstance(source, Path):
        examples = file_examples(source)
    else:
        shop: list[Example] = []
        if source in ("db", "both"):
            if sessions is None:
                raise ValueError("the database source needs a database")
            with sessions() as session:
                shop = shop_examples(session)
        starter = starter_examples(shop_name) if source in ("starter", "both") else []
        examples = mix(shop, starter, starter_share if source == "both" else 1.0)
    if languages is not None:
        examples = [e for e in examples if e.language in languages]
    data = TuneData()
    seen: set[str] = set()
    for example in examples:
        scrubbed = Example(map_texts(example.sft, scrub), example.origin, example.language)  # type: ignore[arg-type]
        key = json.dumps(scrubbed.record(), ensure_ascii=False, sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        if in_validation(scrubbed.sft, validation_share):
            data.validation.append(scrubbed)
        else:
            data.train.append(scrubbed)
    if limit is not None:
        # Best first is the order they came in: edited, rated, then the pack.
        data.train = data.train[:limit]
        data.validation = data.validation[: max(1, limit // 8)] if data.validation else []
    return data


def available(sessions: sessionmaker[Session], languages: frozenset[str] | None) -> Counter[str]:
    """How many examples each source would give ("edited", "rated", "starter"), before dedup."""
    with sessions() as session:
        counts = Counter(
            e.origin for e in shop_examples(session) if languages is None or e.language in languages
        )
    # The pack's rows are counted as they are; building their prompts is for training.
    counts["starter"] = sum(
        languages is None or row.language in languages for row in load_starter()
    )
    return counts


def preference_rows(
    sessions: sessionmaker[Session], languages: frozenset[str] | None
) -> list[dict[str, object]]:
    """The export's preference pairs (edits, picked variants and blind picks, ratings), scrubbed,
    as TRL's conversational prompt/chosen/rejected rows for DPO."""
    from core.training_data.export import examples
    from core.training_data.export_formats import PreferenceExample

    rows = []
    with sessions() as session:
        for pair in examples(session, "preference", ExportFilter(include_starter=False)):
            assert isinstance(pair, PreferenceExample)
            if languages is not None and reply_language(pair.chosen) not in languages:
                continue
            pair = map_texts(pair, scrub)  # type: ignore[assignment]
            rows.append(
                {
                    "prompt": [dict(m) for m in pair.prompt],
                    "chosen": [{"role": "assistant", "content": pair.chosen}],
                    "rejected": [{"role": "assistant", "content": pair.rejected}],
                }
            )
    return rows

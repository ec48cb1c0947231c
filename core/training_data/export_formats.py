"""Training-data formats: one small pure function per format turns an example into a record.

Three kinds of example come out of the database (see `core.training_data.export`): a supervised one (prompt and
the reply to learn), a preference pair (a better and a worse reply to one prompt) and a single
verdict (one reply, good or bad). Every format takes one kind; `FORMATS` is the registry the CLI and
the export page read. The prompt always keeps the system message used at generation time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, TypeAlias

Message: TypeAlias = dict[str, str]
Kind = Literal["sft", "preference", "kto"]


@dataclass(frozen=True)
class SftExample:
    """A prompt and the reply a model should learn to give."""

    prompt: tuple[Message, ...]
    completion: str


@dataclass(frozen=True)
class PreferenceExample:
    """A prompt, a better reply and a worse one; `source` says which rule paired them."""

    prompt: tuple[Message, ...]
    chosen: str
    rejected: str
    source: Literal["edit", "variant", "rating"]


@dataclass(frozen=True)
class KtoExample:
    """A prompt, one reply, and whether it was good (`label`)."""

    prompt: tuple[Message, ...]
    completion: str
    label: bool


Example: TypeAlias = SftExample | PreferenceExample | KtoExample


def map_texts(example: Example, change: Callable[[str], str]) -> Example:
    """`example` with `change` applied to every customer and reply text; system messages are the
    shop's own words and stay exactly as they were sent."""
    prompt = tuple(
        m if m["role"] == "system" else {**m, "content": change(m["content"])}
        for m in example.prompt
    )
    if isinstance(example, PreferenceExample):
        return replace(
            example, prompt=prompt, chosen=change(example.chosen), rejected=change(example.rejected)
        )
    return replace(example, prompt=prompt, completion=change(example.completion))


def _assistant(text: str) -> Message:
    return {"role": "assistant", "content": text}


def _system_and_turns(prompt: Sequence[Message]) -> tuple[str, list[Message]]:
    system = "\n\n".join(m["content"] for m in prompt if m["role"] == "system")
    return system, [m for m in prompt if m["role"] != "system"]


def openai_chat(example: SftExample) -> dict[str, Any]:
    """OpenAI chat fine-tuning: the whole conversation, ending with the assistant's reply."""
    return {"messages": [*example.prompt, _assistant(example.completion)]}


def trl_prompt_completion(example: SftExample) -> dict[str, Any]:
    """TRL conversational prompt-completion: the loss falls on the completion only."""
    return {"prompt": list(example.prompt), "completion": [_assistant(example.completion)]}


def trl_dpo(example: PreferenceExample) -> dict[str, Any]:
    """TRL conversational preference with an explicit prompt (DPOTrainer, RewardTrainer…)."""
    return {
        "prompt": list(example.prompt),
        "chosen": [_assistant(example.chosen)],
        "rejected": [_assistant(example.rejected)],
    }


def trl_kto(example: KtoExample) -> dict[str, Any]:
    """TRL conversational unpaired preference (KTOTrainer)."""
    return {
        "prompt": list(example.prompt),
        "completion": [_assistant(example.completion)],
        "label": example.label,
    }


def alpaca(example: SftExample) -> dict[str, Any]:
    """LLaMA-Factory alpaca: the last user turn is the instruction; earlier turns are history."""
    system, turns = _system_and_turns(example.prompt)
    history = [
        [turns[i]["content"], turns[i + 1]["content"]]
        for i in range(0, len(turns) - 1, 2)
        if turns[i]["role"] == "user" and turns[i + 1]["role"] == "assistant"
    ]
    return {
        "instruction": turns[-1]["content"],
        "input": "",
        "output": example.completion,
        "system": system,
        "history": history,
    }


_SHAREGPT_ROLES = {"user": "human", "assistant": "gpt"}


def sharegpt(example: SftExample) -> dict[str, Any]:
    """LLaMA-Factory sharegpt: human/gpt turns in `conversations`, the system prompt beside them."""
    system, turns = _system_and_turns(example.prompt)
    conversation = [{"from": _SHAREGPT_ROLES[m["role"]], "value": m["content"]} for m in turns]
    return {
        "conversations": [*conversation, {"from": "gpt", "value": example.completion}],
        "system": system,
    }


@dataclass(frozen=True)
class ExportFormat:
    """A training-data format: which examples it takes and how one becomes a record."""

    name: str
    kind: Kind
    record: Callable[[Any], dict[str, Any]]
    description: str
    llama_factory: dict[str, Any] | None = None
    """The `dataset_info.json` settings LLaMA-Factory needs for this format (besides the file)."""


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("openai-chat", "sft", openai_chat, "OpenAI chat fine-tuning (messages)"),
        ExportFormat("trl-sft", "sft", openai_chat, "TRL SFTTrainer, conversational (messages)"),
        ExportFormat(
            "trl-prompt-completion",
            "sft",
            trl_prompt_completion,
            "TRL SFTTrainer, conversational prompt/completion",
        ),
        ExportFormat("trl-dpo", "preference", trl_dpo, "TRL DPOTrainer (prompt/chosen/rejected)"),
        ExportFormat("trl-kto", "kto", trl_kto, "TRL KTOTrainer (prompt/completion/label)"),
        ExportFormat(
            "alpaca",
            "sft",
            alpaca,
            "LLaMA-Factory alpaca (with dataset_info.json)",
            llama_factory={
                "formatting": "alpaca",
                "columns": {
                    "prompt": "instruction",
                    "query": "input",
                    "response": "output",
                    "system": "system",
                    "history": "history",
                },
            },
        ),
        ExportFormat(
            "sharegpt",
            "sft",
            sharegpt,
            "LLaMA-Factory sharegpt (with dataset_info.json)",
            llama_factory={
                "formatting": "sharegpt",
                "columns": {"messages": "conversations", "system": "system"},
                "tags": {
                    "role_tag": "from",
                    "content_tag": "value",
                    "user_tag": "human",
                    "assistant_tag": "gpt",
                    "system_tag": "system",
                },
            },
        ),
    )
}

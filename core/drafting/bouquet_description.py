"""Writing the description shown with a bouquet: the request and its prompt."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, field_validator

from core.drafting.generation import PreparedPrompt
from core.drafting.grounding import NO_GROUNDING, Grounding
from core.drafting.prompts import delimit_text, knowledge_block, load_template, tag_stops
from core.text import clean_text, require_text

TASK = "bouquet"
Occasion = Literal[
    "birthday",
    "anniversary",
    "valentine",
    "mothers_day",
    "wedding",
    "congratulations",
    "housewarming",
    "thanks",
    "get_well",
    "apology",
    "sympathy",
    "just_because",
]
OCCASIONS: tuple[str, ...] = get_args(Occasion)
Length = Literal["short", "medium", "long"]
LENGTHS: tuple[str, ...] = get_args(Length)
Language = Literal["en", "zh"]
# The staff's text sits between these tags in the prompt (see the template's instructions).
DETAILS_TAG = "bouquet_details"


class BouquetRequest(BaseModel):
    """What the staff entered on the bouquet page (or the CLI)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    details: str
    occasion: Occasion = "just_because"
    recipient: str = ""
    length: Length = "medium"
    language: Language = "en"

    @field_validator("details")
    @classmethod
    def _details_have_text(cls, value: str) -> str:
        return require_text(value, "list of flowers")

    @field_validator("recipient")
    @classmethod
    def _clean(cls, value: str) -> str:
        return clean_text(value)


def build_prompt(
    request: BouquetRequest, shop_name: str, grounding: Grounding = NO_GROUNDING
) -> PreparedPrompt:
    """The bouquet-description template filled in for `request`; the occasion sets the tone.

    The length's own example comes first, then `grounding`'s past descriptions, most similar last;
    its knowledge passages sit in the request itself.
    """
    template = load_template("bouquet_description", request.language)
    line = template.tables["lines"]
    lines = [line["flowers"].format(value=request.details)]
    if request.recipient:
        lines.append(line["recipient"].format(value=request.recipient))

    def exchange(details: str, reply: str) -> dict[str, str]:
        return {
            "user": template.user.format(details=delimit_text(details, DETAILS_TAG), knowledge=""),
            "reply": reply,
        }

    examples = []
    if length_example := template.examples.get(request.length):
        examples.append(exchange(length_example["details"], length_example["reply"]))
    examples += [
        exchange(line["flowers"].format(value=e.request), e.reply)
        for e in reversed(grounding.examples)
    ]
    knowledge = knowledge_block(template, grounding.passages)
    if not knowledge:
        grounding = Grounding(examples=grounding.examples)
    messages = template.messages(
        examples,
        shop_name=shop_name,
        occasion=template.tables["occasions"][request.occasion],
        length=template.tables["lengths"][request.length],
        details=delimit_text("\n".join(lines), DETAILS_TAG),
        knowledge=knowledge,
    )
    return PreparedPrompt(
        task=TASK,
        template_id=template.id,
        template_version=template.version,
        inputs=request.model_dump(),
        messages=messages,
        stop=tag_stops(DETAILS_TAG),
        references=tuple(p.text for p in grounding.passages),
        max_new_tokens=(
            template.max_new_tokens.get(request.length)
            if isinstance(template.max_new_tokens, Mapping)
            else template.max_new_tokens
        ),
        grounding=grounding,
    )

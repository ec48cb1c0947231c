"""Drafting a reply to a customer's complaint: the request and its prompt."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

from core.drafting.generation import PreparedPrompt
from core.drafting.grounding import NO_GROUNDING, Grounding
from core.drafting.prompts import (
    PromptTemplate,
    delimit_customer_text,
    knowledge_block,
    load_template,
    shop_policy,
    tag_stops,
)
from core.quality.topics import policy_rules
from core.text import clean_text, require_text
from core.triage.labels import Triage

TASK = "complaint"
TONES = ("apologetic", "warm", "formal")
Tone = Literal["apologetic", "warm", "formal"]
Language = Literal["en", "zh"]


class ComplaintRequest(BaseModel):
    """What the staff entered on the complaint page (or the CLI)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    complaint: str
    order_number: str = ""
    product: str = ""
    delivery_date: str = ""
    tone: Tone = "apologetic"
    language: Language = "en"

    @field_validator("complaint")
    @classmethod
    def _complaint_has_text(cls, value: str) -> str:
        return require_text(value, "complaint")

    @field_validator("order_number", "product", "delivery_date")
    @classmethod
    def _clean(cls, value: str) -> str:
        # One line each: these sit outside the customer-message tags, so a pasted line break
        # must not start what looks like a new instruction.
        return " ".join(clean_text(value).split())


def policy_hint(
    template: PromptTemplate, complaint: str, policy: str, language: str, category: str | None = None
) -> str:
    """The template's line naming the policy rules this complaint is about, or saying none is.

    Empty when the template has no such lines (a shop's own older template)."""
    hints = template.tables.get("policy_hints")
    if not hints:
        return ""
    rules = policy_rules(complaint, policy, language, category)
    if not rules:
        return hints["none"]
    joiner = "；" if language == "zh" else " "
    return hints["rules"].format(rules=joiner.join(rule.lstrip("- ") for rule in rules))


def build_prompt(
    request: ComplaintRequest,
    shop_name: str,
    grounding: Grounding = NO_GROUNDING,
    triage: Triage | None = None,
) -> PreparedPrompt:
    """The complaint-reply template filled in for `request`, with the shop's policy.

    The tone's own example comes first (it is the same for every request in that tone, so the
    model's cached prefix still covers it); then `grounding`'s past replies, the most similar
    last, next to the request; its knowledge passages sit in the request itself. The triage
    category, when given, puts its own policy rule first and is logged with the draft.
    """
    category = triage.category if triage is not None else None
    policy = shop_policy(request.language)
    template = load_template("complaint_reply", request.language, includes={"policy": policy})
    labels = template.tables["order_labels"]
    order_lines = [
        f"- {labels[key]}: {delimit_customer_text(value)}"
        for key, value in (
            ("number", request.order_number),
            ("product", request.product),
            ("delivery_date", request.delivery_date),
        )
        if value
    ]
    order_details = (
        f"{labels['heading']}:\n" + "\n".join(order_lines) + "\n\n" if order_lines else ""
    )

    def exchange(complaint: str, reply: str) -> dict[str, str]:
        return {
            "user": template.user.format(
                order_details="",
                complaint=delimit_customer_text(complaint),
                knowledge="",
                policy_hint=policy_hint(template, complaint, policy, request.language),
            ),
            "reply": reply,
        }

    examples = []
    if tone_example := template.examples.get(request.tone):
        examples.append(
            exchange(tone_example["complaint"], tone_example["reply"].format(shop_name=shop_name))
        )
    examples += [exchange(e.request, e.reply) for e in reversed(grounding.examples)]
    knowledge = knowledge_block(template, grounding.passages)
    if not knowledge:
        grounding = Grounding(examples=grounding.examples)
    messages = template.messages(
        examples,
        shop_name=shop_name,
        tone=template.tables["tones"][request.tone],
        order_details=order_details,
        complaint=delimit_customer_text(request.complaint),
        knowledge=knowledge,
        policy_hint=policy_hint(template, request.complaint, policy, request.language, category),
    )
    return PreparedPrompt(
        task=TASK,
        template_id=template.id,
        template_version=template.version,
        inputs=request.model_dump(),
        messages=messages,
        stop=tag_stops("customer_message"),
        references=(policy, *(p.text for p in grounding.passages)),
        max_new_tokens=template.max_new_tokens
        if isinstance(template.max_new_tokens, int)
        else None,
        grounding=grounding,
        triage=triage,
    )

"""Drafting a reply to a customer's complaint: the request and its prompt."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

from core.drafting.generation import PreparedPrompt
from core.drafting.prompts import delimit_customer_text, load_template, shop_policy, tag_stops
from core.text import clean_text, require_text

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


def build_prompt(request: ComplaintRequest, shop_name: str) -> PreparedPrompt:
    """The complaint-reply template filled in for `request`, with the shop's policy."""
    template = load_template(
        "complaint_reply", request.language, includes={"policy": shop_policy(request.language)}
    )
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
    order_details = f"{labels['heading']}:\n" + "\n".join(order_lines) + "\n\n" if order_lines else ""
    messages = template.messages(
        shop_name=shop_name,
        tone=template.tables["tones"][request.tone],
        order_details=order_details,
        complaint=delimit_customer_text(request.complaint),
    )
    return PreparedPrompt(
        task=TASK,
        template_id=template.id,
        template_version=template.version,
        inputs=request.model_dump(),
        messages=messages,
        stop=tag_stops("customer_message"),
    )

"""A request from stored fields (an evaluation case, a starter-pack row) as the app builds it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.drafting import bouquet_description, complaint_reply
from core.drafting.generation import PreparedPrompt
from core.drafting.grounding import NO_GROUNDING, Grounding
from core.triage.labels import Triage


def prompt_for(
    task: str,
    language: str,
    fields: Mapping[str, Any],
    shop_name: str,
    grounding: Grounding = NO_GROUNDING,
    triage: Triage | None = None,
) -> PreparedPrompt:
    """The prompt for a complaint (`complaint`, `tone`, `order`) or a bouquet (`details`,
    `occasion`, `recipient`, `length`) written in `language`; `triage` is a complaint's labels."""
    if task == "bouquet":
        bouquet = bouquet_description.BouquetRequest(
            details=fields["details"],
            occasion=fields.get("occasion", "just_because"),
            recipient=fields.get("recipient", ""),
            length=fields.get("length", "medium"),
            language=language,  # type: ignore[arg-type]
        )
        return bouquet_description.build_prompt(bouquet, shop_name, grounding)
    order = fields.get("order") or {}
    complaint = complaint_reply.ComplaintRequest(
        complaint=fields["complaint"],
        order_number=order.get("number", ""),
        product=order.get("product", ""),
        delivery_date=order.get("delivery_date", ""),
        tone=fields.get("tone", "apologetic"),
        language=language,  # type: ignore[arg-type]
    )
    return complaint_reply.build_prompt(complaint, shop_name, grounding, triage)


def request_text(inputs: Mapping[str, Any]) -> str:
    """The staff's text of a request: the complaint, or the bouquet details."""
    return str(inputs.get("complaint") or inputs.get("details") or "")

"""The fixed lists triage chooses from, and what it decided for one message."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict

Category = Literal[
    "freshness",
    "late_delivery",
    "wrong_address",
    "damaged",
    "wrong_item",
    "not_as_pictured",
    "card_message",
    "billing",
    "cancellation",
    "request_ignored",
    "staff_conduct",
    "other",
]
Sentiment = Literal["very_negative", "negative", "neutral", "positive"]
Urgency = Literal["high", "normal"]

CATEGORIES: tuple[str, ...] = get_args(Category)
SENTIMENTS: tuple[str, ...] = get_args(Sentiment)
URGENCIES: tuple[str, ...] = get_args(Urgency)
FIELDS = ("category", "sentiment", "urgency")
CHOICES: dict[str, tuple[str, ...]] = {
    "category": CATEGORIES,
    "sentiment": SENTIMENTS,
    "urgency": URGENCIES,
}


class TriageLabels(BaseModel):
    """The three labels of one customer message: also the JSON schema the chat model fills."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    category: Category
    sentiment: Sentiment
    urgency: Urgency


@dataclass(frozen=True)
class Triage:
    """What triage decided for one message, and the classifier's score for each label."""

    category: str
    sentiment: str
    urgency: str
    method: str
    """`classifier`, `model` or `combined`: which way of labelling produced it."""
    confidence: dict[str, float] = field(default_factory=dict)
    """Per label, the classifier's score for its choice (a softmax of the SVM's margins: it ranks,
    it is not a calibrated probability); empty for the chat model."""

    def labels(self) -> dict[str, str]:
        """`{"category", "sentiment", "urgency"}`: what the CLI prints and the columns store."""
        return {"category": self.category, "sentiment": self.sentiment, "urgency": self.urgency}

    def logged(self) -> dict[str, Any]:
        """The generation's `triage` column: the prediction, kept when staff correct it."""
        return {
            "predicted": self.labels(),
            "method": self.method,
            "confidence": {key: round(value, 3) for key, value in self.confidence.items()},
        }


def check_label(field_name: str, value: str) -> str:
    """`value` if it is one of `field_name`'s choices; ValueError naming them otherwise."""
    if value not in CHOICES[field_name]:
        raise ValueError(f"{field_name} must be one of {', '.join(CHOICES[field_name])}, not {value!r}")
    return value

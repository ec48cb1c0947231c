"""Labelling a message with the chat model itself: its structured output under the labels'
JSON schema, so even the tiny embedded model can only answer with the allowed labels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import create_model

from core.triage.labels import Sentiment, Triage, TriageLabels, Urgency

if TYPE_CHECKING:
    from core.triage.classifier import TriageClassifier

UNSURE_BELOW = 0.5
"""The classifier's category score under which `combine` asks the chat model."""
CANDIDATES = 3
"""How many of the classifier's most likely categories the chat model chooses among."""

INSTRUCTIONS = {
    "en": """You sort a flower shop's customer messages. Answer with JSON only.
category: the problem the customer most wants fixed:
- freshness: flowers wilted, dying early, brown petals
- late_delivery: arrived late or not yet
- wrong_address: taken to the wrong place or person
- damaged: broken in transit (crushed box, snapped stems, broken vase)
- wrong_item: a different product, colour or size than ordered, or a missing add-on
- not_as_pictured: smaller or different from the website photo
- card_message: card missing, blank, misspelt or wrong
- billing: charged wrongly, discount not applied, refund missing
- cancellation: wants to cancel or stop an order
- request_ignored: an instruction in the order was not followed
- staff_conduct: a rude or careless driver or member of staff
- other: questions and anything else
sentiment: very_negative, negative, neutral or positive.
urgency: high if the event is today or tomorrow, a funeral, or a repeat complaint; else normal.""",
    "zh": """你为花店的顾客消息分类。只用 JSON 回答，标签用英文。
category：顾客最想解决的问题：
- freshness：花蔫了、过早枯萎
- late_delivery：送晚了或还没送到
- wrong_address：送错地方或送错人
- damaged：运输中损坏（盒子压扁、花枝折断、花瓶碎了）
- wrong_item：商品、颜色、尺寸与订单不符，或漏了附加礼品
- not_as_pictured：比网页图片小或不一样
- card_message：贺卡缺失、空白、写错
- billing：扣款错误、优惠没生效、退款没到
- cancellation：想取消或停止订单
- request_ignored：订单里的要求没有照做
- staff_conduct：配送员或店员态度差
- other：咨询和其他
sentiment：very_negative、negative、neutral 或 positive。
urgency：活动在今天或明天、葬礼、重复投诉为 high；否则 normal。""",
}


def classify_with_model(chat_model: BaseChatModel, text: str, language: str) -> Triage:
    """The chat model's labels for `text`, decoded under `TriageLabels`' grammar."""
    labeller = chat_model.with_structured_output(TriageLabels)
    labels = labeller.invoke(
        [SystemMessage(INSTRUCTIONS.get(language, INSTRUCTIONS["en"])), HumanMessage(text)]
    )
    assert isinstance(labels, TriageLabels)
    return Triage(**labels.model_dump(), method="model")


def combine(classifier: TriageClassifier, chat_model: BaseChatModel, text: str, language: str) -> Triage:
    """The classifier's labels; when it is unsure of the category, the chat model chooses among
    its few most likely ones (the grammar allows no other)."""
    found = classifier.predict([text])[0]
    if found.confidence.get("category", 1.0) >= UNSURE_BELOW:
        return found
    classes, scores = classifier.scores([text])["category"]
    ranked = [classes[i] for i in scores[0].argsort()[::-1][:CANDIDATES]]
    narrowed = create_model(
        "TriageChoice",
        category=(Literal[tuple(ranked)], ...),  # type: ignore[valid-type]
        sentiment=(Sentiment, ...),
        urgency=(Urgency, ...),
    )
    labels = chat_model.with_structured_output(narrowed).invoke(
        [SystemMessage(INSTRUCTIONS.get(language, INSTRUCTIONS["en"])), HumanMessage(text)]
    )
    return Triage(
        category=labels.category,  # type: ignore[union-attr]
        sentiment=found.sentiment,
        urgency=found.urgency,
        method="combined",
        confidence=found.confidence,
    )

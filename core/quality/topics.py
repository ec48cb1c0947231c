"""Which rules of the shop policy a complaint is about, from the words it uses.

The guard's remedy check asks whether a reply offers what those rules give, and the complaint
prompt names them right before the customer's message, where a small model heeds them most.
"""

from __future__ import annotations

from core.quality.lexicon import POLICY_TOPICS, find_term


def policy_topics(complaint: str, language: str) -> list[str]:
    """The policy topics (`freshness`, `late_delivery`…) a complaint's words point to."""
    return [
        topic
        for topic, terms in POLICY_TOPICS.items()
        # Chinese customers write English words too ("refund", "delivery"); not the reverse.
        if find_term(complaint, terms[language] + (terms["en"] if language == "zh" else ()))
    ]


CATEGORY_TOPICS = {
    "freshness": "freshness",
    "wrong_item": "wrong_item",
    "late_delivery": "late_delivery",
    "damaged": "damaged",
    "billing": "double_charge",
}
"""The policy topic of each triage category that has one (the others have no rule of their own)."""


def policy_rules(
    complaint: str, policy: str, language: str, category: str | None = None
) -> list[str]:
    """The lines of `policy` for the topics of `complaint`, best match first.

    A line belongs to a topic when it uses the topic's own words ("wilt", "Double charge"),
    so a shop's own policy file works as long as each rule names what it is about. The triage
    `category`'s own topic, when it has one, comes first: it is what the customer most wants fixed.
    """
    lines = [line.strip() for line in policy.splitlines() if line.strip()]
    rules: list[str] = []
    topics = policy_topics(complaint, language)
    if (first := CATEGORY_TOPICS.get(category or "")) is not None:
        topics = [first, *(topic for topic in topics if topic != first)]
    for topic in topics:
        terms = POLICY_TOPICS[topic][language] + POLICY_TOPICS[topic]["en"]
        scored = [(sum(find_term(line, (term,)) is not None for term in terms), line) for line in lines]
        score, line = max(scored, key=lambda pair: pair[0], default=(0, ""))
        if score and line not in rules:
            rules.append(line)
    return rules

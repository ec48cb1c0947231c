"""The evaluation sets: well formed, covering what the issue asks, and kept apart from every
example the model is shown (a case that is nearly an example measures copying, not drafting)."""

from __future__ import annotations

from collections import Counter

import pytest

from core.drafting.bouquet_description import LENGTHS, OCCASIONS
from core.drafting.prompts import load_template
from core.quality.evaluation import case_text, load_cases, near_duplicates, similarity
from tests.conftest import shared_jsonl

KINDS = {
    "freshness", "late_delivery", "wrong_address", "damaged", "wrong_item", "not_as_pictured",
    "card_message", "billing", "cancellation", "request_ignored", "staff_conduct", "other",
}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_each_language_has_40_complaints_over_the_common_kinds_and_20_bouquets(language: str) -> None:
    complaints = load_cases(language, "complaint")
    bouquets = load_cases(language, "bouquet")
    assert len(complaints) >= 40 and len(bouquets) >= 20
    assert {c.language for c in complaints + bouquets} == {language}
    kinds = Counter(c.fields["kind"] for c in complaints)
    assert set(kinds) == KINDS and min(kinds.values()) >= 3
    assert set(Counter(c.fields["tone"] for c in complaints)) == {"apologetic", "warm", "formal"}
    assert {c.fields["occasion"] for c in bouquets} == set(OCCASIONS)
    assert {c.fields["length"] for c in bouquets} == set(LENGTHS)
    ids = [c.id for c in complaints + bouquets]
    assert len(ids) == len(set(ids))


def template_examples() -> list[tuple[str, str]]:
    """Every text of every template example, named by where it sits (examples nest by topic)."""

    def texts(prefix: str, value: object) -> list[tuple[str, str]]:
        if isinstance(value, dict):
            return [pair for key, inner in value.items() for pair in texts(f"{prefix}.{key}", inner)]
        return [(prefix, str(value))]

    return [
        pair
        for name in ("complaint_reply", "bouquet_description")
        for language in ("en", "zh")
        for pair in texts(f"{name}.{language}", load_template(name, language).examples)
    ]


def test_no_case_is_a_near_duplicate_of_a_template_example_or_a_sample() -> None:
    cases = [(case.id, case_text(case)) for case in load_cases("all")]
    samples = [(f"shared:{i}", row.get("complaint") or row.get("details", "")) for i, row in
               enumerate(shared_jsonl("complaints.jsonl") + shared_jsonl("bouquets.jsonl"))]
    assert template_examples()
    assert near_duplicates(cases, template_examples() + samples) == []


def test_no_two_cases_are_near_duplicates() -> None:
    cases = [(case.id, case_text(case)) for case in load_cases("all")]
    assert near_duplicates(cases, cases) == []


def test_similarity_finds_a_lightly_edited_copy() -> None:
    original = "The tulips for my aunt's birthday arrived wilted and brown this morning."
    assert similarity(original, original) == 1.0
    assert similarity(original, original.replace("aunt's", "mum's")) > 0.6
    assert similarity(original, "Your driver was rude to my grandmother.") < 0.2
    assert similarity("阿姨的生日郁金香今天上午送到时已经蔫了", "妈妈的生日郁金香今天上午送到时已经蔫了") > 0.6


@pytest.mark.parametrize("case", load_cases("all"), ids=lambda case: case.id)
def test_every_case_has_a_reference_reply_that_passes_every_check(case) -> None:
    from core.quality.checks import judge
    from core.quality.guard import draft_context

    shop = "Huayu Flowers"
    reference = case.fields["reference"].replace("{shop_name}", shop)
    assert judge(draft_context(case.prompt(shop), reference)).failures == []


def test_no_case_is_a_near_duplicate_of_a_starter_pack_row() -> None:
    from core.examples.starter import load_starter

    cases = [(case.id, case_text(case)) for case in load_cases("all")]
    assert near_duplicates(cases, [(row.id, row.text) for row in load_starter()]) == []

"""The shop's knowledge: Markdown files cut into sections, found per request, cited under drafts."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.drafting.complaint_reply import ComplaintRequest, build_prompt
from core.drafting.grounding import Grounding
from core.knowledge.files import all_sections, file_path, save_knowledge_file, sections
from core.knowledge.search import KnowledgeBase, approx_tokens
from core.retrieval.embeddings import UseEmbeddings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBase:
    return KnowledgeBase(UseEmbeddings(), ROOT / "knowledge")


def test_sections_are_the_headed_parts_and_long_ones_are_cut_at_paragraphs() -> None:
    text = (
        "# Care\n\nIntro without a heading is the file's, not a passage.\n\n## Roses\nCut the stems.\n\n## Tulips\n"
        + ("Tulips keep growing in the vase. " * 30 + "\n\n") * 3
    )
    found = sections("en/care.md", text)
    assert [s.heading for s in found] == ["Roses", "Tulips", "Tulips (2)", "Tulips (3)"]
    assert found[0].text == "Cut the stems." and found[0].source == "en/care.md"
    assert all(len(s.text) <= 1200 for s in found)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_default_knowledge_covers_the_five_subjects_in_both_languages(language: str) -> None:
    found = all_sections(language, ROOT / "knowledge")
    assert {s.source.split("/")[1] for s in found} == {
        "faq.md",
        "care.md",
        "delivery.md",
        "substitutions.md",
        "products.md",
    }
    assert len(found) >= 60


@pytest.mark.parametrize(
    ("language", "request_text", "source"),
    [
        ("en", "How should I look after the tulips so they last?", "en/care.md"),
        ("en", "Do you deliver to North Hills and what does it cost?", "en/delivery.md"),
        ("zh", "郁金香怎么养才能开得久一点？", "zh/care.md"),
        ("zh", "你们送北山区吗？配送费多少？", "zh/delivery.md"),
    ],
)
def test_a_request_finds_the_section_that_answers_it(
    knowledge, language, request_text, source
) -> None:
    passages = knowledge.find(request_text, language)
    assert passages and passages[0].source == source
    assert sum(approx_tokens(p.text) for p in passages) <= 320


def test_the_budget_and_the_similarity_floor_hold(knowledge) -> None:
    assert knowledge.find("How do I care for tulips?", "en", budget=10) == []
    assert knowledge.find("qwzx vbnm plkj", "en") == []


def test_an_edited_file_is_embedded_again(tmp_path: Path) -> None:
    base = KnowledgeBase(UseEmbeddings(), tmp_path)
    save_knowledge_file(
        "en",
        "events.md",
        "# Events\n\n## Weddings\nWe dress wedding venues with fresh flowers.",
        tmp_path,
    )
    assert base.find("Can you decorate my wedding venue?", "en")[0].heading == "Weddings"
    save_knowledge_file(
        "en", "events.md", "# Events\n\n## Funerals\nWe make standing sprays and wreaths.", tmp_path
    )
    assert base.find("Do you make funeral wreaths?", "en")[0].heading == "Funerals"


def test_a_file_name_cannot_leave_the_folder(tmp_path: Path) -> None:
    for name in ("../secrets.md", "a/b.md", "notes.txt", ""):
        with pytest.raises(ValueError):
            file_path("en", name, tmp_path)
    with pytest.raises(ValueError):
        file_path("fr", "faq.md", tmp_path)


def test_passages_go_into_the_request_and_count_as_known_facts(knowledge) -> None:
    passages = tuple(knowledge.find("Do you deliver to North Hills and what does it cost?", "en"))
    prompt = build_prompt(
        ComplaintRequest(complaint="Do you deliver to North Hills?"),
        "Shop",
        Grounding(passages=passages),
    )
    assert passages[0].text in prompt.messages[-1]["content"]
    assert prompt.grounding.passages == passages and passages[0].text in prompt.references

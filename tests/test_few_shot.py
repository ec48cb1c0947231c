"""Few-shot examples from the best past replies, through the real embedding model (USE m3)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.cli.parser import main
from core.drafting.complaint_reply import ComplaintRequest, build_prompt
from core.drafting.generation import GenerationRun
from core.drafting.grounding import ExampleReply, Grounding, Passage
from core.examples.selection import ExampleFinder, approved_reply
from core.examples.starter import import_starter
from core.history.feedback import save_rating
from core.models.backends import GenerationParams
from core.retrieval.embeddings import UseEmbeddings
from core.retrieval.vectors import mmr
from db.models import Generation
from db.repository import GenerationRecord, log_generation

SHOP = "Huayu Flowers"
EDITED_EN = (
    "I am so sorry the orchid pot arrived with a crack right down its side. We will send you a new "
    "pot free of charge this week.\n\nHuayu Flowers"
)
EDITED_ZH = (
    "非常抱歉，您的蝴蝶兰花盆送到时裂了一道缝。我们会免费为您更换一个新的花盆。\n\nHuayu Flowers"
)


@pytest.fixture(scope="module")
def embeddings() -> UseEmbeddings:
    return UseEmbeddings()  # loaded once for the module: the model is the part under test


def drafted(
    sessions: sessionmaker[Session], complaint: str, language: str = "en", output: str = "Sorry."
) -> int:
    """A draft of the app's, logged as the app logs it."""
    prompt = build_prompt(ComplaintRequest(complaint=complaint, language=language), SHOP)  # type: ignore[arg-type]
    with sessions.begin() as session:
        return log_generation(
            session,
            GenerationRecord(
                task="complaint",
                template_id=prompt.template_id,
                template_version=prompt.template_version,
                inputs=prompt.inputs,
                messages=prompt.messages,
                output=output,
                backend="fake",
                model_id="fake",
            ),
        ).id


@pytest.fixture
def shop(sessions: sessionmaker[Session], embeddings: UseEmbeddings) -> ExampleFinder:
    """A shop with the starter pack imported and indexed, as after `core import --starter`."""
    finder = ExampleFinder(sessions, embeddings)
    result = import_starter(sessions, SHOP, finder)
    assert result.indexed == len(result.added) >= 400
    return finder


def test_the_embeddings_are_langchain_embeddings_of_unit_length(embeddings: UseEmbeddings) -> None:
    documents = embeddings.embed_documents(["The roses wilted.", "玫瑰花蔫了。"])
    query = embeddings.embed_query("My flowers died overnight")
    assert len(documents) == 2 and len(documents[0]) == len(query) == 512
    assert np.allclose(np.linalg.norm(np.array(documents), axis=1), 1.0, atol=1e-4)
    # Chinese and English land in one space: the translation is nearer than another complaint.
    same, other = (
        np.array(documents[0]),
        np.array(embeddings.embed_query("You charged my card twice.")),
    )
    assert same @ np.array(documents[1]) > same @ other


def test_mmr_skips_a_near_copy_of_a_pick_for_a_different_one() -> None:
    vectors = np.array([[1.0, 0.0], [0.999, 0.045], [0.6, 0.8]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    relevance = np.array([0.7, 0.69, 0.6])  # cosines as USE gives them for related complaints
    assert mmr(relevance, vectors, 2, diversity=0.0) == [0, 1]
    assert mmr(relevance, vectors, 2, diversity=0.3) == [0, 2]


@pytest.mark.parametrize(
    ("sent_in", "asked_in", "asked"),
    [
        ("en", "en", "The pot my orchid came in has a big crack along one side."),
        ("zh", "zh", "蝴蝶兰的花盆收到就裂了一条缝。"),
        ("zh", "en", "The pot my orchid came in has a big crack along one side."),
        ("en", "zh", "蝴蝶兰的花盆收到就裂了一条缝。"),
    ],
)
def test_a_similar_complaint_gets_the_reply_staff_edited_and_sent(
    shop: ExampleFinder, sessions: sessionmaker[Session], sent_in: str, asked_in: str, asked: str
) -> None:
    complaint = {
        "en": "My orchid arrived and the ceramic pot was cracked.",
        "zh": "收到的蝴蝶兰，陶瓷花盆是裂的。",
    }[sent_in]
    edited = {"en": EDITED_EN, "zh": EDITED_ZH}[sent_in]
    generation_id = drafted(sessions, complaint, sent_in)
    save_rating(sessions, generation_id, thumbs=-1, edited_reply=edited, examples=shop)

    found = shop.find("complaint", asked, asked_in, 3)
    assert generation_id in [e.generation_id for e in found]
    mine = next(e for e in found if e.generation_id == generation_id)
    assert (mine.tier, mine.reply, mine.request) == ("edited", edited, complaint)
    assert len({e.generation_id for e in found}) == len(found) == 3


@pytest.mark.storage
def test_a_rating_saved_in_one_process_is_used_by_the_next_draft_in_another(
    shop: ExampleFinder, sessions: sessionmaker[Session], embeddings: UseEmbeddings
) -> None:
    # Two browser tabs of one process share one finder; two app processes on one database
    # (or two shops' machines on one PostgreSQL) each have their own: the harder case.
    other = ExampleFinder(sessions, embeddings)
    asked = "The ceramic pot of my orchid was cracked when it came."
    assert other.find("complaint", asked, "en", 2)  # its index is loaded before the rating
    generation_id = drafted(sessions, "My orchid arrived and the ceramic pot was cracked.")
    save_rating(sessions, generation_id, stars=5, examples=shop)
    assert other.find("complaint", asked, "en", 2)[0].generation_id == generation_id


def test_a_draft_rated_down_later_is_no_longer_an_example(
    shop: ExampleFinder, sessions: sessionmaker[Session]
) -> None:
    generation_id = drafted(
        sessions,
        "My orchid arrived and the ceramic pot was cracked.",
        output="We will replace the pot.",
    )
    save_rating(sessions, generation_id, thumbs=1, examples=shop)
    asked = "The ceramic pot of my orchid was cracked when it came."
    assert shop.find("complaint", asked, "en", 1)[0].generation_id == generation_id
    save_rating(sessions, generation_id, thumbs=-1, reasons=["wrong_facts"], examples=shop)
    assert generation_id not in [e.generation_id for e in shop.find("complaint", asked, "en", 3)]


def test_which_replies_are_approved_and_in_which_tier(sessions: sessionmaker[Session]) -> None:
    ids = [drafted(sessions, f"complaint {n}", output=f"draft {n}") for n in range(5)]
    save_rating(sessions, ids[0], thumbs=-1, edited_reply="what I sent")
    save_rating(sessions, ids[1], stars=4)
    save_rating(sessions, ids[2], thumbs=1)
    save_rating(sessions, ids[3], stars=3)
    with sessions() as session:
        tiers = [approved_reply(session.get(Generation, i)) for i in ids]
    assert tiers == [
        ("edited", "what I sent"),
        ("rated", "draft 1"),
        ("rated", "draft 2"),
        None,
        None,
    ]


def test_k_zero_and_unrelated_text_find_nothing(shop: ExampleFinder) -> None:
    assert shop.find("complaint", "The roses wilted.", "en", 0) == []
    assert shop.find("bouquet", "  ", "en", 3) == []


def test_examples_sit_after_the_tone_example_best_last_and_are_logged(
    sessions: sessionmaker[Session], fake_model
) -> None:
    examples = (
        ExampleReply(
            7, 0.8, "edited", "en", "Roses wilted in a day.", "Sorry about the roses.\n\nShop"
        ),
        ExampleReply(9, 0.6, "starter", "en", "Tulips drooped.", "Sorry about the tulips.\n\nShop"),
    )
    passage = Passage("en/care.md", "Roses", "Cut the stems at an angle.", 0.5)
    prompt = build_prompt(
        ComplaintRequest(complaint="My roses wilted."), SHOP, Grounding(examples, (passage,))
    )
    roles = [m["role"] for m in prompt.messages]
    assert roles == [
        "system",
        "user",
        "assistant",
        "user",
        "assistant",
        "user",
        "assistant",
        "user",
    ]
    # The tone's own example first (a cached prefix), then the weaker example, the best last.
    assert "lilies" in prompt.messages[1]["content"]
    assert "Tulips drooped." in prompt.messages[3]["content"]
    assert prompt.messages[6]["content"] == "Sorry about the roses.\n\nShop"
    assert "Roses: Cut the stems at an angle." in prompt.messages[-1]["content"]
    assert "Cut the stems" not in "".join(m["content"] for m in prompt.messages[:-1])
    assert passage.text in prompt.references

    fake_model.enqueue(["I am sorry your roses wilted. We will re-deliver.\n\nHuayu Flowers"])
    outcome = GenerationRun(prompt, fake_model, GenerationParams(), sessions).run()
    assert outcome.grounding.examples == examples
    with sessions() as session:
        logged = session.get(Generation, outcome.generation_id).grounding
    assert logged == {
        "examples": [
            {"id": 7, "score": 0.8, "tier": "edited"},
            {"id": 9, "score": 0.6, "tier": "starter"},
        ],
        "passages": [{"source": "en/care.md", "heading": "Roses", "score": 0.5}],
    }


def test_without_grounding_the_prompt_is_what_it_was(sessions: sessionmaker[Session]) -> None:
    prompt = build_prompt(ComplaintRequest(complaint="My roses wilted."), SHOP)
    assert len(prompt.messages) == 4 and prompt.grounding.logged() is None
    assert "shop's notes" not in prompt.messages[-1]["content"]


def test_core_retrieve_prints_the_examples_best_first(
    shop: ExampleFinder, sessions, capsys
) -> None:
    generation_id = drafted(sessions, "My orchid arrived and the ceramic pot was cracked.")
    save_rating(sessions, generation_id, thumbs=-1, edited_reply=EDITED_EN, examples=shop)
    assert (
        main(
            ["retrieve", "--task", "complaint", "--input", "the orchid pot came cracked", "-k", "3"]
        )
        == 0
    )
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 3 and rows[0]["generation_id"] == generation_id
    assert rows[0]["reply"] == EDITED_EN and rows[0]["input"].startswith("My orchid")
    assert set(rows[0]) == {"generation_id", "score", "tier", "language", "input", "reply"}
    assert [r["score"] for r in rows[1:]] == sorted((r["score"] for r in rows[1:]), reverse=True)


def test_core_index_rebuild_embeds_every_approved_reply_again(
    shop: ExampleFinder, sessions, capsys
) -> None:
    generation_id = drafted(sessions, "My orchid arrived and the ceramic pot was cracked.")
    save_rating(sessions, generation_id, stars=5)  # saved without the finder: not indexed yet
    assert main(["index"]) == 0
    assert capsys.readouterr().out.startswith("1 replies indexed")
    assert main(["index", "--rebuild"]) == 0
    with sessions() as session:
        starter = session.query(Generation).filter(Generation.source == "starter").count()
    assert int(capsys.readouterr().out.split()[0]) == starter + 1


def test_the_settings_read_few_shot_and_knowledge_from_the_environment(monkeypatch) -> None:
    from core.settings import shop_settings

    assert (shop_settings().few_shot, shop_settings().knowledge) == (2, False)
    monkeypatch.setenv("HUAYU_FEW_SHOT", "0")
    monkeypatch.setenv("HUAYU_KNOWLEDGE", "on")
    assert (shop_settings().few_shot, shop_settings().knowledge) == (0, True)
    monkeypatch.setenv("HUAYU_FEW_SHOT", "lots")
    with pytest.raises(ValueError, match="HUAYU_FEW_SHOT must be a whole number from 0 to 8"):
        shop_settings()

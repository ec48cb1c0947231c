"""Triage: the labelled examples, the classifier, corrections, the chat model's structured
output, the CLI, and the tags on the complaint and history pages."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from core.cli.parser import main
from core.quality.evaluation import near_duplicates
from core.text import guess_language
from core.triage.classifier import TriageClassifier
from core.triage.corrections import correct, labels_of
from core.triage.evaluation import evaluate, load_cases
from core.triage.examples import LABELLED_DIR, labelled_set, shipped_examples, staff_corrections
from core.triage.labels import CATEGORIES, SENTIMENTS, URGENCIES, Triage, TriageLabels
from core.triage.service import Triager
from db.models import Generation, ReviewItem
from db.repository import GenerationRecord, log_generation
from tests.test_app import WRONG_FLOWERS_REPLY, submit


@pytest.fixture(scope="module")
def classifier() -> TriageClassifier:
    return TriageClassifier(examples=shipped_examples())


def log_complaint(sessions, text: str, **fields) -> int:
    record = GenerationRecord(
        task="complaint", template_id="complaint_reply.en", template_version="v1",
        inputs={"complaint": text, "language": "en"}, messages=[], output="Sorry.",
        backend="fake", model_id="fake", **fields,
    )
    with sessions.begin() as session:
        return log_generation(session, record).id


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_labelled_set_covers_every_label_evenly_and_never_the_evaluation_set(language):
    messages = [m for m in labelled_set() if m.language == language]
    assert Counter(m.category for m in messages) == {c: 54 for c in CATEGORIES}
    assert {m.sentiment for m in messages} == set(SENTIMENTS)
    assert {m.urgency for m in messages} == set(URGENCIES)
    cases = [(c.id, c.text) for c in load_cases(language)]
    assert near_duplicates(cases, [(str(i), m.text) for i, m in enumerate(messages)]) == []


def test_a_malformed_labelled_line_names_its_file(tmp_path: Path):
    (tmp_path / "x.jsonl").write_text('{"complaint": "late", "lang": "en", "category": "late"}\n')
    with pytest.raises(ValueError, match=r"x.jsonl: line 1"):
        labelled_set(tmp_path)
    assert LABELLED_DIR.name == "triage"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("The tulips were drooping and brown at the edges the morning after they came.", "freshness"),
        ("You charged my card twice for the same order, please refund one.", "billing"),
        ("送花的师傅把花放到隔壁单元去了，我们根本没收到。", "wrong_address"),
        ("贺卡上把我妈妈的名字写错了。", "card_message"),
    ],
)
def test_the_classifier_labels_plain_complaints(classifier, text, category):
    found = classifier.predict([text])[0]
    assert found.category == category
    assert found.method == "classifier"
    assert found.sentiment in SENTIMENTS and found.urgency in URGENCIES
    assert 0 < found.confidence["category"] <= 1


def test_the_classifier_meets_the_goal_on_the_evaluation_set(classifier):
    # The goal, measured on the held-out labelled messages of both languages.
    for language in ("en", "zh"):
        report = evaluate(load_cases(language), lambda batch: classifier.predict([c.text for c in batch]), "classifier")
        assert report.cases == 144
        assert report.accuracy("category") >= 0.85, report.markdown()
        assert sum(n for _, n in report.per_category.values()) == 144


def test_corrections_are_stored_kept_apart_from_the_prediction_and_learnt(sessions):
    predicted = Triage("other", "neutral", "normal", "classifier", {"category": 0.4})
    first = log_complaint(
        sessions, "The bow was the wrong colour.", category="other", sentiment="neutral",
        urgency="normal", triage=predicted.logged(),
    )
    second = log_complaint(sessions, "The bow was the wrong colour.", category="other")
    correct(sessions, [first, second], {"category": "wrong_item", "sentiment": "negative", "urgency": "high"}, "mei")
    stored = labels_of(sessions, first)
    assert stored.labels == {"category": "wrong_item", "sentiment": "negative", "urgency": "high"}
    assert stored.predicted == {"category": "other", "sentiment": "neutral", "urgency": "normal"}
    assert stored.corrected and stored.corrected_by == "mei"
    with sessions() as session:
        learnt = staff_corrections(session)
    assert [(m.text, m.category, m.origin) for m in learnt] == [
        ("The bow was the wrong colour.", "wrong_item", "staff")
    ]
    with pytest.raises(ValueError, match="category must be one of"):
        correct(sessions, [first], {"category": "rude", "sentiment": "negative", "urgency": "high"})


def test_the_triager_refits_when_staff_correct_a_label(sessions):
    triager = Triager(sessions)
    before = triager.classifier()
    assert triager.classifier() is before  # nothing new: no refit
    generation_id = log_complaint(sessions, "Ring before you come, said the note. Nobody rang.")
    correct(sessions, [generation_id], {"category": "request_ignored", "sentiment": "negative", "urgency": "normal"})
    assert triager.classifier() is not before
    assert len(triager.classifier().examples) == len(before.examples) + 1


def test_guess_language():
    assert guess_language("订单 HY20260814-0412 的玫瑰蔫了") == "zh"
    assert guess_language("Please deliver to 王伟 at the back door") == "en"


def test_structured_output_on_the_embedded_model_returns_the_labels(embedded_model):
    from langchain_core.messages import HumanMessage

    from core.models.backends import GenerationParams
    from core.triage.structured import classify_with_model, combine

    chat_model = embedded_model.chat_model(GenerationParams(temperature=0.0, max_new_tokens=8, seed=0))
    labels = chat_model.with_structured_output(TriageLabels).invoke([HumanMessage("The card was blank.")])
    assert isinstance(labels, TriageLabels)  # valid under the grammar even with max_tokens 8
    found = classify_with_model(chat_model, "The card was blank.", "en")
    assert found.method == "model" and found.category in CATEGORIES
    raw = chat_model.with_structured_output(TriageLabels, include_raw=True).invoke("Late again!")
    assert raw["parsing_error"] is None and json.loads(raw["raw"].content)["urgency"] in URGENCIES
    classifier = TriageClassifier(examples=shipped_examples())
    unsure = combine(classifier, chat_model, "hmm", "en")
    assert unsure.category in CATEGORIES


def test_cli_prints_one_json_object_and_scores_the_evaluation_set(capsys, tmp_path):
    assert main(["triage", "--input", "我订的是红玫瑰，送来的是粉色的。"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert set(printed) == {"category", "sentiment", "urgency"}
    assert printed["category"] == "wrong_item"
    out = tmp_path / "report.json"
    assert main(["triage", "--eval", "--lang", "en", "--out", str(out)]) == 0
    assert "| freshness |" in capsys.readouterr().out
    report = json.loads(out.read_text())[0]
    assert report["cases"] == 144 and set(report["per_category"]) == set(CATEGORIES)


def test_the_complaint_page_tags_the_draft_and_staff_correct_the_tags(app, fake_model, sessions):
    fake_model.enqueue([WRONG_FLOWERS_REPLY])
    app.run()
    app.text_area(key="complaint.text").input("I ordered red roses and got yellow lilies instead.")
    submit(app, "Draft reply")
    assert not app.exception
    with sessions() as session:
        row = session.scalars(select(Generation)).one()
    assert row.category == "wrong_item" and row.triage["method"] == "classifier"
    assert row.triage["predicted"]["category"] == "wrong_item"
    assert any("Wrong item" in m.value for m in app.markdown)  # the badge
    app.selectbox(key=f"triage.category.{row.id}").set_value("not_as_pictured")
    app.selectbox(key=f"triage.urgency.{row.id}").set_value("high")
    submit(app, "Save tags")
    assert not app.exception
    with sessions() as session:
        row = session.get(Generation, row.id)
    assert (row.category, row.urgency) == ("not_as_pictured", "high")
    assert row.triage["predicted"]["category"] == "wrong_item"
    assert row.triage_corrected_at is not None


def test_an_urgent_complaint_joins_the_review_queue_and_history_filters_by_category(app, fake_model, sessions):
    fake_model.enqueue([WRONG_FLOWERS_REPLY])
    app.run()
    app.text_area(key="complaint.text").input(
        "The funeral is tomorrow at 9 and the wreath you delivered has the wrong flowers. Second time this has happened."
    )
    submit(app, "Draft reply")
    with sessions() as session:
        row = session.scalars(select(Generation)).one()
        item = session.scalars(select(ReviewItem)).one_or_none()
    assert row.urgency == "high"
    assert item is not None and "urgent" in item.reasons
    app.switch_page("pages/history.py").run()
    app.selectbox(key="history.category").set_value(row.category).run()
    assert not app.exception
    app.selectbox(key="history.category").set_value("billing").run()
    assert any(i.value == "Nothing matches these filters." for i in app.info)


@pytest.fixture
def app(streamlit_app):
    """The whole app in English on the test's database, the model faked (conftest)."""
    return streamlit_app


def test_corrections_export_as_labelled_lines(sessions, capsys, tmp_path):
    predicted = Triage("other", "neutral", "normal", "classifier", {"category": 0.4})
    corrected = log_complaint(sessions, "Wrong name on the card.", category="other", triage=predicted.logged())
    log_complaint(sessions, "Late again.", category="late_delivery", triage=predicted.logged())
    correct(sessions, [corrected], {"category": "card_message", "sentiment": "negative", "urgency": "normal"}, "mei")
    out = tmp_path / "labels.jsonl"
    assert main(["triage", "--export", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["complaint"], r["category"], r["predicted"]["category"], r["corrected_by"]) for r in rows] == [
        ("Wrong name on the card.", "card_message", "other", "mei")
    ]
    assert main(["triage", "--export", str(out), "--all"]) == 0
    assert len(out.read_text().splitlines()) == 2


def test_the_category_puts_its_own_policy_rule_first():
    from core.drafting.prompts import shop_policy
    from core.quality.topics import policy_rules

    policy = shop_policy("en")
    complaint = "The delivery came three hours late and the tulips had wilted by the evening."
    assert policy_rules(complaint, policy, "en", "freshness")[0].startswith("- Freshness guarantee")
    assert policy_rules(complaint, policy, "en", "late_delivery")[0].startswith("- Late delivery")
    assert policy_rules(complaint, policy, "en", "other") == policy_rules(complaint, policy, "en")

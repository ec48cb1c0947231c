"""Few-shot examples and knowledge on the pages: shown under the draft, logged, linked to the
history, learned from a rating in another tab; and the managers' knowledge page."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from core.models.model_slot import ModelSlot
from db.models import Generation

APP = str(Path(__file__).resolve().parent.parent / "app.py")
SENT = (
    "I am so sorry your orchid's ceramic pot arrived cracked. We will replace the pot free of "
    "charge.\n\nHuayu Flowers"
)


@pytest.fixture
def tabs(monkeypatch, fake_model, sessions):
    """Two browser tabs of one app process: AppTests share the process's cache_resource."""
    st.cache_resource.clear()
    monkeypatch.setattr(ModelSlot, "get", lambda self, backend_id, config: fake_model)
    pair = [AppTest.from_file(APP, default_timeout=90) for _ in range(2)]
    for at in pair:
        at.session_state["ui.language"] = "en"
        at.run()
        assert not at.exception
    yield pair
    st.cache_resource.clear()


def draft(at: AppTest, complaint: str) -> AppTest:
    at.text_area(key="complaint.text").input(complaint)
    return next(b for b in at.button if b.label == "Draft reply").click().run()


def test_a_reply_edited_in_one_tab_is_an_example_for_the_next_draft_in_another(
    tabs, fake_model, sessions
):
    first, second = tabs
    fake_model.enqueue(["Sorry about the pot.\n\nHuayu Flowers"] * 3)
    draft(first, "My orchid came and its ceramic pot was cracked down one side.")
    with sessions() as session:
        sent_id = session.scalars(select(Generation.id).order_by(Generation.id)).first()
    first.text_area(key=f"rating.{sent_id}.edited").input(SENT)
    next(b for b in first.button if b.label == "Save rating").click().run()
    assert not first.exception

    fake_model.enqueue([SENT])
    draft(second, "The orchid pot was broken when it arrived.")
    assert not second.exception
    sent_to_model = [m.content for m in fake_model.calls[-1]]
    assert SENT in sent_to_model  # the edited reply is an example exchange in the prompt
    expander = next(e for e in second.expander if e.label.startswith("Based on these past replies"))
    assert any(
        f"Generation {sent_id} · edited and sent by staff" in m.value for m in expander.markdown
    )
    with sessions() as session:
        newest = session.scalars(select(Generation).order_by(Generation.id.desc())).first()
    assert newest.grounding["examples"][0]["id"] == sent_id
    assert newest.grounding["examples"][0]["tier"] == "edited"

    # The example links to its generation in the history.
    opens = [
        b
        for b in second.button
        if b.key.startswith("grounding.open.") and b.key.endswith(f".{sent_id}")
    ]
    opens[0].click().run()
    assert not second.exception
    assert second.session_state["history.open_id"] == sent_id
    assert [t.value for t in second.title] == ["Every draft, every rating"]
    assert second.number_input(key="history.open_id").value == sent_id  # opened there
    assert second.text_area(key=f"rating.{sent_id}.edited").value == SENT
    # And the history shows what a grounded draft was based on, each example a link again.
    second.number_input(key="history.open_id").set_value(newest.id).run()
    assert any(b.label.startswith(f"#{sent_id} · edited and sent by staff") for b in second.button)


def test_knowledge_passages_are_cited_under_the_draft(tabs, fake_model, sessions, monkeypatch):
    monkeypatch.setenv("HUAYU_KNOWLEDGE", "on")
    first, _ = tabs
    fake_model.enqueue(
        ["We are sorry the lilies worried you; lily pollen is harmful to cats.\n\nHuayu Flowers"]
    )
    draft(first, "You delivered lilies and I have two cats. Are lilies dangerous for them?")
    # Escaped for Markdown (a file name is text, never markup): "care\\.md" shows as care.md.
    assert any(c.value.startswith("Sources: en/care\\.md › Lilies") for c in first.caption)
    with sessions() as session:
        newest = session.scalars(select(Generation).order_by(Generation.id.desc())).first()
    assert newest.grounding["passages"][0]["source"] == "en/care.md"
    assert "From the shop's notes" in newest.messages[-1]["content"]


def test_the_knowledge_page_edits_previews_and_tries_a_file(monkeypatch, tmp_path, sessions):
    monkeypatch.setenv("HUAYU_KNOWLEDGE_DIR", str(tmp_path))
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "faq.md").write_text(
        "# FAQ\n\n## Opening hours\nWe open at nine.\n", encoding="utf-8"
    )
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["ui.language"] = "en"
    at.switch_page("pages/knowledge.py").run()
    assert not at.exception
    assert at.title[0].value == "Shop knowledge"
    at.text_area(key="knowledge.text.en.faq.md").input(
        "# FAQ\n\n## Opening hours\nWe open at nine.\n\n## Parking\nThere is free parking behind the shop."
    )
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception
    assert any("Saved faq.md: 2 sections." in s.value for s in at.success)
    assert "Parking" in (tmp_path / "en" / "faq.md").read_text(encoding="utf-8")
    at.text_input(key="knowledge.probe").input("Where can I park my car?").run()
    assert any(m.value.startswith("**en/faq.md › Parking**") for m in at.markdown)
    st.cache_resource.clear()

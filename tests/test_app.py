"""The Streamlit pages through `AppTest`, with the model patched (STYLE: patch the model factory)."""

from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from core.models.model_slot import ModelSlot
from db.models import Generation, Rating

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app(monkeypatch, fake_model, sessions):
    st.cache_resource.clear()  # a fresh model slot and database per test
    monkeypatch.setattr(ModelSlot, "get", lambda self, backend_id, config: fake_model)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["ui.language"] = "en"
    yield at
    st.cache_resource.clear()


WRONG_FLOWERS_REPLY = (
    "We are so sorry that the wrong flowers were delivered. We will deliver the correct bouquet "
    "as soon as we can, and you are welcome to keep the ones that came.\nHuayu Flowers"
)


def submit(at: AppTest, label: str) -> AppTest:
    return next(b for b in at.button if b.label == label).click().run()


def test_complaint_page_drafts_shows_metrics_and_logs(app, fake_model, sessions):
    fake_model.enqueue(
        ["We are so sorry your roses wilted. <img src=x onerror=alert(1)> Fresh roses tomorrow."]
    )
    app.run()
    assert not app.exception
    app.text_area(key="complaint.text").input("My roses wilted after a day.")
    app.text_input(key="complaint.order_number").input("YS20260214-0772")
    submit(app, "Draft reply")
    assert not app.exception
    shown = " ".join(m.value for m in app.markdown)
    assert "Fresh roses tomorrow" in shown
    assert "<img" not in shown.replace("\\<img", "")  # model HTML is escaped, never rendered
    assert any("fake-model" in c.value and "tok/s" in c.value for c in app.caption)
    with sessions() as session:
        row = session.scalars(select(Generation).order_by(Generation.id)).first()
    assert row.inputs["order_number"] == "YS20260214-0772"
    assert "YS20260214-0772" in row.messages[-1]["content"]
    # An HTML tag is no finished draft either: the guard rejected it (three times, the fake model
    # saying the same), and the page shows it only as the least bad, marked unusable.
    assert row.status == "rejected" and row.checks[0]["id"] == "placeholder"
    assert any("could not write a usable reply" in e.value for e in app.error)


def test_empty_complaint_gives_a_message_and_no_generation(app, sessions):
    app.run()
    app.text_area(key="complaint.text").input("   \n ")
    submit(app, "Draft reply")
    assert not app.exception
    assert any("empty" in w.value for w in app.warning)
    with sessions() as session:
        assert session.scalars(select(Generation)).first() is None


def test_rating_and_edited_reply_are_saved_without_losing_the_draft(app, fake_model, sessions):
    fake_model.enqueue([WRONG_FLOWERS_REPLY])
    app.run()
    app.text_area(key="complaint.text").input("Wrong flowers delivered.")
    submit(app, "Draft reply")
    with sessions() as session:
        generation_id = session.scalars(select(Generation.id)).one()
    key = f"rating.{generation_id}"
    app.text_area(key=f"{key}.edited").input("Sorry about the tulips. The right ones come today.")
    app.text_input(key=f"{key}.comment").input("added same-day redelivery")
    submit(app, "Save rating")
    assert not app.exception
    assert any("Saved" in s.value for s in app.success)
    with sessions() as session:
        rating = session.scalars(select(Rating)).one()
        draft = session.get(Generation, generation_id).output
    assert rating.generation_id == generation_id
    assert rating.edited_reply == "Sorry about the tulips. The right ones come today."
    assert rating.comment == "added same-day redelivery"
    assert draft == WRONG_FLOWERS_REPLY  # the draft itself is never overwritten


def test_interface_switches_to_chinese(app):
    app.session_state["ui.language"] = "zh"
    app.run()
    assert not app.exception
    assert app.title[0].value == "回复顾客投诉"

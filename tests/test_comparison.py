"""Blind side-by-side comparison: two models' drafts in random order, picks stored as variant
choices (so the export pairs them), standings with a Bradley–Terry rating and its interval."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import streamlit as st
from conftest import FakeModel, make_tuned_folder
from streamlit.testing.v1 import AppTest

from core.comparison.blind import BOTH_BAD, draft_pair, record_pick
from core.comparison.standings import Pick, bradley_terry, picks, standings
from core.drafting.requests import prompt_for
from core.models.backends import GenerationParams
from core.training_data.export import examples
from db.export_queries import ExportFilter

APP = str(Path(__file__).resolve().parent.parent / "app.py")
GOOD = (
    "I am so sorry your roses arrived wilted. We will send a fresh bouquet today, free of "
    "charge.\n\nHuayu Flowers"
)
WEAK = "Sorry about that.\n\nHuayu Flowers"


class NamedFake(FakeModel):
    def __init__(self, name: str, reply: str) -> None:
        super().__init__()
        self.name = name
        self.enqueue([reply])

    @property
    def model_id(self) -> str:
        return self.name


def _pair(sessions, seed: int = 0):
    models = {"tuned": NamedFake("shop+tuned", GOOD), "bare": NamedFake("bare", WEAK)}
    prompt = prompt_for(
        "complaint", "en", {"complaint": "My roses arrived wilted."}, "Huayu Flowers"
    )
    return draft_pair(
        prompt,
        ("tuned", "bare"),
        models.__getitem__,
        sessions,
        GenerationParams(seed=1),
        rng=random.Random(seed),
    )


@pytest.mark.storage
def test_a_pick_is_stored_as_a_variant_choice_and_exported_as_a_preference_pair(sessions):
    pair = _pair(sessions)
    assert {d.model_id for d in pair.drafts} == {"shop+tuned", "bare"}
    better = next(i for i, d in enumerate(pair.drafts) if d.model_id == "shop+tuned")
    record_pick(sessions, pair, better, created_by="mei")
    with sessions() as session:
        assert picks(session) == [
            Pick(pair.drafts[0].model_id, pair.drafts[1].model_id, "shop+tuned")
        ]
        pairs = list(examples(session, "preference", ExportFilter()))
    assert [(p.chosen, p.rejected) for p in pairs] == [(GOOD, WEAK)]


@pytest.mark.storage
def test_both_bad_marks_both_drafts_down_and_picks_no_winner(sessions):
    pair = _pair(sessions)
    record_pick(sessions, pair, BOTH_BAD)
    with sessions() as session:
        (found,) = picks(session)
        assert found.winner is None
        assert list(examples(session, "preference", ExportFilter())) == []
        verdicts = list(examples(session, "kto", ExportFilter()))
    assert sorted(v.label for v in verdicts) == [False, False]


def test_the_order_shown_is_random_and_unjudged_pairs_do_not_count(sessions):
    orders = {tuple(d.model_id for d in _pair(sessions, seed).drafts) for seed in range(8)}
    assert orders == {("shop+tuned", "bare"), ("bare", "shop+tuned")}
    with sessions() as session:
        assert picks(session) == []


def test_standings_rank_the_model_picked_more_often_with_an_interval():
    found = [Pick("a", "b", "a")] * 8 + [Pick("b", "a", "b")] * 2 + [Pick("a", "b", None)] * 3
    table = standings(found)
    assert [row.model for row in table] == ["a", "b"]
    a, b = table
    assert (a.judged, a.wins, a.losses, a.both_bad) == (13, 8, 2, 3)
    assert a.win_rate == 0.8 and b.win_rate == 0.2
    assert a.low < a.rating < a.high and a.rating > 1000 > b.rating
    assert abs((a.rating - 1000) + (b.rating - 1000)) < 1e-6 * 1000  # mean 1000
    # Even picks rate both alike.
    even = bradley_terry([("a", "b"), ("b", "a")], ["a", "b"])
    assert even["a"] == pytest.approx(1000) and even["b"] == pytest.approx(1000)


def test_the_page_shows_two_unnamed_drafts_then_reveals_them_after_the_pick(
    sessions, monkeypatch, tmp_path
):
    models_dir = tmp_path / "models"
    monkeypatch.setenv("HUAYU_MODELS_DIR", str(models_dir))
    make_tuned_folder(models_dir, "shop-v1", won=True)
    from core.models.model_slot import ModelSlot

    def get(self, backend_id, config):  # the shop's model carries its adapter; the bare one none
        return (
            NamedFake("bare", WEAK) if config.lora_path is None else NamedFake("shop+tuned", GOOD)
        )

    monkeypatch.setattr(ModelSlot, "get", get)
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["ui.language"] = "en"
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    assert "No picks between two different models yet." in [c.value for c in at.caption]
    at.text_area(key="compare.complaint").input("My roses arrived wilted.")
    next(b for b in at.button if b.label == "Write both drafts").click().run()
    assert not at.exception
    shown = " ".join(m.value for m in at.markdown)
    assert "Draft A" in shown and "Draft B" in shown
    assert "shop+tuned" not in shown + " ".join(c.value for c in at.caption)  # blind until picked
    texts = [t.value for t in at.text]
    assert sorted(texts) == sorted([GOOD, WEAK])
    better = "A" if texts[0] == GOOD else "B"
    next(b for b in at.button if b.label == f"{better} is better").click().run()
    assert [s.value for s in at.success] == ["Thank you — your pick is saved."]
    (revealed,) = [c.value for c in at.caption if c.value.startswith("Draft A: ")]
    assert "tuned" in revealed and "bare" in revealed  # (model ids markdown-escaped)
    table = at.dataframe[0].value
    assert list(table["Model"]) == ["shop+tuned", "bare"] and list(table["Better"]) == [1, 0]
    st.cache_resource.clear()

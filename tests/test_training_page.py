"""The manager's training page: the data there is, the shop's models with their gate results, and
a background run started and cancelled from the page."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import streamlit as st
from conftest import make_tuned_folder
from streamlit.testing.v1 import AppTest

from core.models.tuned import SHIPPED_DIR, read_tuned
from core.tuning.jobs import current_job

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def page(sessions, tmp_path, monkeypatch):
    models_dir = tmp_path / "models"
    monkeypatch.setenv("HUAYU_MODELS_DIR", str(models_dir))
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["ui.language"] = "en"
    yield at, models_dir
    job = current_job(models_dir)
    if job is not None and job.running():
        from core.tuning.jobs import cancel_job

        cancel_job(job)
    st.cache_resource.clear()


def test_the_page_shows_the_data_and_each_model_with_its_gate_result(page):
    at, models_dir = page
    make_tuned_folder(models_dir, "shop-better", won=True)
    make_tuned_folder(models_dir, "shop-worse", won=False)
    at.switch_page("pages/train.py").run()
    assert not at.exception
    assert at.title[0].value == "Train the shop's model"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Starter pack"] == "264"  # the English half: the embedded model writes English
    assert metrics["Edited and sent"] == "0"
    shown = " ".join(m.value for m in at.markdown)
    assert "base 50% vs tuned 62% passed every check; tuned wins 20, ties 40, loses 12" in shown
    shipped = read_tuned(SHIPPED_DIR)  # listed last, with its own gate result
    better = 1 + (shipped is not None and shipped.won)
    assert [s.value for s in at.success] == ["The tuned model is better."] * better
    worse = 1 + (shipped is not None and not shipped.won)
    assert [w.value for w in at.warning] == [
        "The tuned model is not better, so it is not the default."
    ] * worse


def test_a_run_started_on_the_page_goes_on_in_the_background_until_cancelled(page):
    at, models_dir = page
    at.switch_page("pages/train.py").run()
    at.radio(key="training.source").set_value("starter")
    next(b for b in at.button if b.label == "Start training").click().run()
    assert not at.exception
    job = current_job(models_dir)
    assert job is not None and job.running()
    assert job.record["command"][:4] == ["tune", "--data", "starter", "--epochs"]
    # A reload (a new session) finds the same run.
    again = AppTest.from_file(APP, default_timeout=60)
    again.session_state["ui.language"] = "en"
    again.switch_page("pages/train.py").run()
    assert any("Training runs in the background, started by local" in i.value for i in again.info)
    next(b for b in again.button if b.label == "Cancel the run").click().run()
    deadline = time.monotonic() + 30
    while job.running() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert current_job(models_dir).state == "cancelled"  # type: ignore[union-attr]
    assert any(w.value == "The last run was cancelled." for w in again.run().warning)

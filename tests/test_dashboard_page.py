"""The dashboard page through `AppTest`: charts and tables for a manager, a friendly empty state,
and no way in for staff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.accounts import auth
from core.dashboard.report import utc_today
from db.repository import GenerationRecord, add_rating, log_generation

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
SECTIONS = 8
CHARTS = SECTIONS + 1  # latency has two, side by side


def log(sessions, days_ago: float, ratings=(), **fields) -> int:
    values = {
        "task": "complaint",
        "template_id": "complaint_reply.en",
        "template_version": "aaa111",
        "inputs": {"complaint": "My roses wilted.", "language": "en"},
        "messages": [{"role": "user", "content": "My roses wilted."}],
        "output": "We are sorry about the roses.",
        "backend": "gguf",
        "model_id": "smol",
        "ttft_ms": 120.0,
        "latency_ms": 1500.0,
        "checks": [],
        **fields,
    }
    with sessions.begin() as session:
        generation = log_generation(session, GenerationRecord(**values))
        generation.created_at = datetime.now(UTC) - timedelta(days=days_ago)
        for rating in ratings:
            add_rating(session, generation.id, **rating)
        return generation.id


def seed(sessions) -> None:
    log(sessions, 0, category="freshness", ratings=[{"thumbs": 1, "stars": 5}])
    log(sessions, 1, category="late_delivery", checks=[
        {"id": "too_long", "severity": "soft", "detail": "Long."}
    ], ratings=[{"thumbs": -1, "reasons": ["wrong_tone"]}])
    log(sessions, 2, ratings=[{"stars": 4, "edited_reply": "We are so sorry about the roses."}])
    log(sessions, 3, status="rejected", checks=[
        {"id": "no_apology", "severity": "hard", "detail": "No apology."}
    ])
    log(
        sessions, 4, task="bouquet", template_id="bouquet_description.en",
        template_version="bbb222", model_id="qwen", inputs={"details": "Sunflowers"},
    )
    log(sessions, 45, category="billing")  # outside the default 30 days


@pytest.fixture
def app(sessions):
    st.cache_resource.clear()  # a fresh database per test
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["ui.language"] = "en"
    yield at
    st.cache_resource.clear()


def dashboard(at: AppTest) -> AppTest:
    at.run()
    return at.switch_page("pages/dashboard.py").run()


def charts(at: AppTest) -> list:
    return at.get("vega_lite_chart")


def test_a_manager_sees_every_chart_and_table(app, sessions):
    seed(sessions)
    at = dashboard(app)
    assert not at.exception
    assert at.title[0].value == "How the drafts are doing"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Drafts"] == "5" and metrics["Complaints"] == "4"
    assert metrics["Sent as is"] == "20%" and metrics["Edited"] == "20%"
    assert metrics["Rejected"] == "40%" and metrics["Thumbs up"] == "50%"
    assert metrics["Passed every check"] == "60%"
    assert len(charts(at)) == CHARTS
    assert [s.value for s in at.main.subheader][:2] == ["Drafts per day", "Complaints by category"]
    assert len(at.main.expander) == SECTIONS and len(at.dataframe) == SECTIONS
    assert len(at.get("download_button")) == SECTIONS
    drafts = at.dataframe[0].value
    assert list(drafts.columns) == ["Day", "Task", "Drafts"] and drafts["Drafts"].sum() == 5

    at.segmented_control(key="dashboard.bucket").set_value("week").run()
    assert not at.exception
    assert at.dataframe[1].value["Complaints"].sum() == 4

    today = utc_today()
    at.date_input(key="dashboard.days").set_value((today - timedelta(days=60), today)).run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Drafts"] == "6"


def test_the_page_speaks_chinese(app, sessions):
    seed(sessions)
    app.session_state["ui.language"] = "zh"
    at = dashboard(app)
    assert not at.exception
    assert at.title[0].value == "草稿表现一览"
    assert "未分类" in set(at.dataframe[1].value["类别"])


def test_an_empty_log_shows_a_friendly_empty_state(app):
    at = dashboard(app)
    assert not at.exception
    assert any("No drafts in these days yet" in info.value for info in at.info)
    assert not charts(at) and not at.metric


def test_half_a_range_asks_for_the_last_day(app, sessions):
    seed(sessions)
    at = dashboard(app)
    at.date_input(key="dashboard.days").set_value((utc_today(),)).run()
    assert not at.exception
    assert any("last day" in info.value for info in at.info) and not charts(at)


def test_staff_cannot_open_the_dashboard(sessions, fast_hashing):
    auth.add_user(sessions, "mei", "manager", "peonies-2026")
    auth.add_user(sessions, "li", "staff", "tulips-2026")
    seed(sessions)
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "pages" / "dashboard.py"), default_timeout=30)
    at.session_state["ui.language"] = "en"
    at.session_state["auth.identity"] = auth.Identity("li", "staff", auth.utcnow())
    at.run()
    assert [e.value for e in at.error] == [
        "Only managers may use this page. Ask a manager, or log in as one."
    ]
    assert not charts(at) and not at.metric and not at.dataframe
    st.cache_resource.clear()


def test_the_navigation_lists_the_dashboard_for_managers_only(sessions, fast_hashing):
    auth.add_user(sessions, "mei", "manager", "peonies-2026")
    auth.add_user(sessions, "li", "staff", "tulips-2026")
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["ui.language"] = "en"
    at.session_state["auth.identity"] = auth.Identity("li", "staff", auth.utcnow())
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/dashboard.py")
    at.session_state["auth.identity"] = auth.Identity("mei", "manager", auth.utcnow())
    at.run()  # the manager's navigation lists the manager pages
    at.switch_page("pages/dashboard.py").run()
    assert not at.exception and at.title[0].value == "How the drafts are doing"
    st.cache_resource.clear()

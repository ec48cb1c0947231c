"""The export page through `AppTest`: choose a format, prepare, download."""

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.training_data.importer import import_file
from tests.conftest import SHARED_DATA

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def page(sessions):
    st.cache_resource.clear()  # a fresh database per test
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["ui.language"] = "en"
    at.switch_page("pages/export.py").run()
    assert not at.exception
    yield at
    st.cache_resource.clear()


def prepare(at: AppTest) -> AppTest:
    return next(b for b in at.button if b.label == "Prepare export").click().run()


def test_export_page_prepares_a_download(page, sessions):
    import_file(sessions, SHARED_DATA / "import_sample.csv", "Huayu Flowers")
    page.selectbox(key="export.format").set_value("trl-dpo")
    page.slider(key="export.split").set_value(0.0)
    prepare(page)
    assert not page.exception
    assert any("3 records" in s.value for s in page.success)
    assert any("from edits: 3" in c.value for c in page.caption)
    result = page.session_state["export.result"]
    assert result.file_name == "huayu-trl-dpo.jsonl"
    records = [json.loads(line) for line in result.data.decode().splitlines()]
    assert {tuple(r) for r in records} == {("prompt", "chosen", "rejected")}
    assert page.get("download_button")  # the download is offered


def test_export_page_with_nothing_rated_says_so(page):
    prepare(page)
    assert not page.exception
    assert any("Nothing matched" in i.value for i in page.info)

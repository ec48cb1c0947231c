"""The sidebar's backend choice and the model manager page, through AppTest.

AppTest drops the sidebar from its element tree on reruns when the app uses `st.navigation`
(reproduced with a three-line app), so these tests run the sidebar and the page in a small
script of their own, as app.py composes them, instead of through app.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from conftest import make_tuned_folder
from streamlit.testing.v1 import AppTest

from core.models.backends.gguf import GgufConfig, embedded_model_path
from core.models.model_slot import ModelSlot
from core.models.tuned import read_tuned, set_default

MODELS_PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "models.py")


def sidebar_and_page(page: str | None) -> None:
    """app.py without st.navigation: the shared sidebar, then one page."""
    import runpy

    import streamlit as st

    from pages.components.auth import current_identity
    from pages.components.sidebar import sidebar

    current_identity()  # app.py's gate: local mode here (no users), so everyone is a manager
    st.session_state["model_choice"] = sidebar()
    if page:
        runpy.run_path(page, run_name="__main__")


@pytest.fixture
def app(sessions, tmp_path, monkeypatch):
    st.cache_resource.clear()  # a fresh model slot per test
    monkeypatch.setenv("HUAYU_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    at = AppTest.from_function(sidebar_and_page, args=(None,), default_timeout=60)
    at.session_state["ui.language"] = "en"
    # These tests are about files and backends: not the shop's own model, even where it ships as
    # the default (test_the_shop_s_model_is_offered_first covers that).
    at.session_state["sidebar.shop_model"] = ""
    yield at
    st.cache_resource.clear()


def test_the_shop_s_model_is_offered_first_and_a_file_can_still_be_chosen(sessions, tmp_path, monkeypatch):
    models_dir = tmp_path / "models"
    monkeypatch.setenv("HUAYU_MODELS_DIR", str(models_dir))
    make_tuned_folder(models_dir, "shop-v2", won=True)
    set_default(models_dir, read_tuned(models_dir / "shop-v2"))  # as the gate does when it wins
    st.cache_resource.clear()
    at = AppTest.from_function(sidebar_and_page, args=(None,), default_timeout=60)
    at.session_state["ui.language"] = "en"
    at.run()
    assert not at.exception
    choice = at.selectbox(key="sidebar.shop_model")
    assert choice.value == str(models_dir / "shop-v2")
    assert choice.options[0] == "none: a GGUF file" and choice.options[1].startswith("shop-v2 · 2026-12-02")
    assert not [t for t in at.text_input if t.key == "sidebar.model_path"]
    config = at.session_state["model_choice"].config
    assert config.lora_path == str(models_dir / "shop-v2" / "shop-v2.lora.gguf")
    choice.set_value("").run()
    assert at.text_input(key="sidebar.model_path")
    assert at.session_state["model_choice"].config.lora_path is None
    st.cache_resource.clear()


def everything_shown(at: AppTest) -> str:
    """All text the page shows, sidebar included, to check what never appears."""
    parts = [str(element.value) for kind in ("markdown", "caption", "warning", "error", "info", "success")
             for element in getattr(at, kind)]
    parts += [str(widget.value) for widget in at.text_input]
    return "\n".join(parts)


def test_each_backend_shows_its_own_fields(app):
    app.run()
    assert not app.exception
    assert app.text_input(key="sidebar.model_path")  # gguf by default
    app.selectbox(key="sidebar.backend").select("hf").run()
    assert app.text_input(key="sidebar.hf_model") and app.selectbox(key="sidebar.hf_device")
    assert not app.warning
    app.checkbox(key="sidebar.trust_remote_code").check().run()
    assert any("own Python code" in w.value for w in app.sidebar.warning)
    app.selectbox(key="sidebar.backend").select("hub").run()
    assert app.text_input(key="sidebar.hub_model").value == "Qwen/Qwen2.5-7B-Instruct"
    assert any("HF_TOKEN: not set" in c.value for c in app.sidebar.caption)
    app.selectbox(key="sidebar.backend").select("openai").run()
    assert not app.exception
    assert app.text_input(key="sidebar.openai_base_url") and app.text_input(key="sidebar.openai_model")


def test_keys_come_from_secrets_or_the_environment_and_are_never_shown(app, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-environment")
    app.session_state["sidebar.backend"] = "openai"
    app.run()
    assert any("OPENAI_API_KEY: set in the environment" in c.value for c in app.sidebar.caption)
    assert app.session_state["model_choice"].config.api_key.get_secret_value() == "sk-from-environment"
    app.secrets["OPENAI_API_KEY"] = "sk-from-secrets"
    app.run()
    assert any("set in secrets.toml" in c.value for c in app.sidebar.caption)
    assert app.session_state["model_choice"].config.api_key.get_secret_value() == "sk-from-secrets"
    shown = everything_shown(app)
    assert "sk-from-secrets" not in shown and "sk-from-environment" not in shown


def test_load_shows_the_model_status_and_unload_frees_it(app):
    app.session_state["sidebar.backend"] = "openai"
    app.run()
    app.text_input(key="sidebar.openai_base_url").input("http://127.0.0.1:9/v1").run()
    app.button(key="sidebar.load").click().run()
    assert not app.exception
    captions = [c.value for c in app.sidebar.caption]
    assert "Loaded: gpt-4o-mini (openai)" in captions
    assert "Device: http://127.0.0.1:9/v1" in captions
    app.text_input(key="sidebar.openai_model").input("qwen2.5:7b").run()
    assert any("different model" in c.value for c in app.sidebar.caption)
    app.button(key="sidebar.unload").click().run()
    assert any("No model loaded" in c.value for c in app.sidebar.caption)


def test_load_errors_are_sentences_in_the_sidebar(app):
    app.session_state["sidebar.backend"] = "openai"  # OpenAI itself, and no key anywhere
    app.run()
    app.button(key="sidebar.load").click().run()
    assert not app.exception
    assert any("OPENAI_API_KEY" in e.value for e in app.sidebar.error)


@pytest.fixture
def models_folder(tmp_path) -> Path:
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "smollm2.gguf").symlink_to(embedded_model_path())
    (folder / "llama-2-7b.ggmlv3.q4_0.bin").write_bytes(b"tjgg" + bytes(64))
    return folder


@pytest.fixture
def models_page(app):
    page = AppTest.from_function(sidebar_and_page, args=(MODELS_PAGE,), default_timeout=60)
    page.session_state["ui.language"] = "en"
    return page


def test_model_manager_shows_hardware_models_and_estimates(models_page, models_folder):
    app = models_page
    app.run()
    assert not app.exception
    assert app.title[0].value == "Model manager"
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["CUDA GPU"] in ("no",) or "found" in metrics["CUDA GPU"]
    assert "/" in metrics["CPU cores (physical / logical)"]
    assert any(label.startswith("Free memory (of ") for label in metrics)
    shown = everything_shown(app)
    assert "smollm2" in shown and "old GGML" in shown
    assert any("GGUF version" in w.value for w in app.warning)  # what to download instead
    assert any("KV cache" in c.value and "weights" in c.value for c in app.caption)
    libraries = app.table[0].value
    assert "torch" in libraries.iloc[:, 0].tolist()


def test_model_manager_loads_a_listed_model_once(models_page, models_folder, monkeypatch, fake_model):
    app = models_page
    calls: list[tuple[str, object]] = []

    def get(self, backend_id, config):
        calls.append((backend_id, config))
        return fake_model

    monkeypatch.setattr(ModelSlot, "get", get)
    app.run()
    path = str(models_folder / "smollm2.gguf")
    app.button(key=f"models.load.gguf.{path}").click().run()
    assert not app.exception
    assert calls == [("gguf", GgufConfig(model_path=path))]
    assert app.session_state["sidebar.backend"] == "gguf"
    assert app.session_state["sidebar.model_path"] == path


def test_the_app_lists_the_model_manager_page(app):
    at = AppTest.from_file(str(Path(MODELS_PAGE).parent.parent / "app.py"), default_timeout=60)
    at.session_state["ui.language"] = "en"
    at.run()
    at.switch_page("pages/models.py").run()
    assert not at.exception
    assert at.title[0].value == "Model manager"

"""The shared sidebar: the shop's header, interface language, model and generation settings."""

from __future__ import annotations

import time
from dataclasses import dataclass

import streamlit as st

from core.backends import REGISTRY, BackendConfig, GenerationParams, LoadedModel
from core.i18n import UI_LANGUAGES
from core.runtime import backend_config
from core.settings import shop_settings
from core.text import escape_markdown
from pages.components.common import model_slot, tr


def shop_header() -> None:
    """The shop's logo (when configured) and name at the top of the sidebar."""
    settings = shop_settings()
    if settings.logo_path is not None and settings.logo_path.is_file():
        st.logo(str(settings.logo_path), size="large")
    st.sidebar.markdown(f"### 💐 {escape_markdown(settings.shop_name)}")
    st.sidebar.caption(tr("app.title"))


@dataclass(frozen=True)
class ModelChoice:
    """What the sidebar selected: which model, and how to sample from it."""

    backend_id: str
    config: BackendConfig
    params: GenerationParams


def sidebar() -> ModelChoice:
    """The shared sidebar: interface language, model and generation settings."""
    with st.sidebar:
        st.selectbox(
            tr("sidebar.language"),
            list(UI_LANGUAGES),
            format_func=UI_LANGUAGES.__getitem__,
            key="ui.language",
        )
        st.subheader(tr("sidebar.model"))
        backend_id = st.selectbox(tr("sidebar.backend"), list(REGISTRY), key="sidebar.backend")
        model_path = st.text_input(
            tr("sidebar.model_path"), key="sidebar.model_path", help=tr("sidebar.model_path_help")
        )
        loaded = model_slot().current
        if loaded is not None:
            st.caption(tr("sidebar.model_loaded", model=loaded.model_id, backend=loaded.backend_id))
        else:
            st.caption(tr("sidebar.model_not_loaded"))
        with st.expander(tr("sidebar.settings")):
            params = GenerationParams(
                temperature=st.slider(tr("sidebar.temperature"), 0.0, 2.0, 0.3, 0.05, key="sidebar.temperature"),
                top_p=st.slider(tr("sidebar.top_p"), 0.05, 1.0, 0.9, 0.05, key="sidebar.top_p"),
                max_new_tokens=st.number_input(
                    tr("sidebar.max_new_tokens"), 16, 4096, 320, 16, key="sidebar.max_new_tokens"
                ),
                repetition_penalty=st.slider(
                    tr("sidebar.repetition_penalty"), 1.0, 2.0, 1.1, 0.05, key="sidebar.repetition_penalty"
                ),
            )
    config = backend_config(backend_id, model=model_path.strip() or None)
    return ModelChoice(backend_id=backend_id, config=config, params=params)


def uses_embedded_model(choice: ModelChoice) -> bool:
    """Whether the choice is the tiny, English-only embedded model."""
    return choice.config == backend_config("gguf") and choice.backend_id == "gguf"


def load_model(choice: ModelChoice) -> LoadedModel:
    """The chosen model from the process's slot; shows a status with the time a first load takes."""
    slot = model_slot()
    current = slot.current
    if current is not None and slot.holds(choice.backend_id, choice.config):
        return current
    label = getattr(choice.config, "model_path", None) or getattr(choice.config, "model", "")
    with st.status(tr("model.loading", model=label), expanded=False) as status:
        start = time.perf_counter()
        model = slot.get(choice.backend_id, choice.config)
        status.update(label=tr("model.loaded", seconds=time.perf_counter() - start), state="complete")
    return model

"""What every page shares: the cached model and database, the sidebar, drafts and ratings.

The model slot and the session factory come from `st.cache_resource`, so one process holds one
model and one engine however many staff have the app open.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import streamlit as st
from sqlalchemy.orm import Session, sessionmaker

from core.backends import REGISTRY, BackendConfig, GenerationParams, LoadedModel, ModelError
from core.feedback import REASON_TAGS, save_rating
from core.generation import GenerationRun, Outcome, PreparedPrompt
from core.i18n import UI_LANGUAGES, pick_ui_language, translate
from core.model_slot import ModelSlot
from core.runtime import backend_config, database_url
from core.runtime import sessions as open_sessions
from core.settings import shop_settings
from core.text import escape_markdown


@st.cache_resource(show_spinner=False)
def model_slot() -> ModelSlot:
    """The process's one model slot, shared by every browser session."""
    return ModelSlot()


def db_sessions() -> sessionmaker[Session]:
    """The session factory on the configured, upgraded database."""
    return _db_sessions(database_url())


@st.cache_resource(show_spinner=False)
def _db_sessions(url: str) -> sessionmaker[Session]:
    # Cached per URL: migrations run once per process and database.
    return open_sessions(url)


def shop_header() -> None:
    """The shop's logo (when configured) and name at the top of the sidebar."""
    settings = shop_settings()
    if settings.logo_path is not None and settings.logo_path.is_file():
        st.logo(str(settings.logo_path), size="large")
    st.sidebar.markdown(f"### 💐 {escape_markdown(settings.shop_name)}")
    st.sidebar.caption(tr("app.title"))


def ui_language() -> str:
    """The interface language: the sidebar's choice, first taken from the browser's locale."""
    return st.session_state.setdefault("ui.language", pick_ui_language(st.context.locale))


def tr(key: str, **values: object) -> str:
    """`key` from the catalogue in the interface language."""
    return translate(key, ui_language(), **values)


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


def stream_draft(prompt: PreparedPrompt, choice: ModelChoice) -> Outcome | None:
    """Stream a draft into the page and log it; returns the logged outcome, None if it failed."""
    try:
        model = load_model(choice)
    except ModelError as error:
        st.error(str(error))
        return None
    run = GenerationRun(prompt=prompt, model=model, params=choice.params, sessions=db_sessions())
    try:
        with st.container(border=True):
            # Escaped so that markdown, HTML or image links from a customer or the model show as
            # plain text; the raw text is what gets logged.
            st.write_stream(escape_markdown(chunk) for chunk in run.stream())
    except Exception:  # noqa: BLE001 - the run logged it with status "error"; show_draft says why
        pass
    return run.outcome


def show_draft(outcome: Outcome) -> None:
    """A logged draft: its text as plain text, then backend, model and timings."""
    with st.container(border=True):
        st.markdown(escape_markdown(outcome.text))
    if outcome.status == "cancelled":
        st.info(tr("draft.cancelled"))
    elif outcome.status == "error":
        st.error(tr("draft.error", error=outcome.error))
    st.caption(
        tr(
            "draft.metrics",
            backend=outcome.backend,
            model=outcome.model_id,
            ttft=f"{outcome.ttft_ms:.0f} ms" if outcome.ttft_ms is not None else "–",
            speed=f"{outcome.tokens_per_second:.1f} tok/s" if outcome.tokens_per_second else "–",
            tokens=outcome.completion_tokens if outcome.completion_tokens is not None else "–",
        )
    )


def rating_form(generation_id: int, draft: str) -> None:
    """Thumbs, stars, reasons, a comment and the reply actually sent, for one generation."""
    key = f"rating.{generation_id}"
    st.markdown(f"**{tr('rating.heading')}**")
    with st.form(key, border=True):
        thumbs_column, stars_column = st.columns(2)
        with thumbs_column:
            st.caption(tr("rating.thumbs"))
            thumbs = st.feedback("thumbs", key=f"{key}.thumbs")
        with stars_column:
            st.caption(tr("rating.stars"))
            stars = st.feedback("stars", key=f"{key}.stars")
        reason_labels = {tag: tr(f"reason.{tag}") for tag in REASON_TAGS}
        reasons = st.pills(
            tr("rating.reasons"),
            REASON_TAGS,
            selection_mode="multi",
            format_func=reason_labels.__getitem__,
            key=f"{key}.reasons",
        )
        comment = st.text_input(tr("rating.comment"), key=f"{key}.comment")
        edited = st.text_area(tr("rating.edited_reply"), value=draft, key=f"{key}.edited", height=160)
        if not st.form_submit_button(tr("rating.save")):
            return
    edited_reply = edited if edited.strip() != draft.strip() else ""
    if thumbs is None and stars is None and not reasons and not comment.strip() and not edited_reply:
        st.warning(tr("rating.nothing"))
        return
    save_rating(
        db_sessions(),
        generation_id,
        thumbs={0: -1, 1: 1}.get(thumbs) if thumbs is not None else None,
        stars=stars + 1 if stars is not None else None,
        reasons=list(reasons or []),
        comment=comment,
        edited_reply=edited_reply,
    )
    st.success(tr("rating.saved"))

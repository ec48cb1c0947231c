"""A draft on a page: streamed in, shown with its metrics, and rated."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from core.backends import ModelError
from core.feedback import REASON_TAGS, save_rating
from core.generation import (
    ContextOverflow,
    GenerationRun,
    Outcome,
    PreparedPrompt,
    check_context,
    log_failed_start,
)
from core.text import escape_markdown
from pages.components.auth import current_user_name
from pages.components.common import db_sessions, tr
from pages.components.sidebar import ModelChoice, load_model


def stream_draft(prompt: PreparedPrompt, choice: ModelChoice) -> Outcome | None:
    """Stream a draft into the page and log it; returns the logged outcome (also when the model
    failed), None when the input was refused before anything ran."""
    try:
        model = load_model(choice)
    except ModelError as error:
        # Logged like a failed draft: the attempt and the customer's text are kept.
        path = getattr(choice.config, "model_path", None)
        model_id = Path(path).stem if path else str(getattr(choice.config, "model", choice.backend_id))
        return log_failed_start(
            prompt, backend=choice.backend_id, model_id=model_id,
            params=choice.params, sessions=db_sessions(), error=str(error),
            created_by=current_user_name(),
        )
    try:
        check_context(prompt, model, choice.params)
    except ContextOverflow as overflow:
        st.warning(
            tr(
                "input.too_long", prompt=overflow.prompt_tokens, reply=overflow.reply_tokens,
                context=overflow.context_size, excess=overflow.excess_tokens,
            )
        )
        return None
    run = GenerationRun(
        prompt=prompt, model=model, params=choice.params, sessions=db_sessions(),
        created_by=current_user_name(),
    )
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
        # Escaped: an error may quote a server's HTML page or a typed path.
        st.error(tr("draft.error", error=escape_markdown(outcome.error or "")))
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
        created_by=current_user_name(),
    )
    st.success(tr("rating.saved"))

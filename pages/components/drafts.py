"""A draft on a page: streamed in (alone or as several variants side by side), shown with its
metrics, picked, rewritten and rated."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.drafting.generation import (
    ContextOverflow,
    GenerationRun,
    Outcome,
    PreparedPrompt,
    check_context,
    log_failed_start,
)
from core.drafting.grounding import Grounding
from core.drafting.rewrite import REWRITE_ACTIONS, build_rewrite_prompt
from core.drafting.variants import MAX_VARIANTS, choose_variant, new_variant_group, variant_params
from core.history.feedback import REASON_TAGS, save_rating
from core.models.backends import LoadedModel, ModelError
from core.models.languages import config_languages, configured_model_name, unsupported_language
from core.quality.guard import GuardedDraft
from core.settings import shop_settings
from core.text import escape_markdown
from pages.components.auth import current_user_name
from pages.components.common import OPEN_KEY, db_sessions, grounder, tr
from pages.components.sidebar import ModelChoice, load_model


def language_refused(language: str, choice: ModelChoice) -> bool:
    """Say so, and return True, when the chosen model is known not to write `language`: its
    drafts would be garbage, so none is made."""
    if not unsupported_language(choice.backend_id, choice.config, language):
        return False
    writes = config_languages(choice.backend_id, choice.config) or frozenset()
    st.warning(
        tr(
            "language.unsupported",
            model=configured_model_name(choice.backend_id, choice.config),
            wanted=tr(f"language.{language}"),
            supported=" / ".join(tr(f"language.{code}") for code in sorted(writes)),
        ),
        icon=":material/translate:",
    )
    return True


def _ready_model(prompt: PreparedPrompt, choice: ModelChoice) -> LoadedModel | Outcome | None:
    """The loaded model; or the logged error when it would not load (the attempt and the
    customer's text are kept like any draft); or None when the input was refused (too long, or
    in a language the model cannot write)."""
    if language_refused(prompt.language, choice):
        return None
    try:
        model = load_model(choice)
    except ModelError as error:
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
    return model


def stream_draft(prompt: PreparedPrompt, choice: ModelChoice) -> Outcome | None:
    """Stream a guarded draft into the page and log every attempt; returns the outcome staff
    see (also when the model failed), None when the input was refused before anything ran."""
    model = _ready_model(prompt, choice)
    if not isinstance(model, LoadedModel):
        return model
    guarded = GuardedDraft(
        prompt=prompt, model=model, params=choice.params, sessions=db_sessions(),
        created_by=current_user_name(),
    )
    _stream_guarded(guarded)
    return guarded.outcome


def stream_drafts(
    prompt: PreparedPrompt, choice: ModelChoice, count: int, *, state_key: str
) -> list[Outcome]:
    """Stream `count` drafts side by side and log them as one variant group.

    The outcomes collect in `st.session_state[state_key]` as each draft ends, so when staff press
    Stop (which reruns the page mid-stream) the drafts so far, the stopped one included, stay.
    They run one after another: the model's lock lets only one decode at a time anyway. A model
    that would not load gives one logged error outcome; refused input gives [].
    """
    model = _ready_model(prompt, choice)
    if not isinstance(model, LoadedModel):
        st.session_state[state_key] = [model] if model is not None else []
        return collected_drafts(state_key)
    started: list[Outcome | GuardedDraft] = []
    st.session_state[state_key] = started
    stop = st.empty()  # the Stop button, above the drafts
    group = new_variant_group(count)
    places = st.columns(count) if count > 1 else [st.container()]
    for index, place in enumerate(places):
        guarded = GuardedDraft(
            prompt=prompt,
            model=model,
            params=variant_params(choice.params, index),
            sessions=db_sessions(),
            variant_group=group,
            created_by=current_user_name(),
        )
        started.append(guarded)
        with place:
            _stream_guarded(guarded, stop if index == 0 else None)
    return collected_drafts(state_key)


STOPPED_RUN_WAIT_S = 30


def collected_drafts(state_key: str) -> list[Outcome]:
    """The drafts a page asked for under `state_key`, a stopped one included.

    Stop reruns the page while the stopped run is still closing in its own thread, so a run
    whose log is not written yet is waited for rather than dropped from the page. The old thread
    notices the stop only at its next token, which during the prompt's prefill on a busy CPU can
    be many seconds away (the browser walk's Stop test lost its partial draft at 5 s).
    """
    collected = []
    for item in st.session_state.get(state_key, []):
        if isinstance(item, GuardedDraft):
            if item.runs:
                item.runs[-1].logged.wait(timeout=STOPPED_RUN_WAIT_S)
            item = item.outcome
        if item is not None:
            collected.append(item)
    return collected


def _stream_guarded(guarded: GuardedDraft, stop: DeltaGenerator | None = None) -> None:
    """Stream each attempt of a guarded draft; a rejected one is followed by a note and the next.

    `stop` is where the Stop button goes, drawn once the first run exists: a press reruns the
    page at the next element drawn, and the rerun shows the run it stopped, even one not begun.
    """
    for number, run in enumerate(guarded.attempts(), start=1):
        if stop is not None and number == 1:
            stop.button(tr("draft.stop"), key="drafts.stop", icon=":material/stop_circle:")
        _stream(run)
        if run.outcome is not None and run.outcome.status == "rejected" and number < guarded.max_attempts:
            reasons = ", ".join(tr(f"check.{c['id']}") for c in run.outcome.hard_failures[:2])
            st.caption(tr("guard.retrying", attempt=number, reasons=reasons))


def _stream(run: GenerationRun) -> None:
    """Stream one run into a bordered box; the run logs itself however it ends."""
    stream = run.stream()
    try:
        with st.container(border=True):
            # Escaped so that markdown, HTML or image links from a customer or the model show as
            # plain text; the raw text is what gets logged.
            st.write_stream(escape_markdown(chunk) for chunk in stream)
    except Exception:  # noqa: BLE001, S110
        pass  # the run logged it with status "error", and show_draft says why
    finally:
        # A Stop press or any rerun interrupts write_stream: closing the run now logs the
        # partial draft as cancelled before the page is drawn again.
        run.close()


def variant_count_input(key: str) -> int:
    """How many drafts to ask for at once, 1 to 4."""
    return int(
        st.number_input(
            tr("variants.count"), min_value=1, max_value=MAX_VARIANTS, value=1, step=1,
            key=key, help=tr("variants.count_help"),
        )
    )


def show_drafts(outcomes: list[Outcome], choice: ModelChoice) -> None:
    """Logged drafts side by side, each with its pick button (variants), rewrites and rating."""
    if len(outcomes) == 1:
        draft_card(outcomes[0], choice)
        return
    for number, (outcome, column) in enumerate(zip(outcomes, st.columns(len(outcomes))), start=1):
        with column:
            st.markdown(f"**{tr('variants.label', number=number)}**")
            draft_card(outcome, choice)


def draft_card(outcome: Outcome, choice: ModelChoice) -> None:
    """One logged draft: text and metrics, "use this one" for a variant, rewrite actions, rating
    form, then the rewrites asked for, each a draft card of its own."""
    show_draft(outcome)
    generation_id = outcome.generation_id
    if generation_id is None or not outcome.text.strip():
        return
    if outcome.variant_group is not None:
        _choose_button(generation_id, outcome.variant_group)
    action = _rewrite_buttons(generation_id)
    rating_form(generation_id, outcome.text)
    rewrites_key = f"drafts.rewrites.{generation_id}"
    for done, rewrite in st.session_state.get(rewrites_key, []):
        with st.container(border=True):
            st.markdown(f"**{tr('rewrite.heading', action=tr(f'rewrite.{done}'))}**")
            draft_card(rewrite, choice)
    if action is None:
        return
    prompt = build_rewrite_prompt(db_sessions(), generation_id, action, shop_settings().shop_name)
    with st.container(border=True):
        st.markdown(f"**{tr('rewrite.heading', action=tr(f'rewrite.{action}'))}**")
        rewritten = stream_draft(prompt, choice)
    if rewritten is not None:
        st.session_state.setdefault(rewrites_key, []).append((action, rewritten))
        st.rerun()  # redraw it as a logged draft with its own rating form


def _choose_button(generation_id: int, group: str) -> None:
    if st.session_state.get(f"drafts.chosen.{group}") == generation_id:
        st.success(tr("variants.chosen"), icon="✅")
        return
    st.button(
        tr("variants.choose"), key=f"drafts.choose.{generation_id}",
        on_click=_choose, args=(generation_id, group),
    )


def _choose(generation_id: int, group: str) -> None:
    choose_variant(db_sessions(), generation_id)
    st.session_state[f"drafts.chosen.{group}"] = generation_id


def _rewrite_buttons(generation_id: int) -> str | None:
    """The rewrite actions as a row of buttons; the one pressed in this run, if any."""
    pressed = None
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(tr("rewrite.prompt"))
        for action in REWRITE_ACTIONS:
            if st.button(tr(f"rewrite.{action}"), key=f"drafts.rewrite.{generation_id}.{action}"):
                pressed = action
    return pressed


def show_draft(outcome: Outcome) -> None:
    """A logged draft: its text as plain text, its quality checks, then backend, model, timings."""
    if outcome.status == "rejected":
        st.error(tr("guard.unusable", attempts=outcome.attempts), icon=":material/block:")
    with st.container(border=True):
        st.markdown(escape_markdown(outcome.text))
    check_badges(outcome.checks)
    if outcome.status == "cancelled":
        st.info(tr("draft.cancelled"))
    elif outcome.status == "error":
        # Escaped: an error may quote a server's HTML page or a typed path.
        st.error(tr("draft.error", error=escape_markdown(outcome.error or "")))
    elif not outcome.text.strip():
        st.warning(tr("draft.nothing_written"))
    if outcome.text.strip():
        # st.code shows the text verbatim with Streamlit's own copy-to-clipboard button.
        with st.expander(tr("draft.copy"), icon=":material/content_copy:"):
            st.code(outcome.text, language=None, wrap_lines=True)
    grounding_view(outcome.grounding, outcome.generation_id)
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


def grounding_view(grounding: Grounding, generation_id: int | None) -> None:
    """The past replies a draft imitated (expandable, each linked to the history) and the
    knowledge sections it was given, cited."""
    if grounding.examples:
        with st.expander(tr("grounding.examples", count=len(grounding.examples)), icon=":material/history:"):
            for example in grounding.examples:
                st.markdown(
                    f"**{tr('grounding.example', id=example.generation_id, tier=tr(f'grounding.tier.{example.tier}'), score=example.score)}**"
                )
                st.caption(f"{tr('grounding.request')}: {escape_markdown(example.request)}")
                st.markdown(escape_markdown(example.reply))
                if st.button(
                    tr("grounding.open"), key=f"grounding.open.{generation_id}.{example.generation_id}",
                    icon=":material/open_in_new:",
                ):
                    st.session_state[OPEN_KEY] = example.generation_id
                    st.switch_page("pages/history.py")
    if grounding.passages:
        st.caption(
            tr("grounding.sources", sources=" · ".join(escape_markdown(p.citation) for p in grounding.passages)),
            help="\n\n".join(f"**{escape_markdown(p.citation)}**: {escape_markdown(p.text)}" for p in grounding.passages),
        )


def check_badges(checks: list[dict[str, str]] | None) -> None:
    """A draft's failed checks as badges, each with its sentence; a green one when it passed."""
    if checks is None:
        return  # stopped, failed, or written before the checks existed
    if not checks:
        st.badge(tr("guard.passed"), icon=":material/check:", color="green")
        return
    for check in checks:
        hard = check["severity"] == "hard"
        st.badge(
            tr(f"check.{check['id']}"),
            icon=":material/error:" if hard else ":material/warning:",
            color="red" if hard else "orange",
            help=check["detail"],
        )


def rating_form(generation_id: int, draft: str, sent: str | None = None) -> None:
    """Thumbs, stars, reasons, a comment and the reply actually sent, for one generation.

    `sent` is an earlier edit to start from (re-rating from the history); it is kept as the edit
    unless staff change it back to the draft.
    """
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
        edited = st.text_area(
            tr("rating.edited_reply"), value=sent or draft, key=f"{key}.edited", height=160
        )
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
        examples=grounder().examples,
    )
    st.success(tr("rating.saved"))

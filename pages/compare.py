"""Blind comparison: two models draft one complaint reply, staff pick the better draft unseen."""

import random

import streamlit as st

from core.comparison.blind import BOTH_BAD, BlindPair, draft_pair, record_pick
from core.comparison.standings import picks, standings
from core.drafting.complaint_reply import TONES
from core.drafting.requests import prompt_for
from core.models.backends import LoadedModel, ModelError
from core.models.tuned import tuned_models
from core.runtime import backend_config
from core.settings import shop_settings
from core.text import escape_markdown
from pages.components.auth import require_login
from pages.components.common import db_sessions, ground, model_slot, tr

identity = require_login()
settings = shop_settings()
st.title(tr("compare.title"))
st.caption(tr("compare.intro"))

# The models to compare: the shop's tuned models, and the embedded model as it ships.
options = {str(model.folder): model.label() for model in tuned_models(settings.models_dir)}
options["embedded"] = tr("compare.embedded")
keys = list(options)
first_column, second_column = st.columns(2)
first = first_column.selectbox(
    tr("compare.model_a"), keys, 0, format_func=options.__getitem__, key="compare.a"
)
second = second_column.selectbox(
    tr("compare.model_b"), keys, len(keys) - 1, format_func=options.__getitem__, key="compare.b"
)


def load(choice: str) -> LoadedModel:
    """One model at a time through the process's slot, so two never fill memory together."""
    return model_slot().get(
        "gguf", backend_config("gguf", model=None if choice == "embedded" else choice)
    )


language_labels = {code: tr(f"lang.{code}") for code in ("en", "zh")}
tone_labels = {tone: tr(f"tone.{tone}") for tone in TONES}
with st.form("compare.form"):
    complaint = st.text_area(tr("compare.complaint"), key="compare.complaint", height=140)
    language_column, tone_column = st.columns(2)
    language = language_column.radio(
        tr("complaint.reply_language"),
        list(language_labels),
        format_func=language_labels.__getitem__,
        key="compare.language",
        horizontal=True,
    )
    tone = tone_column.selectbox(
        tr("complaint.tone"),
        list(tone_labels),
        format_func=tone_labels.__getitem__,
        key="compare.tone",
    )
    submitted = st.form_submit_button(tr("compare.write"), type="primary")

if submitted and complaint.strip():
    if first == second:
        st.warning(tr("compare.same_model"))
    else:
        fields = {"complaint": complaint.strip(), "tone": tone}
        prompt = prompt_for(
            "complaint",
            language,
            fields,
            settings.shop_name,
            ground("complaint", fields["complaint"], language),
        )
        params = st.session_state["model_choice"].params
        try:
            with st.spinner(tr("compare.writing")):
                st.session_state["compare.pair"] = draft_pair(
                    prompt,
                    (first, second),
                    load,
                    db_sessions(),
                    params,
                    created_by=identity.name,
                    rng=random.SystemRandom(),
                )
        except (ModelError, RuntimeError) as error:
            st.error(str(error))
        st.session_state.pop("compare.picked", None)

pair: BlindPair | None = st.session_state.get("compare.pair")
if pair is not None:
    picked = st.session_state.get("compare.picked")
    columns = st.columns(2)
    for index, (column, draft) in enumerate(zip(columns, pair.drafts, strict=True)):
        letter = "AB"[index]
        with column.container(border=True):
            st.markdown(f"**{tr('compare.draft', letter=letter)}**")
            st.text(draft.text)
            if picked is None and st.button(
                tr("compare.pick", letter=letter), key=f"compare.pick.{index}", width="stretch"
            ):
                record_pick(db_sessions(), pair, index, created_by=identity.name)
                st.session_state["compare.picked"] = index
                st.rerun()
    if picked is None:
        if st.button(tr("compare.both_bad"), key="compare.both_bad"):
            record_pick(db_sessions(), pair, BOTH_BAD, created_by=identity.name)
            st.session_state["compare.picked"] = BOTH_BAD
            st.rerun()
    else:
        st.success(tr("compare.thanks"))
        st.caption(
            tr(
                "compare.revealed",
                a=escape_markdown(pair.drafts[0].model_id),
                b=escape_markdown(pair.drafts[1].model_id),
            )
        )

st.subheader(tr("compare.standings"))
with db_sessions()() as session:
    table = standings(picks(session))
if not table:
    st.caption(tr("compare.no_picks"))
else:
    st.dataframe(
        [
            {
                tr("compare.col.model"): row.model,
                tr("compare.col.judged"): row.judged,
                tr("compare.col.wins"): row.wins,
                tr("compare.col.losses"): row.losses,
                tr("compare.col.both_bad"): row.both_bad,
                tr("compare.col.win_rate"): f"{row.win_rate:.0%}"
                if row.win_rate is not None
                else "–",
                tr("compare.col.rating"): f"{row.rating:.0f} [{row.low:.0f}, {row.high:.0f}]",
            }
            for row in table
        ],
        hide_index=True,
    )
    st.caption(tr("compare.rating_help"))

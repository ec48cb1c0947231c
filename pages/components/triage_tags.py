"""A complaint's triage labels as tags above its drafts, with a form to correct them."""

from __future__ import annotations

import streamlit as st

from core.drafting.generation import Outcome
from core.triage.corrections import StoredTriage, correct, labels_of
from core.triage.labels import CHOICES, FIELDS
from pages.components.auth import current_user_name
from pages.components.common import db_sessions, tr, triager

_COLOURS = {"very_negative": "red", "negative": "orange", "neutral": "gray", "positive": "green"}


def urgent_badge() -> None:
    st.badge(tr("urgency.high"), icon=":material/priority_high:", color="red")


def label_badges(stored: StoredTriage) -> None:
    """The category, sentiment and urgency as badges (urgent in red)."""
    labels = stored.labels
    sure = stored.confidence.get("category")
    st.badge(
        tr(f"category.{labels['category']}"), icon=":material/sell:", color="blue",
        help=tr("triage.confidence", percent=round(100 * sure)) if sure and not stored.corrected else None,
    )
    if labels["sentiment"]:
        st.badge(tr(f"sentiment.{labels['sentiment']}"), color=_COLOURS.get(labels["sentiment"], "gray"))
    if labels["urgency"] == "high":
        urgent_badge()
    if stored.corrected:
        st.caption(tr("triage.corrected"))


def triage_tags(outcomes: list[Outcome]) -> None:
    """Tags for the request the drafts answer, and a popover where staff correct them; saving
    stores the labels on every draft of the request."""
    ids = [o.generation_id for o in outcomes if o.generation_id is not None]
    stored = labels_of(db_sessions(), ids[0]) if ids else None
    if stored is None:
        return
    badges, fix = st.columns([4, 1], vertical_alignment="center")
    with badges:
        label_badges(stored)
    with fix.popover(tr("triage.correct"), icon=":material/edit:"), st.form(f"triage.form.{ids[0]}", border=False):
        chosen = {}
        for name in FIELDS:
            # Labels looked up in a dict built in this run's interface language.
            labels = {value: tr(f"{name}.{value}") for value in CHOICES[name]}
            current = stored.labels[name]
            chosen[name] = st.selectbox(
                tr(f"triage.{name}"), list(labels), format_func=labels.__getitem__,
                index=list(labels).index(current) if current in labels else 0,
                key=f"triage.{name}.{ids[0]}",
            )
        if st.form_submit_button(tr("triage.save"), type="primary"):
            correct(db_sessions(), ids, chosen, corrected_by=current_user_name())
            triager().classifier()  # refit now, so the next complaint already learns from it
            st.toast(tr("triage.saved"))
            st.rerun()

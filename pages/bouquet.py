"""Bouquet description: describe the flowers, pick the occasion, get one or more drafts to choose."""

import streamlit as st
from pydantic import ValidationError

from core.drafting.bouquet_description import LENGTHS, OCCASIONS, BouquetRequest, build_prompt
from core.settings import shop_settings
from pages.components.auth import require_login
from pages.components.common import ground, tr
from pages.components.drafts import (
    collected_drafts,
    show_drafts,
    stream_drafts,
    variant_count_input,
)

require_login()
st.title(tr("bouquet.title"))
occasion_labels = {occasion: tr(f"occasion.{occasion}") for occasion in OCCASIONS}
length_labels = {length: tr(f"length.{length}") for length in LENGTHS}
language_labels = {code: tr(f"lang.{code}") for code in ("en", "zh")}

with st.form("bouquet.form"):
    details = st.text_area(
        tr("bouquet.details"), key="bouquet.details", height=120,
        placeholder=tr("bouquet.details_placeholder"),
    )
    occasion_column, recipient_column = st.columns(2)
    occasion = occasion_column.selectbox(
        tr("bouquet.occasion"), OCCASIONS, format_func=occasion_labels.__getitem__, key="bouquet.occasion"
    )
    recipient = recipient_column.text_input(
        tr("bouquet.recipient"), key="bouquet.recipient", placeholder=tr("bouquet.recipient_placeholder")
    )
    length_column, language_column, count_column = st.columns(3)
    length = length_column.radio(
        tr("bouquet.length"), LENGTHS, index=LENGTHS.index("medium"),
        format_func=length_labels.__getitem__, key="bouquet.length", horizontal=True,
    )
    language = language_column.radio(
        tr("bouquet.language"), list(language_labels), format_func=language_labels.__getitem__,
        key="bouquet.language", horizontal=True,
    )
    with count_column:
        count = variant_count_input("bouquet.count")
    submitted = st.form_submit_button(tr("bouquet.submit"), type="primary")

if submitted:
    try:
        request = BouquetRequest(
            details=details, occasion=occasion, recipient=recipient, length=length, language=language
        )
    except ValidationError:
        st.warning(tr("bouquet.empty"))
    else:
        prompt = build_prompt(
            request, shop_settings().shop_name, ground("bouquet", request.details, request.language)
        )
        outcomes = stream_drafts(
            prompt, st.session_state["model_choice"], count, state_key="bouquet.outcomes"
        )
        if outcomes:
            st.rerun()  # redraw as logged drafts with their buttons and rating forms

outcomes = collected_drafts("bouquet.outcomes")
if outcomes:
    st.subheader(tr("draft.heading"))
    show_drafts(outcomes, st.session_state["model_choice"])

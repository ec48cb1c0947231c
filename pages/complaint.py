"""Complaint reply: paste the customer's message, get a streamed draft, rate and fix it."""

import streamlit as st
from pydantic import ValidationError

from core.drafting.complaint_reply import TONES, ComplaintRequest, build_prompt
from core.settings import shop_settings
from pages.components.auth import require_login
from pages.components.common import ground, tr, triager
from pages.components.drafts import (
    collected_drafts,
    show_drafts,
    stream_drafts,
    variant_count_input,
)
from pages.components.triage_tags import triage_tags

require_login()
st.title(tr("complaint.title"))
tone_labels = {tone: tr(f"tone.{tone}") for tone in TONES}
language_labels = {code: tr(f"lang.{code}") for code in ("en", "zh")}

with st.form("complaint.form"):
    complaint = st.text_area(
        tr("complaint.text"), key="complaint.text", height=160,
        placeholder=tr("complaint.text_placeholder"),
    )
    with st.expander(tr("complaint.order")):
        number_column, product_column, date_column = st.columns(3)
        order_number = number_column.text_input(tr("complaint.order_number"), key="complaint.order_number")
        product = product_column.text_input(tr("complaint.product"), key="complaint.product")
        delivery_date = date_column.text_input(tr("complaint.delivery_date"), key="complaint.delivery_date")
    tone_column, language_column, count_column = st.columns(3)
    tone = tone_column.radio(
        tr("complaint.tone"), TONES, format_func=tone_labels.__getitem__,
        key="complaint.tone", horizontal=True,
    )
    language = language_column.radio(
        tr("complaint.reply_language"), list(language_labels), format_func=language_labels.__getitem__,
        key="complaint.language", horizontal=True,
    )
    with count_column:
        count = variant_count_input("complaint.count")
    submitted = st.form_submit_button(tr("complaint.submit"), type="primary")

if submitted:
    try:
        request = ComplaintRequest(
            complaint=complaint, order_number=order_number, product=product,
            delivery_date=delivery_date, tone=tone, language=language,
        )
    except ValidationError:
        st.warning(tr("complaint.empty"))
    else:
        triage = triager().triage(request.complaint)
        grounding = ground("complaint", request.complaint, request.language, triage.category)
        prompt = build_prompt(request, shop_settings().shop_name, grounding, triage)
        outcomes = stream_drafts(
            prompt, st.session_state["model_choice"], count, state_key="complaint.outcomes"
        )
        if outcomes:
            st.rerun()  # redraw as logged drafts with their buttons and rating forms

outcomes = collected_drafts("complaint.outcomes")
if outcomes:
    st.subheader(tr("draft.heading"))
    triage_tags(outcomes)
    show_drafts(outcomes, st.session_state["model_choice"])

"""Huayu 花语 — the flower shop's reply desk. Run with `make run` (or `streamlit run app.py`)."""

import streamlit as st

from pages.components.common import tr
from pages.components.sidebar import shop_header, sidebar

st.set_page_config(page_title="Huayu 花语", page_icon="💐", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/complaint.py", title=tr("nav.complaint"), icon="💬", default=True),
        st.Page("pages/models.py", title=tr("nav.models"), icon="🧰"),
    ]
)
shop_header()
st.session_state["model_choice"] = sidebar()
navigation.run()

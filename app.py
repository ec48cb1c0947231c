"""Huayu 花语 — the flower shop's reply desk. Run with `make run` (or `streamlit run app.py`)."""

import streamlit as st

from pages.components.auth import account_panel, current_identity, login_page
from pages.components.common import keep_forms, tr
from pages.components.sidebar import shop_header, sidebar

st.set_page_config(page_title="Huayu 花语", page_icon="💐", layout="wide")

# Before any page: who is this? Nobody yet means the login page is the only page there is.
identity = current_identity()
if identity is None:
    st.navigation([st.Page(login_page, title=tr("auth.login_title"), icon="🔒")], position="hidden").run()
else:
    staff_pages = [
        st.Page("pages/complaint.py", title=tr("nav.complaint"), icon="💬", default=True),
        st.Page("pages/bouquet.py", title=tr("nav.bouquet"), icon="💐"),
        st.Page("pages/history.py", title=tr("nav.history"), icon="📜"),
        st.Page("pages/compare.py", title=tr("nav.compare"), icon="⚖️"),
    ]
    # Listed for managers only (each also calls require_role("manager") itself).
    manager_pages = [
        st.Page("pages/dashboard.py", title=tr("nav.dashboard"), icon="📊"),
        st.Page("pages/review.py", title=tr("nav.review"), icon="🚩"),
        st.Page("pages/export.py", title=tr("nav.export"), icon="📦"),
        st.Page("pages/models.py", title=tr("nav.models"), icon="🧰"),
        st.Page("pages/knowledge.py", title=tr("nav.knowledge"), icon="📚"),
        st.Page("pages/train.py", title=tr("nav.training"), icon="🎓"),
        st.Page("pages/users.py", title=tr("nav.users"), icon="👥"),
    ]
    navigation = st.navigation(staff_pages + (manager_pages if identity.has_role("manager") else []))
    keep_forms()
    shop_header()
    st.session_state["model_choice"] = sidebar()
    account_panel(identity)
    navigation.run()

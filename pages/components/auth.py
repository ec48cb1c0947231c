"""Logins on every page: `current_identity` (app.py runs it before navigation), the login page,
the sidebar's account box, and `require_role` for pages only managers may use."""

from __future__ import annotations

import math

import streamlit as st

from core.accounts.auth import (
    AccountLocked,
    Identity,
    LoginFailed,
    SessionEnded,
    authenticate,
    is_loopback,
    local_identity,
    refresh_session,
    users_exist,
    utcnow,
)
from core.i18n import UI_LANGUAGES
from core.settings import shop_settings
from core.text import escape_markdown
from pages.components.common import db_sessions, tr, ui_language

IDENTITY_KEY = "auth.identity"
LAST_SEEN_KEY = "auth.last_seen"
ENDED_KEY = "auth.ended"
STASH_KEY = "auth.stash"
# Session-state keys that belong to logging in, not to what staff were typing.
_OWN_PREFIXES = ("auth.", "ui.")


def current_identity() -> Identity | None:
    """Who uses this browser session, checked on every run; None when they must log in first,
    or when the app must not open at all (exposed on the network without users)."""
    sessions = db_sessions()
    if not users_exist(sessions):
        if not is_loopback(st.get_option("server.address")):
            return None
        identity = st.session_state.get(IDENTITY_KEY)
        if not isinstance(identity, Identity) or not identity.is_local:
            identity = local_identity()
            st.session_state[IDENTITY_KEY] = identity
        return identity
    identity = st.session_state.get(IDENTITY_KEY)
    if not isinstance(identity, Identity):
        return None
    try:
        identity = refresh_session(sessions, identity, st.session_state.get(LAST_SEEN_KEY, utcnow()))
    except SessionEnded as ended:
        _end_session(ended.reason)
        return None
    st.session_state[IDENTITY_KEY] = identity
    st.session_state[LAST_SEEN_KEY] = utcnow()
    return identity


def _end_session(reason: str) -> None:
    identity = st.session_state.pop(IDENTITY_KEY, None)
    st.session_state.pop(LAST_SEEN_KEY, None)
    st.session_state[ENDED_KEY] = reason
    if isinstance(identity, Identity) and identity.name is not None:
        # This run holds what the form sent (a complaint typed over an hour, say); the login
        # page draws none of those widgets, so Streamlit would drop it. Keep the text for the
        # same user's next login.
        typed = {
            key: value
            for key, value in st.session_state.items()
            if isinstance(key, str) and isinstance(value, str) and not key.startswith(_OWN_PREFIXES)
        }
        st.session_state[STASH_KEY] = (identity.name, typed)


def current_user_name() -> str | None:
    """The logged-in user's name for the log; None in local mode."""
    identity = st.session_state.get(IDENTITY_KEY)
    return identity.name if isinstance(identity, Identity) else None


def require_login() -> Identity:
    """The identity app.py's gate checked in this run. Every page calls this (or `require_role`)
    first: Streamlit may run a page file without app.py (see below), and then it reruns through
    app.py's login gate and navigation before anything on the page is drawn."""
    from streamlit.runtime.pages_manager import PagesManager

    if getattr(PagesManager, "uses_pages_directory", False):
        # Until some run calls st.navigation, a Streamlit process treats `pages/` as an
        # old-style pages folder and runs a requested page (a bookmark of /complaint right
        # after a restart) directly. Switch that off for the process and start over.
        PagesManager.uses_pages_directory = False
        st.rerun()
    identity = st.session_state.get(IDENTITY_KEY)
    if not isinstance(identity, Identity):
        st.stop()  # unreachable through app.py, which shows the login page instead
    return identity


def require_role(role: str) -> Identity:
    """The current identity if it may do what `role` may; otherwise an error, and the page stops."""
    identity = require_login()
    if not identity.has_role(role):
        st.error(tr("auth.forbidden"))
        st.stop()
    return identity


def login_page() -> None:
    """The only page before logging in: the login form, or why the app will not open."""
    if not users_exist(db_sessions()):
        _exposed_page()
        return
    st.title(f"💐 {escape_markdown(shop_settings().shop_name)}")
    st.selectbox(
        tr("auth.language"),
        list(UI_LANGUAGES),
        index=list(UI_LANGUAGES).index(ui_language()),
        format_func=UI_LANGUAGES.__getitem__,
        key="auth.language",
        on_change=_take_language,
    )
    ended = st.session_state.pop(ENDED_KEY, None)
    if ended is not None:
        st.info(tr(f"auth.ended.{ended}"))
    with st.form("auth.login"):
        name = st.text_input(tr("auth.name"), key="auth.name")
        password = st.text_input(tr("auth.password"), type="password", key="auth.password")
        submitted = st.form_submit_button(tr("auth.login"), type="primary")
    if not submitted:
        return
    try:
        identity = authenticate(db_sessions(), name.strip(), password)
    except AccountLocked as locked:
        minutes = max(1, math.ceil((locked.until - utcnow()).total_seconds() / 60))
        st.error(tr("auth.locked", minutes=minutes))
        return
    except LoginFailed:
        st.error(tr("auth.failed"))
        return
    st.session_state[IDENTITY_KEY] = identity
    st.session_state[LAST_SEEN_KEY] = utcnow()
    owner, typed = st.session_state.pop(STASH_KEY, (None, {}))
    if owner == identity.name:
        st.session_state.update(typed)
    st.rerun()


def _take_language() -> None:
    st.session_state["ui.language"] = st.session_state["auth.language"]


def _exposed_page() -> None:
    address = st.get_option("server.address")
    st.title(tr("auth.exposed_title"))
    where = escape_markdown(address) if address else tr("auth.exposed_all_interfaces")
    st.error(tr("auth.exposed", address=where))
    st.markdown(tr("auth.exposed_fix_users"))
    st.code("python -m core users add NAME --role manager", language="bash")
    st.markdown(tr("auth.exposed_fix_local"))
    st.code('[server]\naddress = "127.0.0.1"', language="toml")


def account_panel(identity: Identity) -> None:
    """In the sidebar: who is logged in and a logout button, or the local-mode notice."""
    with st.sidebar:
        st.divider()
        if identity.is_local:
            st.info(tr("auth.local_mode"))
            return
        st.caption(
            tr(
                "auth.signed_in_as",
                name=escape_markdown(identity.name or ""),
                role=tr(f"auth.role.{identity.role}"),
            )
        )
        st.button(tr("auth.logout"), key="auth.logout", on_click=_log_out)


def _log_out() -> None:
    st.session_state.pop(IDENTITY_KEY, None)
    st.session_state.pop(LAST_SEEN_KEY, None)
    st.session_state.pop(STASH_KEY, None)
    st.session_state[ENDED_KEY] = "logged_out"

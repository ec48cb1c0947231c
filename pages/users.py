"""Users: who may log in, their roles and lockouts; managers unlock accounts here. Adding and
removing users is done on the server with `python -m core users`."""

import math

import streamlit as st

from core.accounts.auth import list_users, unlock, utcnow
from core.text import escape_markdown
from pages.components.auth import require_role
from pages.components.common import db_sessions, tr

require_role("manager")
st.title(tr("users.title"))
st.caption(tr("users.how_to"))

now = utcnow()
users = list_users(db_sessions())
if not users:
    st.info(tr("users.none"))
    st.stop()


def status(locked_until) -> str:  # type: ignore[no-untyped-def]
    if locked_until is None or locked_until <= now:
        return tr("users.ok")
    return tr("users.locked", minutes=math.ceil((locked_until - now).total_seconds() / 60))


st.dataframe(
    [
        {
            tr("users.name"): user.name,
            tr("users.role"): tr(f"auth.role.{user.role}"),
            tr("users.last_login"): f"{user.last_login_at:%Y-%m-%d %H:%M}" if user.last_login_at else tr("users.never"),
            tr("users.status"): status(user.locked_until),
        }
        for user in users
    ],
    hide_index=True,
)

locked = [user.name for user in users if user.locked_until is not None and user.locked_until > now]
if locked:
    with st.form("users.unlock"):
        who = st.selectbox(tr("users.unlock_who"), locked, key="users.unlock_who")
        if st.form_submit_button(tr("users.unlock")):
            unlock(db_sessions(), who)
            st.success(tr("users.unlocked", name=escape_markdown(who)))

"""What every page needs: the process's shared model slot and database, and the interface's words.

The model slot and the session factory come from `st.cache_resource`, so one process holds one
model and one engine however many staff have the app open.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy.orm import Session, sessionmaker

from core.i18n import pick_ui_language, translate
from core.model_slot import ModelSlot
from core.runtime import database_url
from core.runtime import sessions as open_sessions


@st.cache_resource(show_spinner=False)
def model_slot() -> ModelSlot:
    """The process's one model slot, shared by every browser session."""
    return ModelSlot()


def db_sessions() -> sessionmaker[Session]:
    """The session factory on the configured, upgraded database."""
    return _db_sessions(database_url())


@st.cache_resource(show_spinner=False)
def _db_sessions(url: str) -> sessionmaker[Session]:
    # Cached per URL: migrations run once per process and database.
    return open_sessions(url)


def ui_language() -> str:
    """The interface language: the sidebar's choice, first taken from the browser's locale."""
    return st.session_state.setdefault("ui.language", pick_ui_language(st.context.locale))


def tr(key: str, **values: object) -> str:
    """`key` from the catalogue in the interface language."""
    return translate(key, ui_language(), **values)

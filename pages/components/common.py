"""What every page needs: the process's shared model slot and database, and the interface's words.

The model slot and the session factory come from `st.cache_resource`, so one process holds one
model and one engine however many staff have the app open.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy.orm import Session, sessionmaker

from core.drafting.grounder import Grounder, make_grounder
from core.drafting.grounding import Grounding
from core.i18n import pick_ui_language, translate
from core.models.model_slot import ModelSlot
from core.runtime import database_url
from core.runtime import sessions as open_sessions
from core.settings import shop_settings
from core.triage.service import Triager


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


def grounder() -> Grounder:
    """The process's few-shot examples and knowledge on the configured database (one embedding
    model, one in-memory index, shared by every browser session)."""
    return _grounder(database_url())


@st.cache_resource(show_spinner=False)
def _grounder(url: str) -> Grounder:
    return make_grounder(_db_sessions(url))


def ground(task: str, text: str, language: str, category: str | None = None) -> Grounding:
    """The examples and passages for one request, as the shop's settings ask."""
    settings = shop_settings()
    return grounder().ground(
        task, text, language, few_shot=settings.few_shot, knowledge=settings.knowledge,
        category=category,
    )


def triager() -> Triager:
    """The process's triage classifier on the configured database (its corrections)."""
    return _triager(database_url())


@st.cache_resource(show_spinner=False)
def _triager(url: str) -> Triager:
    return Triager(_db_sessions(url))


def ui_language() -> str:
    """The interface language: the sidebar's choice, first taken from the browser's locale."""
    return st.session_state.setdefault("ui.language", pick_ui_language(st.context.locale))


def tr(key: str, **values: object) -> str:
    """`key` from the catalogue in the interface language."""
    return translate(key, ui_language(), **values)


# The history page's "open generation" field; other pages set it to open one there.
OPEN_KEY = "history.open_id"

# Pages whose typed-in fields survive a visit to another page.
FORM_PREFIXES = ("complaint.", "bouquet.")


def keep_forms() -> None:
    """Keep what staff typed on other pages: Streamlit forgets a widget's value once a run does
    not draw it, but not a value the script itself set; re-setting them each run keeps them."""
    for key in list(st.session_state.keys()):
        if isinstance(key, str) and key.startswith(FORM_PREFIXES) and not key.endswith("outcomes"):
            st.session_state[key] = st.session_state[key]

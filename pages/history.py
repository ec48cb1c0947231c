"""History: every generation, filtered and paged; open one to see exactly what was sent, and
re-rate or edit it."""

import streamlit as st

from core.history.browse import (
    RATING_FILTERS,
    HistoryQuery,
    browse,
    open_generation,
    options,
    ratings,
)
from core.triage.labels import CATEGORIES, URGENCIES
from pages.components.auth import require_login
from pages.components.common import OPEN_KEY, db_sessions, tr
from pages.components.drafts import rating_form
from pages.components.history_views import (
    generation_view,
    history_table,
    ratings_view,
    task_label,
)

require_login()
st.title(tr("history.title"))
sessions = db_sessions()
menus = options(sessions)
# Labels are looked up in dicts built here, in the interface language of this run.
any_option = {None: tr("history.any")}
task_labels = any_option | {task: task_label(task) for task in menus.tasks}
backend_labels = any_option | {backend: backend for backend in menus.backends}
model_labels = any_option | {model: model for model in menus.models}
version_labels = any_option | {
    version: f"{template_id} @ {version}" for version, template_id in menus.template_versions
}
rating_labels = {mode: tr(f"history.rating.{mode}") for mode in RATING_FILTERS}
stars_labels = any_option | {stars: "★" * stars for stars in range(1, 6)}
category_labels = any_option | {category: tr(f"category.{category}") for category in CATEGORIES}
urgency_labels = any_option | {urgency: tr(f"urgency.{urgency}") for urgency in URGENCIES}

with st.expander(tr("history.filters"), expanded=True):
    task_column, backend_column, model_column, version_column = st.columns(4)
    task = task_column.selectbox(
        tr("history.task"), list(task_labels), format_func=task_labels.__getitem__,
        key="history.task",
    )
    backend = backend_column.selectbox(
        tr("history.backend"), list(backend_labels), format_func=backend_labels.__getitem__,
        key="history.backend",
    )
    model_id = model_column.selectbox(
        tr("history.model"), list(model_labels), format_func=model_labels.__getitem__,
        key="history.model",
    )
    template_version = version_column.selectbox(
        tr("history.template_version"), list(version_labels),
        format_func=version_labels.__getitem__, key="history.template_version",
    )
    rating_column, stars_column, days_column, search_column = st.columns(4)
    rating = rating_column.selectbox(
        tr("history.rating"), RATING_FILTERS, format_func=rating_labels.__getitem__,
        key="history.rating",
    )
    min_stars = stars_column.selectbox(
        tr("history.min_stars"), list(stars_labels), format_func=stars_labels.__getitem__,
        key="history.min_stars",
    )
    days = days_column.date_input(tr("history.days"), value=(), key="history.days")
    search = search_column.text_input(
        tr("history.search"), key="history.search", placeholder=tr("history.search_placeholder")
    )
    category_column, urgency_column, _, _ = st.columns(4)
    category = category_column.selectbox(
        tr("triage.category"), list(category_labels), format_func=category_labels.__getitem__,
        key="history.category",
    )
    urgency = urgency_column.selectbox(
        tr("triage.urgency"), list(urgency_labels), format_func=urgency_labels.__getitem__,
        key="history.urgency",
    )

days = list(days)  # none, the first day picked so far, or both
query = HistoryQuery(
    task=task, backend=backend, model_id=model_id, template_version=template_version,
    rating=rating, min_stars=min_stars, search=search, category=category, urgency=urgency,
    first_day=days[0] if days else None, last_day=days[-1] if days else None,
)
if st.session_state.get("history.query") != query:  # new filters start from the first page
    st.session_state["history.query"] = query
    st.session_state["history.cursors"] = []
cursors = st.session_state["history.cursors"]
page = browse(sessions, query, after=cursors[-1] if cursors else None)

st.caption(tr("history.count", total=page.total, page=len(cursors) + 1))
if page.rows:
    shown_ids = [row.id for row in page.rows]

    def open_selected() -> None:
        selected = st.session_state["history.table"].selection.rows
        if selected:
            st.session_state[OPEN_KEY] = shown_ids[selected[0]]

    st.dataframe(
        history_table(page.rows), key="history.table", hide_index=True,
        on_select=open_selected, selection_mode="single-row",
    )
else:
    st.info(tr("history.none"))
with st.container(horizontal=True):
    st.button(tr("history.previous"), key="history.previous", disabled=not cursors, on_click=cursors.pop)
    st.button(
        tr("history.next"), key="history.next", disabled=page.next_cursor is None,
        on_click=cursors.append, args=(page.next_cursor,),
    )

st.divider()
open_id = st.number_input(
    tr("history.open"), min_value=1, value=None, step=1, key=OPEN_KEY,
    placeholder=tr("history.open_placeholder"),
)
if open_id is not None:
    detail = open_generation(sessions, int(open_id))
    if detail is None:
        st.warning(tr("history.not_found", id=int(open_id)))
    else:
        generation_view(detail)
        ratings_area = st.container()  # filled after the form, so a rating saved now is listed
        rating_form(detail.id, detail.output, sent=detail.sent_reply)
        with ratings_area:
            ratings_view(ratings(sessions, detail.id))

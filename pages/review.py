"""Review queue (managers): drafts rated down, failing a soft check, or for an urgent complaint;
assign them, note them, and resolve them, with a corrected reply when the draft was wrong."""

import streamlit as st

from core.accounts.auth import list_users
from core.history.browse import local_time
from core.review import queue
from core.text import escape_markdown
from pages.components.auth import current_user_name, require_role
from pages.components.common import OPEN_KEY, db_sessions, grounder, tr
from pages.components.history_views import TIME_FORMAT, task_label
from pages.components.triage_tags import urgent_badge

require_role("manager")
st.title(tr("review.title"))
st.caption(tr("review.intro"))
sessions = db_sessions()
staff = [user.name for user in list_users(sessions)]
counts = queue.counts(sessions)
st.caption(tr("review.counts", open=counts.get("open", 0), resolved=counts.get("resolved", 0)))

status_labels = {status: tr(f"review.status.{status}") for status in queue.STATUSES}
reason_labels = {None: tr("review.any")} | {r: tr(f"review.reason.{r}") for r in queue.REASONS}
status_column, reason_column, mine_column = st.columns(3, vertical_alignment="bottom")
status = status_column.segmented_control(
    tr("review.status"), list(status_labels), format_func=status_labels.__getitem__,
    default="open", key="review.status",
)
reason = reason_column.selectbox(
    tr("review.reason"), list(reason_labels), format_func=reason_labels.__getitem__, key="review.reason"
)
mine = mine_column.toggle(tr("review.mine"), key="review.mine")

found = queue.items(
    sessions, status=status, reason=reason, assignee=current_user_name() if mine else None
)
if not found:
    st.info(tr("review.empty"))

for item in found:
    title = tr(
        "review.item", id=item.generation_id, task=task_label(item.task),
        when=local_time(item.created_at).strftime(TIME_FORMAT),
    )
    with st.container(border=True):
        with st.container(horizontal=True, vertical_alignment="center"):
            st.markdown(f"**{title}**")
            for why in item.reasons:
                st.badge(tr(f"review.reason.{why}"), color="orange")
            if item.urgency == "high":
                urgent_badge()
            if item.category:
                st.badge(tr(f"category.{item.category}"), color="blue")
        request_column, draft_column = st.columns(2)
        request_column.caption(tr("review.request"))
        request_column.markdown(escape_markdown(item.request) or "–")
        draft_column.caption(f"{tr('review.draft')} · {item.model_id}")
        draft_column.markdown(escape_markdown(item.draft) or "–")
        if item.status == "resolved":
            st.caption(tr("review.resolved_by", name=item.resolved_by or "–") + (f" · {item.note}" if item.note else ""))
            if st.button(tr("review.reopen"), key=f"review.reopen.{item.id}"):
                queue.reopen(sessions, item.id)
                st.rerun()
            continue
        with st.form(f"review.form.{item.id}", border=False):
            assignee_column, note_column = st.columns([1, 2])
            if staff:  # with logins, pick a colleague; without them, any name
                names = ["", *staff]
                assignee = assignee_column.selectbox(
                    tr("review.assignee"), names, key=f"review.assignee.{item.id}",
                    index=names.index(item.assignee) if item.assignee in names else 0,
                    format_func=lambda name: name or "–",
                )
            else:
                assignee = assignee_column.text_input(
                    tr("review.assignee"), value=item.assignee or "", key=f"review.assignee.{item.id}"
                )
            note = note_column.text_input(tr("review.note"), value=item.note or "", key=f"review.note.{item.id}")
            corrected = st.text_area(tr("review.corrected"), value="", key=f"review.corrected.{item.id}")
            with st.container(horizontal=True):
                save = st.form_submit_button(tr("review.save"))
                resolve = st.form_submit_button(tr("review.resolve"), type="primary")
        if st.button(tr("review.open_history"), key=f"review.history.{item.id}", icon=":material/open_in_new:"):
            st.session_state[OPEN_KEY] = item.generation_id
            st.switch_page("pages/history.py")
        if save:
            queue.assign(sessions, item.id, assignee, note)
            st.toast(tr("review.saved"))
            st.rerun()
        if resolve:
            queue.assign(sessions, item.id, assignee, note)
            queue.resolve(
                sessions, item.id, resolved_by=current_user_name(), note=note,
                corrected_reply=corrected, examples=grounder().examples,
            )
            st.toast(tr("review.saved"))
            st.rerun()

"""Export: rated replies as fine-tuning files (OpenAI, TRL, LLaMA-Factory), for managers."""

import streamlit as st

from core.training_data.export import ExportOptions, export_download
from core.training_data.export_formats import FORMATS
from core.triage.corrections import labels_jsonl
from pages.components.auth import require_role
from pages.components.common import db_sessions, tr

require_role("manager")
st.title(tr("export.title"))
st.caption(tr("export.intro"))

format_labels = {
    name: f"{name} — " + tr(f"export.format.{name.replace('-', '_')}") for name in FORMATS
}
task_labels = {
    "": tr("export.task_all"),
    "complaint": tr("export.task_complaint"),
    "bouquet": tr("export.task_bouquet"),
}
rating_labels = {
    0: tr("export.rating_any"),
    **{n: tr("export.rating_at_least", stars=n) for n in range(1, 6)},
}

with st.form("export.form"):
    export_format = st.selectbox(
        tr("export.format"),
        list(FORMATS),
        key="export.format",
        format_func=format_labels.__getitem__,
    )
    task_column, rating_column, since_column = st.columns(3)
    task = task_column.selectbox(
        tr("export.task"), list(task_labels), format_func=task_labels.__getitem__, key="export.task"
    )
    min_rating = rating_column.selectbox(
        tr("export.min_rating"),
        list(rating_labels),
        format_func=rating_labels.__getitem__,
        key="export.min_rating",
    )
    since = since_column.date_input(
        tr("export.since"), value=None, key="export.since", help=tr("export.since_help")
    )
    split = st.slider(
        tr("export.split"), 0.0, 0.5, 0.1, 0.05, key="export.split", help=tr("export.split_help")
    )
    scrub = st.toggle(
        tr("export.scrub"), value=True, key="export.scrub", help=tr("export.scrub_help")
    )
    include_starter = st.toggle(
        tr("export.starter"), value=True, key="export.starter", help=tr("export.starter_help")
    )
    submitted = st.form_submit_button(tr("export.prepare"), type="primary")

if submitted:
    options = ExportOptions(
        format=export_format,
        task=task or None,
        min_rating=min_rating or None,
        since=since,
        split=split,
        scrub=scrub,
        include_starter=include_starter,
    )
    with st.spinner(tr("export.working")):
        st.session_state["export.result"] = export_download(db_sessions(), options)

result = st.session_state.get("export.result")
if result is not None:
    summary = result.summary
    if summary.records == 0:
        st.info(tr("export.empty"))
    else:
        st.success(
            tr(
                "export.done",
                records=summary.records,
                train=summary.train,
                validation=summary.validation,
                duplicates=summary.duplicates,
            )
        )
        if summary.sources:
            st.caption(
                tr(
                    "export.pairs",
                    edit=summary.sources["edit"],
                    variant=summary.sources["variant"],
                    rating=summary.sources["rating"],
                )
            )
        st.caption(tr("export.files", files=", ".join(path.name for path in summary.files)))
        st.download_button(
            tr("export.download"),
            data=result.data,
            file_name=result.file_name,
            mime=result.mime,
            key="export.download",
            type="primary",
            on_click="ignore",
        )

st.divider()
st.subheader(tr("export.triage_heading"))
st.caption(tr("export.triage_intro"))
every_label = st.toggle(tr("export.triage_all"), key="export.triage_all")
st.download_button(
    tr("export.triage_download"),
    data=labels_jsonl(db_sessions(), corrected_only=not every_label),
    file_name="triage-labels.jsonl",
    mime="application/jsonl",
    key="export.triage_download",
    on_click="ignore",
)

"""Train the shop's model: the data there is, a background training run, and what runs produced."""

from datetime import datetime

import streamlit as st

from core.models.backends.gguf import embedded_model_path
from core.models.languages import known_languages
from core.models.tuned import default_tuned, tuned_models
from core.settings import shop_settings
from core.tuning.dataset import SOURCES, available
from core.tuning.jobs import JobRunning, cancel_job, current_job, start_job
from pages.components.auth import require_role
from pages.components.common import db_sessions, tr

identity = require_role("manager")
settings = shop_settings()
st.title(tr("training.title"))
st.caption(tr("training.intro"))

languages = known_languages(embedded_model_path().stem)
counts = available(db_sessions(), languages)
edited_column, rated_column, starter_column = st.columns(3)
edited_column.metric(tr("training.edited"), counts["edited"])
rated_column.metric(tr("training.rated"), counts["rated"])
starter_column.metric(tr("training.starter"), counts["starter"])
if languages:
    st.caption(
        tr(
            "training.languages",
            languages=", ".join(tr(f"lang.{code}") for code in sorted(languages)),
        )
    )


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


@st.fragment(run_every=5)
def training_run() -> None:
    """The current run, refreshed every few seconds; or the form that starts one."""
    job = current_job(settings.models_dir)
    if job is not None and job.state == "running":
        st.info(tr("training.running", who=job.record.get("started_by") or "?"))
        progress = job.progress()
        stage = str(progress.get("stage", "data"))
        step, total = int(progress.get("step") or 0), int(progress.get("total_steps") or 0)
        loss = progress.get("loss")
        text = tr(
            "training.step",
            stage=tr(f"training.stage.{stage}"),
            step=step,
            total=total or "?",
            loss=f"{loss:.3f}" if isinstance(loss, float) else "–",
            eta=_duration(progress.get("eta_s")),
        )
        st.progress(step / total if total else 0.0, text=text)
        if st.button(tr("training.cancel"), key="training.cancel"):
            cancel_job(job)
            st.rerun()
        with st.expander(tr("training.log")):
            st.code(job.log_tail(), language=None)
        return
    if job is not None:
        state = job.state
        message = tr(f"training.state.{state}", out=job.out.name)
        (st.success if state == "done" else st.warning)(message)
        if state == "failed":
            st.code(job.log_tail(), language=None)
    with st.form("training.form"):
        source_labels = {source: tr(f"training.source.{source}") for source in SOURCES[::-1]}
        source = st.radio(
            tr("training.source"),
            list(source_labels),
            format_func=source_labels.__getitem__,
            key="training.source",
        )
        epochs = st.number_input(tr("training.epochs"), 1, 5, 2, key="training.epochs")
        evaluate = st.checkbox(tr("training.evaluate"), value=True, key="training.evaluate")
        if st.form_submit_button(tr("training.start"), type="primary"):
            arguments = ["--data", source, "--epochs", str(epochs)] + (
                [] if evaluate else ["--no-eval"]
            )
            out = settings.models_dir / f"shop-{datetime.now():%Y%m%d-%H%M}"
            try:
                start_job(
                    settings.models_dir, arguments, out=out, started_by=identity.name or "local"
                )
            except JobRunning as error:
                st.warning(str(error))
            else:
                st.rerun()


training_run()

st.subheader(tr("training.models"))
models = tuned_models(settings.models_dir)
default = default_tuned(settings.models_dir)
if not models:
    st.caption(tr("training.none"))
for model in models:
    with st.container(border=True):
        marker = (
            f" · **{tr('training.default')}**"
            if default is not None and default.folder == model.folder
            else ""
        )
        st.markdown(f"**{model.name}**{marker}")
        training = model.manifest.get("training", {})
        st.caption(
            tr(
                "training.trained",
                when=model.created_at[:16].replace("T", " "),
                examples=model.examples,
                minutes=float(training.get("seconds", 0)) / 60,
                speed=float(training.get("tokens_per_second", 0)),
                train=training.get("train_loss"),
                validation=training.get("validation_loss"),
            )
        )
        gate = model.evaluation
        if gate:
            st.markdown(
                tr(
                    "training.gate",
                    cases=gate["cases"],
                    base=gate["pass_rate"]["base"] or 0.0,
                    tuned=gate["pass_rate"]["tuned"] or 0.0,
                    wins=gate["wins"],
                    ties=gate["ties"],
                    losses=gate["losses"],
                )
            )
            (st.success if model.won else st.warning)(
                tr("training.won") if model.won else tr("training.lost")
            )
        else:
            st.caption(tr("training.not_evaluated"))
        if curve := training.get("loss_curve"):
            st.caption(tr("training.loss_curve"))
            st.line_chart(curve, x="step", y="loss", height=180)

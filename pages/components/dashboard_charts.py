"""How the dashboard page draws its numbers: headline metrics, one Altair chart per aggregate,
and under each its table with a CSV download."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import pandas as pd
import streamlit as st

from core.dashboard.report import Dashboard, DayRange, Headline
from core.dashboard.tables import (
    OUTCOME_COLUMNS,
    PERCENTILES,
    SHARE_COLUMNS,
    checks_frame,
    column_labels,
    complaints_frame,
    csv_bytes,
    drafts_frame,
    latency_frame,
    outcomes_frame,
    ratings_frame,
    readable,
    reasons_frame,
)
from pages.components.common import tr, ui_language

# Outcome colours that read at a glance: sent green, edited blue, rejected red, the rest grey.
OUTCOME_COLOURS = ("#2e9d5b", "#3b7dd8", "#d8453b", "#a9a9a9", "#dcdcdc")
# Model ids and template versions are long: room for them, level, on the axes that name them.
NAMES = alt.Axis(labelLimit=320)
SLANTED_NAMES = alt.Axis(labelAngle=-20, labelLimit=240)
COUNTS = alt.Axis(format="d", tickMinStep=1)


@dataclass(frozen=True)
class Section:
    """One aggregate on the page: its heading, a sentence on how it is counted, its chart(s)
    side by side, and the table behind them."""

    name: str
    """In the widget keys and the CSV file's name."""
    title: str
    caption: str
    charts: Sequence[alt.TopLevelMixin]
    table: pd.DataFrame


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{share:.0%}"


def headline_metrics(numbers: Headline) -> None:
    """The range's totals and shares, two rows of four."""
    distance = "–" if numbers.mean_edit_distance is None else f"{numbers.mean_edit_distance:.0f}"
    metrics = [
        (tr("dashboard.metric.drafts"), f"{numbers.drafts:,}", tr("dashboard.metric.drafts_help")),
        (tr("dashboard.metric.complaints"), f"{numbers.complaints:,}",
         tr("dashboard.metric.complaints_help")),
        (tr("dashboard.metric.sent"), _percent(numbers.sent_share),
         tr("dashboard.metric.sent_help", finished=numbers.finished)),
        (tr("dashboard.metric.edited"), _percent(numbers.edited_share),
         tr("dashboard.metric.edited_help")),
        (tr("dashboard.metric.rejected"), _percent(numbers.rejected_share),
         tr("dashboard.metric.rejected_help")),
        (tr("dashboard.metric.edit_distance"), distance, tr("dashboard.metric.edit_distance_help")),
        (tr("dashboard.metric.thumbs_up"), _percent(numbers.thumbs_up_share),
         tr("dashboard.metric.thumbs_up_help")),
        (tr("dashboard.metric.passed"), _percent(numbers.passed_share),
         tr("dashboard.metric.passed_help")),
    ]
    for row in (metrics[:4], metrics[4:]):
        for column, (label, value, help_text) in zip(st.columns(4), row, strict=True):
            column.metric(label, value, help=help_text, border=True)


def sections(dashboard: Dashboard) -> list[Section]:
    """Every aggregate of `dashboard` as a section, in the page's order."""
    language = ui_language()
    drafts = drafts_frame(dashboard.drafts_per_day, language)
    complaints = complaints_frame(dashboard.complaints, language)
    by_model = outcomes_frame(dashboard.outcomes_by_model, language)
    by_template = outcomes_frame(dashboard.outcomes_by_template, language)
    ratings = ratings_frame(dashboard.ratings, language)
    checks = checks_frame(dashboard.checks, language)
    latency = latency_frame(dashboard.latency, language)
    reasons = reasons_frame(dashboard.reasons, language)
    return [
        Section("drafts", tr("dashboard.drafts"), tr("dashboard.drafts_caption"),
                [drafts_chart(drafts)], drafts),
        Section("complaints", tr("dashboard.complaints"), tr("dashboard.complaints_caption"),
                [complaints_chart(complaints)], complaints),
        Section("outcomes-by-model", tr("dashboard.outcomes_model"),
                tr("dashboard.outcomes_caption"), [outcomes_chart(by_model, "model")], by_model),
        Section("outcomes-by-template", tr("dashboard.outcomes_template"),
                tr("dashboard.outcomes_caption"), [outcomes_chart(by_template, "template")],
                by_template),
        Section("ratings", tr("dashboard.ratings"), tr("dashboard.ratings_caption"),
                [ratings_chart(ratings)], ratings),
        Section("checks", tr("dashboard.checks"), tr("dashboard.checks_caption"),
                [checks_chart(checks)], checks),
        Section("latency", tr("dashboard.latency"), tr("dashboard.latency_caption"),
                latency_charts(latency), latency),
        Section("reasons", tr("dashboard.reasons"), tr("dashboard.reasons_caption"),
                [reasons_chart(reasons)], reasons),
    ]


def show(section: Section, days: DayRange) -> None:
    """A section's heading, chart(s) and, in an expander, its table and CSV download."""
    st.subheader(section.title)
    st.caption(section.caption)
    if section.table.empty:
        st.info(tr("dashboard.section_empty"))
        return
    columns = st.columns(len(section.charts)) if len(section.charts) > 1 else [st.container()]
    for column, chart in zip(columns, section.charts, strict=True):
        column.altair_chart(chart, width="stretch")
    language = ui_language()
    labels = column_labels(language)
    with st.expander(tr("dashboard.table", title=section.title)):
        st.dataframe(
            readable(section.table, language),
            hide_index=True,
            column_config={
                labels[name]: st.column_config.NumberColumn(format="percent")
                for name in SHARE_COLUMNS
                if name in section.table.columns
            },
        )
        st.download_button(
            tr("dashboard.download"),
            data=csv_bytes(section.table, language),
            file_name=f"huayu-{section.name}-{days.first}-{days.last}.csv",
            mime="text/csv",
            key=f"dashboard.download.{section.name}",
            on_click="ignore",
        )


def _labels() -> dict[str, str]:
    return column_labels(ui_language())


def drafts_chart(frame: pd.DataFrame) -> alt.Chart:
    labels = _labels()
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("yearmonthdate(day):T", title=labels["day"]),
            y=alt.Y("sum(drafts):Q", title=labels["drafts"], axis=COUNTS),
            color=alt.Color("task:N", title=labels["task"]),
            tooltip=[
                alt.Tooltip("yearmonthdate(day):T", title=labels["day"]),
                alt.Tooltip("task:N", title=labels["task"]),
                alt.Tooltip("sum(drafts):Q", title=labels["drafts"]),
            ],
        )
    )


def complaints_chart(frame: pd.DataFrame) -> alt.Chart:
    labels = _labels()
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("yearmonthdate(period):O", title=labels["period"]),
            y=alt.Y("sum(complaints):Q", title=labels["complaints"], axis=COUNTS),
            color=alt.Color("category:N", title=labels["category"]),
            tooltip=[
                alt.Tooltip("yearmonthdate(period):T", title=labels["period"]),
                alt.Tooltip("category:N", title=labels["category"]),
                alt.Tooltip("sum(complaints):Q", title=labels["complaints"]),
            ],
        )
    )


def outcomes_chart(frame: pd.DataFrame, group: str) -> alt.Chart:
    """Each model's (or template version's) drafts split by outcome, as shares of 100%."""
    labels = _labels()
    outcome, count = tr("dashboard.chart.outcome"), labels["drafts"]
    long = frame.melt(
        id_vars=[group, "mean_edit_distance"],
        value_vars=list(OUTCOME_COLUMNS),
        var_name="outcome",
        value_name="count",
    )
    long["outcome"] = long["outcome"].map(labels)
    legend = [labels[name] for name in OUTCOME_COLUMNS]
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X(
                "count:Q",
                stack="normalize",
                title=tr("dashboard.chart.share"),
                axis=alt.Axis(format="%"),
            ),
            y=alt.Y(f"{group}:N", title=labels[group], axis=NAMES),
            color=alt.Color(
                "outcome:N",
                title=outcome,
                scale=alt.Scale(
                    domain=legend, range=list(OUTCOME_COLOURS)
                ),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip(f"{group}:N", title=labels[group]),
                alt.Tooltip("outcome:N", title=outcome),
                alt.Tooltip("count:Q", title=count),
                alt.Tooltip(
                    "mean_edit_distance:Q", title=labels["mean_edit_distance"], format=".0f"
                ),
            ],
        )
        .transform_calculate(order=f"indexof({json.dumps(legend)}, datum.outcome)")
    )


def ratings_chart(frame: pd.DataFrame) -> alt.LayerChart:
    """Model × template version: colour the share of thumbs up, text the mean stars."""
    labels = _labels()
    base = alt.Chart(frame).encode(
        x=alt.X("model:N", title=labels["model"], axis=SLANTED_NAMES),
        y=alt.Y("template:N", title=labels["template"], axis=NAMES),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "share_thumbs_up:Q",
            title=labels["share_thumbs_up"],
            scale=alt.Scale(domain=[0, 1], scheme="redyellowgreen"),
            legend=alt.Legend(format="%"),
        ),
        tooltip=[
            alt.Tooltip("model:N", title=labels["model"]),
            alt.Tooltip("template:N", title=labels["template"]),
            alt.Tooltip("rated:Q", title=labels["rated"]),
            alt.Tooltip("share_thumbs_up:Q", title=labels["share_thumbs_up"], format=".0%"),
            alt.Tooltip("mean_stars:Q", title=labels["mean_stars"], format=".1f"),
        ],
    )
    stars = base.mark_text().encode(text=alt.Text("mean_stars:Q", format=".1f"))
    return (cells + stars).properties(height=alt.Step(32))


def checks_chart(frame: pd.DataFrame) -> alt.Chart:
    labels = _labels()
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("rate:Q", title=labels["rate"], axis=alt.Axis(format="%")),
            y=alt.Y("check:N", title=labels["check"], sort="-x", axis=NAMES),
            yOffset=alt.YOffset("task:N"),
            color=alt.Color("task:N", title=labels["task"]),
            tooltip=[
                alt.Tooltip("check:N", title=labels["check"]),
                alt.Tooltip("task:N", title=labels["task"]),
                alt.Tooltip("severity:N", title=labels["severity"]),
                alt.Tooltip("failed:Q", title=labels["failed"]),
                alt.Tooltip("checked:Q", title=labels["checked"]),
                alt.Tooltip("rate:Q", title=labels["rate"], format=".1%"),
            ],
        )
    )


def latency_charts(frame: pd.DataFrame) -> list[alt.Chart]:
    """First token and the whole draft, each its own chart (their scales differ tenfold)."""
    labels = _labels()
    percentile, milliseconds = tr("dashboard.chart.percentile"), tr("dashboard.chart.ms")
    charts = []
    for measure, title in (
        ("ttft", tr("dashboard.chart.ttft")),
        ("latency", tr("dashboard.chart.latency")),
    ):
        long = frame.melt(
            id_vars=["model"],
            value_vars=[f"{measure}_p{p}" for p in PERCENTILES],
            var_name="percentile",
            value_name="ms",
        )
        long["percentile"] = long["percentile"].str.removeprefix(f"{measure}_")
        charts.append(
            alt.Chart(long, title=title)
            .mark_bar()
            .encode(
                x=alt.X("model:N", title=labels["model"], axis=SLANTED_NAMES),
                xOffset=alt.XOffset("percentile:N", sort=[f"p{p}" for p in PERCENTILES]),
                y=alt.Y("ms:Q", title=milliseconds),
                color=alt.Color(
                    "percentile:N", title=percentile, sort=[f"p{p}" for p in PERCENTILES]
                ),
                tooltip=[
                    alt.Tooltip("model:N", title=labels["model"]),
                    alt.Tooltip("percentile:N", title=percentile),
                    alt.Tooltip("ms:Q", title=milliseconds, format=",.0f"),
                ],
            )
        )
    return charts


def reasons_chart(frame: pd.DataFrame) -> alt.Chart:
    labels = _labels()
    return (
        alt.Chart(frame)
        .mark_bar(color="#d8453b")
        .encode(
            x=alt.X("ratings:Q", title=labels["ratings"], axis=COUNTS),
            y=alt.Y("reason:N", title=labels["reason"], sort="-x", axis=NAMES),
            tooltip=[
                alt.Tooltip("reason:N", title=labels["reason"]),
                alt.Tooltip("ratings:Q", title=labels["ratings"]),
            ],
        )
    )

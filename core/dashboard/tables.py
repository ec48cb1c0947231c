"""The dashboard's aggregates as pandas tables: values in the interface language (task, category,
check and reason names), column ids the charts encode by, and `readable` column names for the
page's tables and the CSV files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import pandas as pd

from core.i18n import CATALOGUE, translate
from db.dashboard import (
    PERCENTILES,
    UNTRIAGED,
    CategoryCount,
    CheckFailures,
    DayCount,
    LatencyPercentiles,
    OutcomeCounts,
    RatingSummary,
    ReasonCount,
)

__all__ = [
    "LATENCY_COLUMNS",
    "OUTCOME_COLUMNS",
    "PERCENTILES",
    "SHARE_COLUMNS",
    "checks_frame",
    "column_labels",
    "complaints_frame",
    "csv_bytes",
    "drafts_frame",
    "latency_frame",
    "outcomes_frame",
    "ratings_frame",
    "readable",
    "reasons_frame",
    "template_label",
    "translator",
]

Translator = Callable[..., str]
OUTCOME_COLUMNS = ("sent", "edited", "rejected", "undecided", "unrated")
SHARE_COLUMNS = ("sent_share", "edited_share", "rejected_share", "share_thumbs_up", "rate")
LATENCY_COLUMNS = tuple(f"{name}_p{p}" for name in ("ttft", "latency") for p in PERCENTILES)


def translator(language: str) -> Translator:
    """`tr(key, **values)` in `language`, as the pages have it."""
    return partial(translate, language=language)


def column_labels(language: str) -> dict[str, str]:
    """Each column id's readable name."""
    tr = translator(language)
    return {
        "day": tr("dashboard.col.day"),
        "period": tr("dashboard.col.period"),
        "task": tr("dashboard.col.task"),
        "drafts": tr("dashboard.col.drafts"),
        "category": tr("dashboard.col.category"),
        "complaints": tr("dashboard.col.complaints"),
        "model": tr("dashboard.col.model"),
        "template": tr("dashboard.col.template"),
        "sent": tr("dashboard.col.sent"),
        "edited": tr("dashboard.col.edited"),
        "rejected": tr("dashboard.col.rejected"),
        "undecided": tr("dashboard.col.undecided"),
        "unrated": tr("dashboard.col.unrated"),
        "sent_share": tr("dashboard.col.sent_share"),
        "edited_share": tr("dashboard.col.edited_share"),
        "rejected_share": tr("dashboard.col.rejected_share"),
        "mean_edit_distance": tr("dashboard.col.mean_edit_distance"),
        "rated": tr("dashboard.col.rated"),
        "with_thumbs": tr("dashboard.col.with_thumbs"),
        "thumbs_up": tr("dashboard.col.thumbs_up"),
        "share_thumbs_up": tr("dashboard.col.share_thumbs_up"),
        "with_stars": tr("dashboard.col.with_stars"),
        "mean_stars": tr("dashboard.col.mean_stars"),
        "check_id": tr("dashboard.col.check_id"),
        "check": tr("dashboard.col.check"),
        "severity": tr("dashboard.col.severity"),
        "failed": tr("dashboard.col.failed"),
        "checked": tr("dashboard.col.checked"),
        "rate": tr("dashboard.col.rate"),
        **{f"ttft_p{p}": tr("dashboard.col.ttft_at", p=p) for p in PERCENTILES},
        **{f"latency_p{p}": tr("dashboard.col.latency_at", p=p) for p in PERCENTILES},
        "reason": tr("dashboard.col.reason"),
        "ratings": tr("dashboard.col.ratings"),
    }


def readable(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """`frame` with readable column names, for a table on the page."""
    return frame.rename(columns=column_labels(language))


def csv_bytes(frame: pd.DataFrame, language: str) -> bytes:
    """`frame` as a CSV file with readable column names; UTF-8 with a byte-order mark, so that
    spreadsheet programs read Chinese text right."""
    return readable(frame, language).to_csv(index=False).encode("utf-8-sig")


def _label(tr: Translator, key: str, value: str) -> str:
    # An id the catalogue does not know (an older check, another shop's task) shows as it is.
    return tr(key) if key in CATALOGUE else value


def _frame(records: Sequence[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(list(records), columns=list(columns))


def template_label(template_id: str, template_version: str) -> str:
    return f"{template_id} @ {template_version}"


def drafts_frame(rows: Sequence[DayCount], language: str) -> pd.DataFrame:
    tr = translator(language)
    frame = _frame(
        [
            {"day": row.day, "task": _label(tr, f"task.{row.task}", row.task), "drafts": row.drafts}
            for row in rows
        ],
        ("day", "task", "drafts"),
    )
    frame["day"] = pd.to_datetime(frame["day"])
    return frame


def complaints_frame(rows: Sequence[CategoryCount], language: str) -> pd.DataFrame:
    tr = translator(language)
    frame = _frame(
        [
            {
                "period": row.period,
                "category": tr("dashboard.untriaged")
                if row.category == UNTRIAGED
                else _label(tr, f"category.{row.category}", row.category),
                "complaints": row.complaints,
            }
            for row in rows
        ],
        ("period", "category", "complaints"),
    )
    frame["period"] = pd.to_datetime(frame["period"])
    return frame


def outcomes_frame(rows: Sequence[OutcomeCounts], language: str) -> pd.DataFrame:
    """One row per model, or per template version (whichever the rows were counted by)."""
    by_model = not rows or rows[0].model_id is not None
    group = "model" if by_model else "template"
    records = []
    for row in rows:
        counts = {name: getattr(row, name) for name in OUTCOME_COLUMNS}
        records.append(
            {
                group: row.model_id
                if by_model
                else template_label(row.template_id or "", row.template_version or ""),
                "drafts": row.drafts,
                **counts,
                **{
                    f"{name}_share": counts[name] / row.drafts if row.drafts else None
                    for name in ("sent", "edited", "rejected")
                },
                "mean_edit_distance": row.mean_edit_distance,
            }
        )
    columns = (
        group,
        "drafts",
        *OUTCOME_COLUMNS,
        "sent_share",
        "edited_share",
        "rejected_share",
        "mean_edit_distance",
    )
    return _frame(records, columns)


def ratings_frame(rows: Sequence[RatingSummary], language: str) -> pd.DataFrame:
    return _frame(
        [
            {
                "model": row.model_id,
                "template": template_label(row.template_id, row.template_version),
                "rated": row.rated,
                "share_thumbs_up": row.share_thumbs_up,
                "mean_stars": row.mean_stars,
                "with_thumbs": row.with_thumbs,
                "thumbs_up": row.thumbs_up,
                "with_stars": row.with_stars,
            }
            for row in rows
        ],
        (
            "model",
            "template",
            "rated",
            "share_thumbs_up",
            "mean_stars",
            "with_thumbs",
            "thumbs_up",
            "with_stars",
        ),
    ).astype({"share_thumbs_up": "float64", "mean_stars": "float64"})


def checks_frame(rows: Sequence[CheckFailures], language: str) -> pd.DataFrame:
    """One row per task and failed check; tasks whose drafts failed nothing have none."""
    tr = translator(language)
    return _frame(
        [
            {
                "task": _label(tr, f"task.{row.task}", row.task),
                "check_id": row.check_id,
                "check": _label(tr, f"dashboard.check.{row.check_id}", row.check_id),
                "severity": _label(tr, f"dashboard.severity.{row.severity}", row.severity or ""),
                "failed": row.failed,
                "checked": row.checked,
                "rate": row.rate,
            }
            for row in rows
            if row.check_id is not None
        ],
        ("task", "check_id", "check", "severity", "failed", "checked", "rate"),
    )


def latency_frame(rows: Sequence[LatencyPercentiles], language: str) -> pd.DataFrame:
    return _frame(
        [
            {
                "model": row.model_id,
                "drafts": row.drafts,
                **{f"ttft_p{p}": row.ttft_ms[p] for p in PERCENTILES},
                **{f"latency_p{p}": row.latency_ms[p] for p in PERCENTILES},
            }
            for row in rows
        ],
        ("model", "drafts", *LATENCY_COLUMNS),
    ).astype(dict.fromkeys(LATENCY_COLUMNS, "float64"))


def reasons_frame(rows: Sequence[ReasonCount], language: str) -> pd.DataFrame:
    tr = translator(language)
    return _frame(
        [
            {
                "reason": tr("dashboard.no_reason")
                if row.reason is None
                else _label(tr, f"reason.{row.reason}", row.reason),
                "ratings": row.ratings,
            }
            for row in rows
        ],
        ("reason", "ratings"),
    )

"""Everything the dashboard shows for one range of days, read in one session, and its headline
numbers (added up from the aggregates, never read again)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from db.dashboard import (
    BUCKETS,
    UNTRIAGED,
    Bucket,
    CategoryCount,
    CheckFailures,
    DayCount,
    DayRange,
    LatencyPercentiles,
    OutcomeCounts,
    RatingSummary,
    ReasonCount,
    check_failures,
    complaints_by_category,
    draft_outcomes,
    drafts_per_day,
    latency_percentiles,
    ratings_by_model_and_template,
    thumbs_down_reasons,
)

__all__ = [
    "BUCKETS",
    "DEFAULT_DAYS",
    "UNTRIAGED",
    "Bucket",
    "Dashboard",
    "DayRange",
    "Headline",
    "default_range",
    "headline",
    "load_dashboard",
    "utc_today",
]

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Dashboard:
    """The aggregates of one range of UTC days."""

    days: DayRange
    bucket: Bucket
    """How the complaint categories are counted over time: per day or per week."""
    drafts_per_day: list[DayCount]
    complaints: list[CategoryCount]
    outcomes_by_model: list[OutcomeCounts]
    outcomes_by_template: list[OutcomeCounts]
    ratings: list[RatingSummary]
    checks: list[CheckFailures]
    latency: list[LatencyPercentiles]
    reasons: list[ReasonCount]

    @property
    def empty(self) -> bool:
        """No draft of the shop's in the range: nothing to chart."""
        return not self.drafts_per_day


@dataclass(frozen=True)
class Headline:
    """The numbers at the top of the page; a share is None when there is nothing to divide."""

    drafts: int
    complaints: int
    finished: int
    """Drafts written to the end (ok or rejected): the ones with an outcome."""
    sent_share: float | None
    edited_share: float | None
    rejected_share: float | None
    mean_edit_distance: float | None
    thumbs_up_share: float | None
    passed_share: float | None
    """Of the checked drafts, those that failed no quality check."""


def utc_today() -> date:
    return datetime.now(UTC).date()


def default_range(today: date | None = None, days: int = DEFAULT_DAYS) -> tuple[date, date]:
    """The last `days` UTC days, today included."""
    last = today or utc_today()
    return last - timedelta(days=days - 1), last


def load_dashboard(
    sessions: sessionmaker[Session], first_day: date, last_day: date, bucket: Bucket = "day"
) -> Dashboard:
    """Every aggregate from `first_day` to `last_day` (UTC days, both included)."""
    days = DayRange(first_day, last_day)
    with sessions() as session:
        return Dashboard(
            days=days,
            bucket=bucket,
            drafts_per_day=drafts_per_day(session, days),
            complaints=complaints_by_category(session, days, bucket),
            outcomes_by_model=draft_outcomes(session, days, by="model"),
            outcomes_by_template=draft_outcomes(session, days, by="template"),
            ratings=ratings_by_model_and_template(session, days),
            checks=check_failures(session, days),
            latency=latency_percentiles(session, days),
            reasons=thumbs_down_reasons(session, days),
        )


def headline(dashboard: Dashboard) -> Headline:
    """Totals and shares over the whole range, from the aggregates already read."""
    outcomes = dashboard.outcomes_by_model
    finished = sum(row.drafts for row in outcomes)
    known = sum(row.edit_distance_known for row in outcomes)
    with_thumbs = sum(row.with_thumbs for row in dashboard.ratings)
    per_task = {row.task: row for row in dashboard.checks}  # checked/passed repeat on each row
    checked = sum(row.checked for row in per_task.values())
    return Headline(
        drafts=sum(row.drafts for row in dashboard.drafts_per_day),
        complaints=sum(row.complaints for row in dashboard.complaints),
        finished=finished,
        sent_share=_share(sum(row.sent for row in outcomes), finished),
        edited_share=_share(sum(row.edited for row in outcomes), finished),
        rejected_share=_share(sum(row.rejected for row in outcomes), finished),
        mean_edit_distance=_share(sum(row.edit_distance_total for row in outcomes), known),
        thumbs_up_share=_share(sum(row.thumbs_up for row in dashboard.ratings), with_thumbs),
        passed_share=_share(sum(row.passed for row in per_task.values()), checked),
    )


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None

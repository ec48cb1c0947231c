"""The manager dashboard's aggregates: one SQL query each, over a range of UTC days.

Every query counts the shop's own drafts (`source == "app"`: imported past replies and the
starter pack are not the shop's drafts) created within the range, and judges a generation by its
newest rating (the largest rating id), as the history page does. The same queries run on SQLite
and PostgreSQL: days, JSON arrays and percentiles are the dialect-aware parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, get_args

from sqlalchemy import (
    ColumnElement,
    Date,
    FromClause,
    Integer,
    Select,
    String,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.functions import FunctionElement

from db.models import Generation, Rating

APP_SOURCE = "app"
FINISHED = ("ok", "rejected")
"""Drafts that were written to the end: the ones with an outcome and quality checks."""
UNTRIAGED = "untriaged"
PERCENTILES = (50, 90, 99)

Bucket = Literal["day", "week"]
BUCKETS: tuple[str, ...] = get_args(Bucket)
Outcome = Literal["sent", "edited", "rejected", "undecided", "unrated"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)
OutcomeGrouping = Literal["model", "template"]
OUTCOME_GROUPINGS: tuple[str, ...] = get_args(OutcomeGrouping)


@dataclass(frozen=True)
class DayRange:
    """From `first` to `last`, both whole UTC days included."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"the range ends ({self.last}) before it starts ({self.first})")

    @property
    def since(self) -> datetime:
        return datetime.combine(self.first, time.min, UTC)

    @property
    def until(self) -> datetime:
        """Exclusive: the start of the day after `last`."""
        return datetime.combine(self.last + timedelta(days=1), time.min, UTC)


@dataclass(frozen=True)
class DayCount:
    """Drafts of one task written on one day."""

    day: date
    task: str
    drafts: int


@dataclass(frozen=True)
class CategoryCount:
    """Complaints of one triage category in one day or week (the week's Monday)."""

    period: date
    category: str
    """A category id, or `untriaged` when the complaint was never classified."""
    complaints: int


@dataclass(frozen=True)
class OutcomeCounts:
    """What became of the finished drafts of one model, or of one template version.

    By the newest rating: `edited` (it carries the reply staff sent, whatever its verdict),
    `rejected` (status rejected, or thumbs down), `sent` as is (thumbs up or ≥4 stars),
    `undecided` (rated, but none of those: 3 stars, or only a comment), `unrated`."""

    model_id: str | None
    """None when the counts are per template version."""
    template_id: str | None
    template_version: str | None
    sent: int
    edited: int
    rejected: int
    undecided: int
    unrated: int
    edit_distance_total: int
    """Characters staff changed, summed over the edited drafts whose distance is known…"""
    edit_distance_known: int
    """…and how many those are (ratings stored before the distance was kept may lack it)."""

    @property
    def drafts(self) -> int:
        return self.sent + self.edited + self.rejected + self.undecided + self.unrated

    @property
    def mean_edit_distance(self) -> float | None:
        if not self.edit_distance_known:
            return None
        return self.edit_distance_total / self.edit_distance_known


@dataclass(frozen=True)
class RatingSummary:
    """The newest ratings of one model's drafts from one template version."""

    model_id: str
    template_id: str
    template_version: str
    rated: int
    with_thumbs: int
    thumbs_up: int
    with_stars: int
    mean_stars: float | None

    @property
    def share_thumbs_up(self) -> float | None:
        """Of the ratings that gave a thumb."""
        return self.thumbs_up / self.with_thumbs if self.with_thumbs else None


@dataclass(frozen=True)
class CheckFailures:
    """How many of one task's checked drafts failed one quality check."""

    task: str
    checked: int
    """The task's finished drafts that went through the checks (pass or fail)…"""
    passed: int
    """…and how many of them failed none."""
    check_id: str | None
    """None on the row of a task whose checked drafts failed nothing."""
    severity: str | None
    failed: int

    @property
    def rate(self) -> float:
        return self.failed / self.checked if self.checked else 0.0


@dataclass(frozen=True)
class LatencyPercentiles:
    """Nearest-rank percentiles (an observed value each) of one model's successful drafts, ms."""

    model_id: str
    drafts: int
    ttft_ms: dict[int, float | None]
    """First token, by percentile (50, 90, 99)."""
    latency_ms: dict[int, float | None]
    """The whole draft, by percentile."""


@dataclass(frozen=True)
class ReasonCount:
    """How often a reason was given with a thumbs-down (newest rating); None: no reason given."""

    reason: str | None
    ratings: int


# --- dialect-aware pieces --------------------------------------------------------------------


class utc_day(FunctionElement[Any]):
    """The UTC calendar day of a timestamp column (SQLite: 'YYYY-MM-DD' text)."""

    inherit_cache = True
    type = Date()


class utc_week(FunctionElement[Any]):
    """The Monday of the UTC week of a timestamp column."""

    inherit_cache = True
    type = Date()


class json_array_type(FunctionElement[Any]):
    """'array' when a JSON column holds an array (not SQL NULL, nor JSON null)."""

    inherit_cache = True
    type = String()


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element: utc_day, compiler: Any, **kw: Any) -> str:
    # SQLite keeps DateTime(timezone=True) as naive UTC text.
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element: utc_day, compiler: Any, **kw: Any) -> str:
    return f"CAST(timezone('UTC', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(utc_week, "sqlite")
def _utc_week_sqlite(element: utc_week, compiler: Any, **kw: Any) -> str:
    # Forward to Sunday (or stay), back six days: that week's Monday.
    return f"date({compiler.process(element.clauses, **kw)}, 'weekday 0', '-6 days')"


@compiles(utc_week, "postgresql")
def _utc_week_postgresql(element: utc_week, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"CAST(date_trunc('week', timezone('UTC', {column})) AS DATE)"


@compiles(json_array_type, "sqlite")
def _json_array_type_sqlite(element: json_array_type, compiler: Any, **kw: Any) -> str:
    return f"json_type({compiler.process(element.clauses, **kw)})"


@compiles(json_array_type, "postgresql")
def _json_array_type_postgresql(element: json_array_type, compiler: Any, **kw: Any) -> str:
    return f"json_typeof({compiler.process(element.clauses, **kw)})"


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _array_or_empty(session: Session, column: Any) -> ColumnElement[Any]:
    """A JSON column's array, or an empty one for anything else (JSON null in a nullable column,
    on which PostgreSQL's array functions raise): safe whatever order conditions run in."""
    empty = "'[]'::json" if _dialect(session) == "postgresql" else "'[]'"
    return case((json_array_type(column) == "array", column), else_=literal_column(empty))


def _array_elements(session: Session, column: Any, *, text: bool) -> FromClause:
    """The elements of a JSON array column as a table with one `value` column, for a join.

    `text`: the elements are strings, given as text; else objects, given as JSON."""
    array = _array_or_empty(session, column)
    if _dialect(session) == "postgresql":
        function = func.json_array_elements_text if text else func.json_array_elements
        return function(array).table_valued("value")
    return func.json_each(array).table_valued("value")


def _object_field(session: Session, element: Any, name: str) -> ColumnElement[str]:
    """Field `name` of a JSON object element, as text."""
    if _dialect(session) == "postgresql":
        # A literal, not a bound parameter: PostgreSQL would see the GROUP BY's copy of this
        # expression as a different one from the SELECT's.
        return element.op("->>")(literal_column(f"'{name}'"))
    return func.json_extract(element, f"$.{name}")


def _as_date(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


# --- shared conditions -----------------------------------------------------------------------


def _shop_drafts(days: DayRange) -> list[ColumnElement[bool]]:
    return [
        Generation.created_at >= days.since,
        Generation.created_at < days.until,
        Generation.source == APP_SOURCE,
    ]


def _newest_rating_id() -> ColumnElement[int]:
    # One lookup per generation in ix_ratings_generation_id, which carries the rating id.
    return (
        select(func.max(Rating.id))
        .where(Rating.generation_id == Generation.id)
        .correlate(Generation)
        .scalar_subquery()
    )


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.count(case((condition, 1)))


# --- the aggregates --------------------------------------------------------------------------


def drafts_per_day(session: Session, days: DayRange) -> list[DayCount]:
    """Generations per UTC day and task (every status: each attempt, rewrite and variant)."""
    day = utc_day(Generation.created_at)
    rows = session.execute(
        select(day.label("day"), Generation.task, func.count().label("drafts"))
        .where(*_shop_drafts(days))
        .group_by(day, Generation.task)
        .order_by(day, Generation.task)
    )
    return [DayCount(_as_date(row.day), row.task, row.drafts) for row in rows]


def complaints_by_category(
    session: Session, days: DayRange, bucket: Bucket = "day"
) -> list[CategoryCount]:
    """Customer complaints per day (or week) and triage category.

    A complaint counts once however many drafts it got: retries of a rejected draft and rewrites
    are left out, and drafts asked for together (variants, blind comparisons) count as one."""
    if bucket not in BUCKETS:
        raise ValueError(f"bucket must be one of {BUCKETS}, not {bucket!r}")
    period = (utc_week if bucket == "week" else utc_day)(Generation.created_at)
    category = func.coalesce(Generation.category, UNTRIAGED)
    request = func.coalesce(Generation.variant_group, cast(Generation.id, String))
    rows = session.execute(
        select(
            period.label("period"),
            category.label("category"),
            func.count(request.distinct()).label("complaints"),
        )
        .where(
            *_shop_drafts(days),
            Generation.task == "complaint",
            Generation.retry_of.is_(None),
            Generation.parent_id.is_(None),
        )
        .group_by(period, category)
        .order_by(period, category)
    )
    return [CategoryCount(_as_date(row.period), row.category, row.complaints) for row in rows]


def draft_outcomes(
    session: Session, days: DayRange, by: OutcomeGrouping = "model"
) -> list[OutcomeCounts]:
    """Sent as is / edited / rejected / undecided / unrated finished drafts, with the mean edit
    distance of the edited ones, per model (`by="model"`) or per template version."""
    if by not in OUTCOME_GROUPINGS:
        raise ValueError(f"by must be one of {OUTCOME_GROUPINGS}, not {by!r}")
    newest = aliased(Rating, name="newest_rating")
    edited = newest.edited_reply.is_not(None)
    rejected = or_(Generation.status == "rejected", newest.thumbs == -1)
    approved = or_(newest.thumbs == 1, newest.stars >= 4)
    # The first that holds, in this order: an edit is what staff sent, whatever the verdict.
    outcome = case(
        (edited, "edited"),
        (rejected, "rejected"),
        (approved, "sent"),
        (newest.id.is_not(None), "undecided"),
        else_="unrated",
    )
    groups: list[Any] = (
        [Generation.model_id]
        if by == "model"
        else [Generation.template_id, Generation.template_version]
    )
    rows = session.execute(
        select(
            *groups,
            *(_count_if(outcome == name).label(name) for name in OUTCOMES),
            func.coalesce(func.sum(case((edited, newest.edit_distance))), 0).label("distance"),
            func.count(case((edited, newest.edit_distance))).label("distance_known"),
        )
        .outerjoin(newest, newest.id == _newest_rating_id())
        .where(*_shop_drafts(days), Generation.status.in_(FINISHED))
        .group_by(*groups)
        .order_by(*groups)
    )
    return [
        OutcomeCounts(
            model_id=row.model_id if by == "model" else None,
            template_id=None if by == "model" else row.template_id,
            template_version=None if by == "model" else row.template_version,
            **{name: getattr(row, name) for name in OUTCOMES},
            edit_distance_total=int(row.distance),
            edit_distance_known=row.distance_known,
        )
        for row in rows
    ]


def ratings_by_model_and_template(session: Session, days: DayRange) -> list[RatingSummary]:
    """Rated drafts (newest rating) per model × template version: how many, the share of thumbs
    up among those with a thumb, and the mean of the stars given."""
    newest = aliased(Rating, name="newest_rating")
    groups = (Generation.model_id, Generation.template_id, Generation.template_version)
    rows = session.execute(
        select(
            *groups,
            func.count().label("rated"),
            func.count(newest.thumbs).label("with_thumbs"),
            _count_if(newest.thumbs == 1).label("thumbs_up"),
            func.count(newest.stars).label("with_stars"),
            func.avg(newest.stars).label("mean_stars"),
        )
        .join(newest, newest.id == _newest_rating_id())
        .where(*_shop_drafts(days))
        .group_by(*groups)
        .order_by(*groups)
    )
    return [
        RatingSummary(**{**row._asdict(), "mean_stars": _float(row.mean_stars)}) for row in rows
    ]


def check_failures(session: Session, days: DayRange) -> list[CheckFailures]:
    """Per task, how many finished drafts were checked, and how many of them failed each check
    (a draft with `checks` NULL was never checked and is left out)."""
    checked_drafts = [
        *_shop_drafts(days),
        Generation.status.in_(FINISHED),
        json_array_type(Generation.checks) == "array",
    ]
    listed = _array_or_empty(session, Generation.checks)
    checked = (
        select(
            Generation.task,
            func.count().label("checked"),
            _count_if(func.json_array_length(listed) == 0).label("passed"),
        )
        .where(*checked_drafts)
        .group_by(Generation.task)
        .subquery("checked")
    )
    failure = _array_elements(session, Generation.checks, text=False)
    check_id = _object_field(session, failure.c.value, "id")
    severity = _object_field(session, failure.c.value, "severity")
    failures = (
        select(
            Generation.task,
            check_id.label("check_id"),
            func.max(severity).label("severity"),
            # A draft lists each check it failed once (core.quality), so rows are drafts.
            func.count().label("failed"),
        )
        .select_from(Generation)
        .join(failure, true())
        .where(*checked_drafts, func.json_array_length(listed) > 0)
        .group_by(Generation.task, check_id)
        .subquery("failures")
    )
    rows = session.execute(
        select(
            checked.c.task,
            checked.c.checked,
            checked.c.passed,
            failures.c.check_id,
            failures.c.severity,
            func.coalesce(failures.c.failed, 0).label("failed"),
        )
        .outerjoin(failures, failures.c.task == checked.c.task)
        .order_by(checked.c.task, failures.c.failed.desc(), failures.c.check_id.asc().nulls_last())
    )
    return [CheckFailures(**row._asdict()) for row in rows]


def latency_percentiles(session: Session, days: DayRange) -> list[LatencyPercentiles]:
    """p50/p90/p99 of time to first token and of the whole draft, per model, over drafts that
    finished with status ok. Nearest rank: the smallest value with at least p% at or below it
    (on SQLite, to the whole millisecond below it)."""
    conditions = [*_shop_drafts(days), Generation.status == "ok"]
    measures = (("ttft", Generation.ttft_ms), ("latency", Generation.latency_ms))
    if _dialect(session) == "postgresql":
        statement: Select[Any] = (
            select(
                Generation.model_id,
                func.count().label("drafts"),
                *(
                    func.percentile_disc(p / 100).within_group(column).label(f"{name}_{p}")
                    for name, column in measures
                    for p in PERCENTILES
                ),
            )
            .where(*conditions)
            .group_by(Generation.model_id)
            .order_by(Generation.model_id)
        )
        return _latency_rows(session, statement)
    # SQLite has no percentile aggregate, and ranking every row in a window sorts the whole
    # range twice (405 ms at 100k drafts, bench row "dashboard"). Counting drafts per model and
    # whole millisecond instead is one grouped pass per measure; the nearest rank is then read
    # off the running counts, to the millisecond.
    # The NULL bucket of the last measure (whole draft, always set for a finished draft) is kept,
    # so its counts also give each model's number of drafts without a third pass.
    buckets = [
        select(
            Generation.model_id,
            literal_column(f"'{name}'").label("measure"),
            cast(func.floor(column), Integer).label("ms"),
            func.count().label("drafts"),
        )
        .where(*conditions, *([column.is_not(None)] if name == "ttft" else []))
        .group_by(Generation.model_id, cast(func.floor(column), Integer))
        for name, column in measures
    ]
    counts: dict[str, dict[str, list[tuple[int, int]]]] = {}
    drafts: dict[str, int] = {}
    for model_id, measure, value, count in session.execute(union_all(*buckets)):
        if measure == "latency":
            drafts[model_id] = drafts.get(model_id, 0) + count
        if value is not None:
            counts.setdefault(model_id, {}).setdefault(measure, []).append((value, count))
    return [
        LatencyPercentiles(
            model_id=model_id,
            drafts=drafts[model_id],
            ttft_ms=_nearest_ranks(counts.get(model_id, {}).get("ttft", [])),
            latency_ms=_nearest_ranks(counts.get(model_id, {}).get("latency", [])),
        )
        for model_id in sorted(drafts)
    ]


def _nearest_ranks(histogram: list[tuple[int, int]]) -> dict[int, float | None]:
    """Nearest-rank percentiles from (value, count) pairs: the smallest value with at least p%
    of all at or below it."""
    histogram = sorted(histogram)
    total = sum(count for _, count in histogram)
    found: dict[int, float | None] = {}
    for p in PERCENTILES:
        running, value = 0, None
        for ms, count in histogram:
            running += count
            if running * 100 >= total * p:
                value = float(ms)
                break
        found[p] = value
    return found


def _latency_rows(session: Session, statement: Select[Any]) -> list[LatencyPercentiles]:
    return [
        LatencyPercentiles(
            model_id=row.model_id,
            drafts=row.drafts,
            ttft_ms={p: _float(getattr(row, f"ttft_{p}")) for p in PERCENTILES},
            latency_ms={p: _float(getattr(row, f"latency_{p}")) for p in PERCENTILES},
        )
        for row in session.execute(statement)
    ]


def thumbs_down_reasons(session: Session, days: DayRange) -> list[ReasonCount]:
    """How often each reason came with a thumbs-down (newest rating), most frequent first; the
    thumbs-downs given without a reason count under None."""
    newest = aliased(Rating, name="newest_rating")
    reason = _array_elements(session, newest.reasons, text=True)
    value = reason.c.value if _dialect(session) == "postgresql" else cast(reason.c.value, String)
    count = func.count().label("ratings")
    rows = session.execute(
        select(value.label("reason"), count)
        .select_from(Generation)
        .join(newest, newest.id == _newest_rating_id())
        .outerjoin(reason, true())
        .where(*_shop_drafts(days), newest.thumbs == -1)
        .group_by(value)
        .order_by(count.desc(), value.asc().nulls_last())
    )
    return [ReasonCount(row.reason, row.ratings) for row in rows]


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


__all__ = [
    "APP_SOURCE",
    "BUCKETS",
    "FINISHED",
    "OUTCOMES",
    "OUTCOME_GROUPINGS",
    "PERCENTILES",
    "UNTRIAGED",
    "Bucket",
    "CategoryCount",
    "CheckFailures",
    "DayCount",
    "DayRange",
    "LatencyPercentiles",
    "Outcome",
    "OutcomeCounts",
    "OutcomeGrouping",
    "RatingSummary",
    "ReasonCount",
    "check_failures",
    "complaints_by_category",
    "draft_outcomes",
    "drafts_per_day",
    "latency_percentiles",
    "ratings_by_model_and_template",
    "thumbs_down_reasons",
]

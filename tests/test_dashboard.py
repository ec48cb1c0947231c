"""The manager dashboard's aggregates, exactly, on a small hand-seeded log (SQLite and, when
HUAYU_TEST_POSTGRES_URL is set, PostgreSQL), and the tables the page and the CSV files get."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from rapidfuzz.distance import Levenshtein
from sqlalchemy import null, update

from core.dashboard.report import Dashboard, default_range, headline, load_dashboard
from core.dashboard.tables import (
    checks_frame,
    complaints_frame,
    csv_bytes,
    drafts_frame,
    latency_frame,
    outcomes_frame,
    ratings_frame,
    readable,
    reasons_frame,
)
from db.dashboard import (
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
from db.models import Generation
from db.repository import GenerationRecord, add_rating, log_generation

pytestmark = pytest.mark.storage

MARCH = DayRange(date(2026, 3, 1), date(2026, 3, 10))  # 1 March 2026 is a Sunday
COMPLAINT = ("complaint_reply.en", "c1")
BOUQUET = ("bouquet_description.en", "b2")
REWRITE = ("rewrite_shorter.en", "r3")
DRAFT = "We are sorry about the roses."
SENT = "We are so sorry about the wilted roses."
TOO_LONG = {"id": "too_long", "severity": "soft", "detail": "The draft is long."}
NO_APOLOGY = {"id": "no_apology", "severity": "hard", "detail": "No apology."}
LOOP = {"id": "loop", "severity": "hard", "detail": "Repeats itself."}


def at(day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=UTC)


def log(sessions, created_at, *, template=COMPLAINT, ratings=(), **fields) -> int:
    template_id, version = template
    values = {
        "task": "complaint" if template_id.startswith(("complaint", "rewrite")) else "bouquet",
        "template_id": template_id,
        "template_version": version,
        "inputs": {"complaint": "My roses wilted.", "language": "en"},
        "messages": [{"role": "user", "content": "My roses wilted."}],
        "output": DRAFT,
        "backend": "gguf",
        "model_id": "model-a",
        "checks": [],
        **fields,
    }
    with sessions.begin() as session:
        generation = log_generation(session, GenerationRecord(**values))
        generation.created_at = created_at
        for rating in ratings:
            add_rating(session, generation.id, **rating)
        return generation.id


@pytest.fixture
def seeded(sessions):
    """Thirteen generations; the comments say what each one is there to show."""
    ids = {}
    # model-a, complaint template c1
    ids["sent"] = log(  # thumbs up: sent as is; on a Sunday at midnight (day and week edges)
        sessions, datetime(2026, 3, 1, tzinfo=UTC), category="freshness",
        ttft_ms=100.0, latency_ms=1000.0, ratings=[{"thumbs": 1}],
    )
    ids["edited"] = log(  # rated down first, then re-rated with the reply sent: edited
        sessions, at(2), category="late_delivery", checks=[TOO_LONG],
        ttft_ms=200.0, latency_ms=2000.0,
        ratings=[
            {"thumbs": -1, "reasons": ["wrong_facts"]},
            {"thumbs": 1, "stars": 5, "edited_reply": SENT},
        ],
    )
    ids["rewrite"] = log(  # a rewrite: a draft, not another complaint
        sessions, at(2, 13), template=REWRITE, parent_id=ids["sent"],
        ttft_ms=150.0, latency_ms=1500.0,
    )
    ids["rejected"] = log(  # the guard rejected it; untriaged
        sessions, at(3), status="rejected", checks=[NO_APOLOGY, TOO_LONG],
        ttft_ms=300.0, latency_ms=3000.0,
    )
    ids["retry"] = log(  # its retry: thumbs down with two reasons; the same complaint again
        sessions, at(3, 13), retry_of=ids["rejected"], ttft_ms=400.0, latency_ms=4000.0,
        ratings=[{"thumbs": -1, "reasons": ["wrong_tone", "too_long"]}],
    )
    # model-c: two variants of one complaint, on a Sunday
    ids["variant_sent"] = log(
        sessions, at(8), model_id="model-c", category="freshness", variant_group="g1",
        ttft_ms=80.0, latency_ms=800.0, ratings=[{"stars": 4}],
    )
    ids["variant_unrated"] = log(
        sessions, at(8, 12, 1), model_id="model-c", category="freshness", variant_group="g1",
        ttft_ms=90.0, latency_ms=900.0,
    )
    # model-b, bouquet template b2
    ids["undecided"] = log(  # three stars: rated, but neither approved nor rejected
        sessions, at(3, 14), template=BOUQUET, model_id="model-b",
        ttft_ms=50.0, latency_ms=500.0, ratings=[{"stars": 3}],
    )
    ids["unchecked"] = log(  # never checked (None as the app logs it), no first token, unrated
        sessions, at(9), template=BOUQUET, model_id="model-b", checks=None, latency_ms=600.0,
    )
    ids["sql_null"] = log(  # checks SQL NULL; thumbs down
        sessions, datetime(2026, 3, 10, 23, 59, 59, tzinfo=UTC), template=BOUQUET,
        model_id="model-b", latency_ms=700.0, ratings=[{"thumbs": -1, "reasons": ["wrong_tone"]}],
    )
    ids["failed"] = log(  # an error: a draft per day and a thumbs-down, but no outcome or check
        sessions, at(9, 13), template=BOUQUET, model_id="model-b", status="error", checks=None,
        ratings=[{"thumbs": -1}],
    )
    # left out everywhere: an imported reply, and a draft just after the range
    log(
        sessions, at(2), backend="imported", source="imported", category="billing",
        checks=[LOOP], ratings=[{"thumbs": -1, "reasons": ["against_policy"]}],
    )
    log(
        sessions, datetime(2026, 3, 11, tzinfo=UTC), category="billing", checks=[LOOP],
        ttft_ms=9999.0, latency_ms=9999.0, ratings=[{"thumbs": -1, "reasons": ["wrong_facts"]}],
    )
    with sessions.begin() as session:
        session.execute(
            update(Generation).where(Generation.id == ids["sql_null"]).values(checks=null())
        )
    return ids


def test_drafts_per_day_by_task(sessions, seeded):
    with sessions() as session:
        assert drafts_per_day(session, MARCH) == [
            DayCount(date(2026, 3, 1), "complaint", 1),
            DayCount(date(2026, 3, 2), "complaint", 2),
            DayCount(date(2026, 3, 3), "bouquet", 1),
            DayCount(date(2026, 3, 3), "complaint", 2),
            DayCount(date(2026, 3, 8), "complaint", 2),
            DayCount(date(2026, 3, 9), "bouquet", 2),
            DayCount(date(2026, 3, 10), "bouquet", 1),
        ]
        assert drafts_per_day(session, DayRange(date(2026, 3, 2), date(2026, 3, 2))) == [
            DayCount(date(2026, 3, 2), "complaint", 2)
        ]


def test_complaints_by_category_per_day_and_week(sessions, seeded):
    with sessions() as session:
        assert complaints_by_category(session, MARCH) == [
            CategoryCount(date(2026, 3, 1), "freshness", 1),
            CategoryCount(date(2026, 3, 2), "late_delivery", 1),
            CategoryCount(date(2026, 3, 3), "untriaged", 1),  # the retry is the same complaint
            CategoryCount(date(2026, 3, 8), "freshness", 1),  # two variants, one complaint
        ]
        # Weeks start on Monday: Sunday 1 March belongs to the week of 23 February.
        assert complaints_by_category(session, MARCH, "week") == [
            CategoryCount(date(2026, 2, 23), "freshness", 1),
            CategoryCount(date(2026, 3, 2), "freshness", 1),
            CategoryCount(date(2026, 3, 2), "late_delivery", 1),
            CategoryCount(date(2026, 3, 2), "untriaged", 1),
        ]
        with pytest.raises(ValueError, match="bucket"):
            complaints_by_category(session, MARCH, "month")  # type: ignore[arg-type]


def test_outcomes_per_model_and_per_template_version(sessions, seeded):
    distance = Levenshtein.distance(DRAFT, SENT)
    with sessions() as session:
        by_model = draft_outcomes(session, MARCH)
        by_template = draft_outcomes(session, MARCH, by="template")
    assert by_model == [
        OutcomeCounts("model-a", None, None, sent=1, edited=1, rejected=2, undecided=0,
                      unrated=1, edit_distance_total=distance, edit_distance_known=1),
        OutcomeCounts("model-b", None, None, sent=0, edited=0, rejected=1, undecided=1,
                      unrated=1, edit_distance_total=0, edit_distance_known=0),
        OutcomeCounts("model-c", None, None, sent=1, edited=0, rejected=0, undecided=0,
                      unrated=1, edit_distance_total=0, edit_distance_known=0),
    ]
    assert by_model[0].drafts == 5 and by_model[0].mean_edit_distance == distance
    with sessions() as session, pytest.raises(ValueError, match="by must be"):
        draft_outcomes(session, MARCH, by="backend")  # type: ignore[arg-type]
    assert by_model[1].mean_edit_distance is None
    assert by_template == [
        OutcomeCounts(None, *BOUQUET, sent=0, edited=0, rejected=1, undecided=1, unrated=1,
                      edit_distance_total=0, edit_distance_known=0),
        OutcomeCounts(None, *COMPLAINT, sent=2, edited=1, rejected=2, undecided=0, unrated=1,
                      edit_distance_total=distance, edit_distance_known=1),
        OutcomeCounts(None, *REWRITE, sent=0, edited=0, rejected=0, undecided=0, unrated=1,
                      edit_distance_total=0, edit_distance_known=0),
    ]


def test_ratings_by_model_and_template_version(sessions, seeded):
    with sessions() as session:
        summaries = ratings_by_model_and_template(session, MARCH)
    assert summaries == [
        # newest ratings: up; up with 5 stars (the earlier thumbs-down no longer counts); down
        RatingSummary("model-a", *COMPLAINT, rated=3, with_thumbs=3, thumbs_up=2,
                      with_stars=1, mean_stars=5.0),
        RatingSummary("model-b", *BOUQUET, rated=3, with_thumbs=2, thumbs_up=0,
                      with_stars=1, mean_stars=3.0),
        RatingSummary("model-c", *COMPLAINT, rated=1, with_thumbs=0, thumbs_up=0,
                      with_stars=1, mean_stars=4.0),
    ]
    assert summaries[0].share_thumbs_up == pytest.approx(2 / 3)
    assert summaries[2].share_thumbs_up is None


def test_check_failure_rates_among_checked_drafts(sessions, seeded):
    with sessions() as session:
        failures = check_failures(session, MARCH)
    assert failures == [
        # Neither JSON null nor SQL NULL is a checked draft; the failed run is not finished.
        CheckFailures("bouquet", checked=1, passed=1, check_id=None, severity=None, failed=0),
        CheckFailures("complaint", checked=7, passed=5, check_id="too_long", severity="soft",
                      failed=2),
        CheckFailures("complaint", checked=7, passed=5, check_id="no_apology", severity="hard",
                      failed=1),
    ]
    assert failures[1].rate == pytest.approx(2 / 7)


def test_latency_percentiles_per_model_nearest_rank(sessions, seeded):
    with sessions() as session:
        percentiles = latency_percentiles(session, MARCH)
    assert percentiles == [
        # status ok only: the rejected draft's 300/3000 ms is left out
        LatencyPercentiles("model-a", 4, {50: 150.0, 90: 400.0, 99: 400.0},
                           {50: 1500.0, 90: 4000.0, 99: 4000.0}),
        # one first-token time among three drafts
        LatencyPercentiles("model-b", 3, {50: 50.0, 90: 50.0, 99: 50.0},
                           {50: 600.0, 90: 700.0, 99: 700.0}),
        LatencyPercentiles("model-c", 2, {50: 80.0, 90: 90.0, 99: 90.0},
                           {50: 800.0, 90: 900.0, 99: 900.0}),
    ]


def test_latency_percentiles_over_many_values(sessions):
    for n in range(1, 201):
        log(sessions, at(5), ttft_ms=float(n), latency_ms=float(1000 + n))
    with sessions() as session:
        (only,) = latency_percentiles(session, MARCH)
    assert only.ttft_ms == {50: 100.0, 90: 180.0, 99: 198.0}
    assert only.latency_ms == {50: 1100.0, 90: 1180.0, 99: 1198.0}


def test_thumbs_down_reasons_of_newest_ratings(sessions, seeded):
    with sessions() as session:
        assert thumbs_down_reasons(session, MARCH) == [
            ReasonCount("wrong_tone", 2),
            ReasonCount("too_long", 1),
            ReasonCount(None, 1),  # the failed run's thumbs-down gave no reason
        ]


def test_an_empty_log_gives_empty_aggregates(sessions):
    with sessions() as session:
        for aggregate in (
            drafts_per_day,
            complaints_by_category,
            draft_outcomes,
            ratings_by_model_and_template,
            check_failures,
            latency_percentiles,
            thumbs_down_reasons,
        ):
            assert aggregate(session, MARCH) == []
    dashboard = load_dashboard(sessions, MARCH.first, MARCH.last)
    assert dashboard.empty
    numbers = headline(dashboard)
    assert numbers.drafts == 0 and numbers.sent_share is None and numbers.passed_share is None


def test_a_range_must_not_end_before_it_starts():
    with pytest.raises(ValueError, match="before it starts"):
        DayRange(date(2026, 3, 2), date(2026, 3, 1))


def test_default_range_is_the_last_30_days():
    assert default_range(date(2026, 3, 30)) == (date(2026, 3, 1), date(2026, 3, 30))


def test_headline_numbers(sessions, seeded):
    dashboard = load_dashboard(sessions, MARCH.first, MARCH.last)
    assert isinstance(dashboard, Dashboard) and not dashboard.empty
    numbers = headline(dashboard)
    assert numbers.drafts == 11 and numbers.complaints == 4 and numbers.finished == 10
    assert numbers.sent_share == pytest.approx(2 / 10)
    assert numbers.edited_share == pytest.approx(1 / 10)
    assert numbers.rejected_share == pytest.approx(3 / 10)
    assert numbers.mean_edit_distance == Levenshtein.distance(DRAFT, SENT)
    assert numbers.thumbs_up_share == pytest.approx(2 / 5)
    assert numbers.passed_share == pytest.approx(6 / 8)


def test_tables_have_readable_columns_and_labels(sessions, seeded):
    dashboard = load_dashboard(sessions, MARCH.first, MARCH.last, bucket="week")
    drafts = drafts_frame(dashboard.drafts_per_day, "en")
    assert list(drafts.columns) == ["day", "task", "drafts"]
    assert drafts["drafts"].sum() == 11
    assert set(drafts["task"]) == {"Complaint reply", "Bouquet description"}

    complaints = complaints_frame(dashboard.complaints, "zh")
    assert set(complaints["category"]) == {"不新鲜", "送达延误", "未分类"}

    outcomes = outcomes_frame(dashboard.outcomes_by_template, "en")
    first = outcomes.iloc[0]
    assert first["template"] == "bouquet_description.en @ b2"
    assert first["drafts"] == 3 and first["rejected_share"] == pytest.approx(1 / 3)
    by_model = outcomes_frame(dashboard.outcomes_by_model, "en")
    assert list(by_model["model"]) == ["model-a", "model-b", "model-c"]

    ratings = ratings_frame(dashboard.ratings, "en")
    assert ratings["share_thumbs_up"].isna().tolist() == [False, False, True]

    checks = checks_frame(dashboard.checks, "en")
    assert list(checks["check_id"]) == ["too_long", "no_apology"]  # no row for "none failed"
    assert checks.iloc[0]["rate"] == pytest.approx(2 / 7)

    latency = latency_frame(dashboard.latency, "en")
    assert latency.loc[latency["model"] == "model-a", "ttft_p50"].item() == 150.0

    reasons = reasons_frame(dashboard.reasons, "en")
    assert list(reasons["reason"]) == ["Wrong tone", "Too long", "No reason given"]

    shown = readable(drafts, "en")
    assert list(shown.columns) == ["Day", "Task", "Drafts"]
    data = csv_bytes(drafts, "zh")
    assert data.startswith("\ufeff".encode())  # Excel reads the Chinese as UTF-8
    assert data.decode("utf-8-sig").splitlines()[0] == "日期,任务,草稿数"

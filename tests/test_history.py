"""History queries on a temporary database: every filter, keyset paging, detail, query plans."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import event

from core.history.browse import (
    HistoryQuery,
    browse,
    input_text,
    local_time,
    open_generation,
    options,
    preview,
    ratings,
)
from db.history import Cursor, HistoryFilter, count_generations, list_generations
from db.models import Generation
from db.repository import GenerationRecord, add_rating, log_generation

START = datetime(2026, 2, 1, 9, 0)


def add(sessions, *, at=START, ratings_=(), chosen=None, **fields):
    """Log one generation dated `at` (UTC) and rate it `ratings_` in order; returns its id."""
    values = {
        "task": "complaint",
        "template_id": "complaint_reply.en",
        "template_version": "aaa111",
        "inputs": {"complaint": "My roses wilted.", "language": "en"},
        "messages": [{"role": "system", "content": "Be kind."}, {"role": "user", "content": "Hi"}],
        "output": "We are sorry.",
        "backend": "gguf",
        "model_id": "smol",
        **fields,
    }
    with sessions.begin() as session:
        generation = log_generation(session, GenerationRecord(**values))
        generation.created_at = at
        generation.chosen = chosen
        for rating in ratings_:
            add_rating(session, generation.id, **rating)
        return generation.id


def ids(sessions, **filters):
    with sessions() as session:
        return [row.id for row in list_generations(session, HistoryFilter(**filters), limit=100)]


def count(sessions, **filters):
    with sessions() as session:
        return count_generations(session, HistoryFilter(**filters))


@pytest.fixture
def log(sessions):
    """Six generations across tasks, backends, models, versions, ratings and days."""
    made = {
        "plain": add(sessions, at=START),
        "bouquet": add(
            sessions,
            at=START + timedelta(hours=1),
            task="bouquet",
            template_id="bouquet_description.zh",
            template_version="bbb222",
            inputs={"details": "12支红玫瑰，配满天星", "language": "zh"},
            output="浪漫的红玫瑰。",
        ),
        "up": add(
            sessions,
            at=START + timedelta(days=1),
            backend="openai",
            model_id="qwen",
            ratings_=[{"thumbs": -1}, {"thumbs": 1, "stars": 5}],  # the newest counts
        ),
        "down": add(
            sessions,
            at=START + timedelta(days=2),
            output="Refund 100% today_now",
            ratings_=[{"thumbs": -1, "stars": 2}],
        ),
        "stars": add(sessions, at=START + timedelta(days=3), ratings_=[{"stars": 4}]),
        "imported": add(  # logged last, but dated before everything else
            sessions,
            at=START - timedelta(days=30),
            backend="imported",
            model_id="staff",
            output="Imported reply",
            ratings_=[{"stars": 3, "edited_reply": "Sent reply"}],
        ),
    }
    return made


def test_the_list_is_newest_first_by_date_not_by_id(sessions, log):
    assert ids(sessions) == [
        log["stars"],
        log["down"],
        log["up"],
        log["bouquet"],
        log["plain"],
        log["imported"],
    ]


def test_filters_by_task_backend_model_and_template_version(sessions, log):
    assert ids(sessions, task="bouquet") == [log["bouquet"]]
    assert ids(sessions, backend="imported") == [log["imported"]]
    assert ids(sessions, model_id="qwen") == [log["up"]]
    assert ids(sessions, template_version="bbb222") == [log["bouquet"]]
    assert ids(sessions, task="complaint", backend="gguf") == [
        log["stars"],
        log["down"],
        log["plain"],
    ]
    assert ids(sessions, task="nothing") == []


def test_rating_filters_judge_the_newest_rating(sessions, log):
    assert set(ids(sessions, rating="rated")) == {
        log["up"],
        log["down"],
        log["stars"],
        log["imported"],
    }
    assert set(ids(sessions, rating="unrated")) == {log["plain"], log["bouquet"]}
    assert ids(sessions, rating="up") == [log["up"]]  # first thumbs down, then up: counts as up
    assert ids(sessions, rating="down") == [log["down"]]
    assert ids(sessions, min_stars=4) == [log["stars"], log["up"]]
    assert ids(sessions, min_stars=3, rating="up") == [log["up"]]
    with pytest.raises(ValueError, match="rating"):
        HistoryFilter(rating="great")


def test_rows_carry_the_newest_rating(sessions, log):
    with sessions() as session:
        rows = {row.id: row for row in list_generations(session, HistoryFilter())}
    assert (rows[log["up"]].thumbs, rows[log["up"]].stars, rows[log["up"]].edited) == (1, 5, False)
    assert (rows[log["imported"]].stars, rows[log["imported"]].edited) == (3, True)
    assert rows[log["plain"]].thumbs is None and rows[log["plain"]].stars is None


def test_date_range_is_inclusive_start_exclusive_end(sessions, log):
    day = START.replace(hour=0)
    assert ids(sessions, since=day, until=day + timedelta(days=1)) == [log["bouquet"], log["plain"]]
    assert ids(sessions, since=day + timedelta(days=2)) == [log["stars"], log["down"]]
    assert ids(sessions, until=day) == [log["imported"]]


def test_text_search_over_inputs_and_output(sessions, log):
    assert set(ids(sessions, search="roses wilted")) == set(log.values()) - {log["bouquet"]}
    assert ids(sessions, search="REFUND") == [log["down"]]  # case-insensitive
    assert ids(sessions, search="imported reply") == [log["imported"]]
    assert ids(sessions, search="红玫瑰") == [log["bouquet"]]  # Chinese in the output and inputs
    assert ids(sessions, search="满天星") == [log["bouquet"]]  # only in the (JSON) inputs
    assert ids(sessions, search="100%") == [log["down"]]  # LIKE wildcards are literal
    assert ids(sessions, search="_now") == [log["down"]]
    assert ids(sessions, search="%") == [log["down"]]
    assert ids(sessions, search="nowhere") == []


def test_counts_match_the_lists(sessions, log):
    for filters in [
        {},
        {"task": "complaint"},
        {"rating": "rated"},
        {"min_stars": 4},
        {"search": "sorry"},
        {"rating": "unrated", "backend": "gguf"},
    ]:
        assert count(sessions, **filters) == len(ids(sessions, **filters)), filters


def test_keyset_paging_visits_every_row_once_even_with_equal_times(sessions):
    same_time = START + timedelta(days=5)
    made = [add(sessions, at=START + timedelta(minutes=n)) for n in range(5)]
    made += [add(sessions, at=same_time) for _ in range(4)]  # ties are broken by id
    made.append(add(sessions, at=START - timedelta(days=1)))
    seen, after, pages = [], None, 0
    while True:
        page = browse(sessions, HistoryQuery(), after=after, page_size=3)
        assert page.total == 10
        seen += [row.id for row in page.rows]
        pages += 1
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert pages == 4
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
    assert seen[:4] == sorted(made[5:9], reverse=True)
    assert seen[-1] == made[-1]


def test_an_exactly_full_last_page_has_no_next(sessions):
    for n in range(4):
        add(sessions, at=START + timedelta(minutes=n))
    first = browse(sessions, HistoryQuery(), page_size=2)
    second = browse(sessions, HistoryQuery(), after=first.next_cursor, page_size=2)
    assert len(second.rows) == 2 and second.next_cursor is None


def test_query_days_are_local_calendar_days_stored_as_utc():
    shanghai = timezone(timedelta(hours=8))
    query = HistoryQuery(first_day=date(2026, 2, 14), last_day=date(2026, 2, 14), search="  x ")
    filters = query.to_filter(shanghai)
    assert filters.since == datetime(2026, 2, 13, 16, 0, tzinfo=UTC)
    assert filters.until == datetime(2026, 2, 14, 16, 0, tzinfo=UTC)
    assert filters.search == "x"
    assert HistoryQuery().to_filter().since is None
    with pytest.raises(ValueError):
        HistoryQuery(min_stars=6)


def test_a_utc_evening_is_the_next_local_day(sessions):
    late = add(sessions, at=datetime(2026, 2, 13, 17, 30))  # 01:30 on the 14th in Shanghai
    shanghai = timezone(timedelta(hours=8))
    query = HistoryQuery(first_day=date(2026, 2, 14), last_day=date(2026, 2, 14))
    assert [row.id for row in browse(sessions, query, zone=shanghai).rows] == [late]
    assert local_time(datetime(2026, 2, 13, 17, 30)).utcoffset() is not None


def test_detail_has_messages_params_timings_links_and_every_rating(sessions, fake_model):
    parent = add(
        sessions,
        variant_group="g-1",
        chosen=False,
        params={"temperature": 0.3},
        latency_ms=900.0,
        ttft_ms=100.0,
        prompt_tokens=40,
        completion_tokens=9,
    )
    sibling = add(sessions, variant_group="g-1", chosen=True)
    rewrite = add(
        sessions,
        parent_id=parent,
        template_id="rewrite_shorter.en",
        status="error",
        error="server went away",
        ratings_=[{"thumbs": 1}, {"stars": 4, "edited_reply": "Fixed"}],
    )
    detail = open_generation(sessions, parent)
    assert detail.messages[0] == {"role": "system", "content": "Be kind."}
    assert detail.params == {"temperature": 0.3}
    assert (detail.ttft_ms, detail.latency_ms, detail.prompt_tokens, detail.completion_tokens) == (
        100.0,
        900.0,
        40,
        9,
    )
    assert [r.id for r in detail.rewrites] == [rewrite] and detail.parent is None
    assert [(v.id, v.chosen) for v in detail.variants] == [(parent, False), (sibling, True)]
    child = open_generation(sessions, rewrite)
    assert child.parent.id == parent and child.variants == []
    assert (child.status, child.error) == ("error", "server went away")
    assert [(r.thumbs, r.stars) for r in child.ratings] == [(1, None), (None, 4)]
    assert child.sent_reply == "Fixed"
    assert [r.stars for r in ratings(sessions, rewrite)] == [None, 4]
    assert open_generation(sessions, 999) is None


def test_filter_menus_list_what_is_in_the_log(sessions, log):
    menus = options(sessions)
    assert menus.tasks == ["bouquet", "complaint"]
    assert menus.backends == ["gguf", "imported", "openai"]
    assert menus.models == ["qwen", "smol", "staff"]
    assert dict(menus.template_versions) == {
        "aaa111": "complaint_reply.en",
        "bbb222": "bouquet_description.zh",
    }


def test_input_text_and_preview():
    assert input_text({"complaint": "Wilted", "language": "en"}) == "Wilted"
    assert input_text({"details": "Roses"}) == "Roses"
    assert input_text({"action": "shorter", "draft": "Sorry."}) == "Sorry."
    assert input_text({}) == ""
    assert preview("a  b\nc") == "a b c"
    assert preview("x" * 100, 10) == "x" * 9 + "…"


@pytest.mark.parametrize(
    "filters",
    [
        HistoryFilter(),
        HistoryFilter(task="bouquet"),
        HistoryFilter(backend="imported"),
        HistoryFilter(model_id="qwen"),
        HistoryFilter(template_version="aaa111"),
        HistoryFilter(rating="up"),
        HistoryFilter(since=START, until=START + timedelta(days=7)),
    ],
)
def test_pages_are_read_in_index_order_never_sorted(sessions, isolated_database, filters):
    """At 100k rows a sort (or a full scan) is what makes deep pages slow; the plan must walk an
    index from the cursor instead (see bench/history_paging.py for the timings)."""
    from db.session import get_engine

    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    engine = get_engine(isolated_database)
    event.listen(engine, "before_cursor_execute", record)
    try:
        with sessions() as session:
            list_generations(session, filters, after=Cursor(START, 10))
            statement, parameters = statements[-1]
            plan = [
                row[3]
                for row in session.connection().exec_driver_sql(
                    f"EXPLAIN QUERY PLAN {statement}", parameters
                )
            ]
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert not any("TEMP B-TREE" in step for step in plan), plan
    walk = next(step for step in plan if "generations" in step and "newest" not in step)
    assert walk.startswith("SEARCH generations USING INDEX") and "created_at<" in walk, plan


def test_generation_model_keeps_the_history_indexes():
    names = {index.name for index in Generation.__table__.indexes}
    assert {
        "ix_generations_backend_created",
        "ix_generations_model_created",
        "ix_generations_version_created",
        "ix_generations_task_created",
    } <= names

"""Row 10: the manager dashboard's aggregates on a big log.

Fills a throw-away SQLite database (migrated like the app's) with `dashboard_rows` generations
spread over 90 days — both tasks, four models, template versions that change over time, triage
categories, every status, guard retries, rewrites, variants, quality-check lists, imported and
starter rows, about 30% rated with some re-ratings, edits and thumbs-down reasons — in bulk
inserts, then times each aggregate (one SQL query each) over the whole 90 days and over the
page's default 30, and the page's whole load (every aggregate and its table); then once more
without the covering index migration 0007 adds on SQLite, to show what it is for.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, text
from sqlalchemy.orm import Session, sessionmaker

from bench.report import Row, median, ms
from bench.workload import Sizes, complaint_prompt
from core.dashboard.report import load_dashboard
from core.dashboard.tables import (
    checks_frame,
    complaints_frame,
    drafts_frame,
    latency_frame,
    outcomes_frame,
    ratings_frame,
    reasons_frame,
)
from core.history.feedback import REASON_TAGS
from core.quality.checks import CHECKS
from core.runtime import sessions as open_sessions
from core.triage.labels import CATEGORIES, SENTIMENTS
from db.dashboard import (
    DayRange,
    check_failures,
    complaints_by_category,
    draft_outcomes,
    drafts_per_day,
    latency_percentiles,
    ratings_by_model_and_template,
    thumbs_down_reasons,
)
from db.models import Generation, Rating
from db.session import get_engine

GOAL_MS = 300
DAYS = 90
# Migration 0007's covering index (SQLite only): every column the aggregates read from
# `generations`, so SQLite answers from the index and never reads the wide rows (messages and
# policy, kilobytes each, in overflow pages before `source` and the triage columns).
COVERING_INDEX = "ix_generations_dashboard"
# (model id, backend, share of drafts, median first token ms, median whole draft ms)
MODELS = (
    ("SmolLM2-135M-Instruct.Q4_1+huayu-starter", "gguf", 0.5, 900, 6000),
    ("SmolLM2-135M-Instruct.Q4_1", "gguf", 0.15, 850, 5500),
    ("qwen2.5-3b-instruct-q4_k_m", "gguf", 0.25, 2500, 21000),
    ("Qwen/Qwen2.5-7B-Instruct", "openai", 0.1, 300, 4000),
)
# A new template version every month; rewrites have their own templates.
TEMPLATES = {
    "complaint": ("complaint_reply.en", ("3f2a1c0d9e8b", "7c4d2e1f0a9b", "a81b5c3d7e2f")),
    "bouquet": ("bouquet_description.en", ("5d6e7f8a9b0c", "c2d3e4f5a6b7", "e9f0a1b2c3d4")),
    "rewrite": ("rewrite_shorter.en", ("1a2b3c4d5e6f",)),
}
STATUSES = (("ok", 0.85), ("rejected", 0.10), ("error", 0.03), ("cancelled", 0.02))
CATEGORY_WEIGHTS = (20, 16, 6, 10, 8, 9, 5, 6, 4, 5, 3, 8)  # freshness and late delivery lead
BOUQUET_REPLY = (
    "Twelve red roses with baby's breath and fresh greenery, wrapped in deep red paper and tied "
    "with a satin ribbon: a classic way to say what words cannot. Hand-tied in our shop this "
    "morning and delivered with a card in your own words."
)
COMPLAINT_REPLY = (
    "Dear customer, we are so sorry that your roses arrived drooping on your anniversary. That is "
    "not the freshness we promise. Please send us a photo and we will deliver a fresh bouquet "
    "tomorrow at no cost, or refund the order in full if you prefer. Thank you for telling us, and "
    "happy anniversary. Huayu Flowers"
)


def dashboard(sizes: Sizes) -> Row:
    """Seed a fresh temporary database and time every aggregate on it."""
    row = Row(
        key="dashboard",
        title="Dashboard",
        compares=f"each of the manager dashboard's aggregates (one SQL query each) over 90 and 30 "
        f"days of {sizes.dashboard_rows:,} generations on SQLite, and the page's whole load",
        goal=f"each aggregate ≤{GOAL_MS} ms",
    )
    with tempfile.TemporaryDirectory(prefix="huayu-dashboard-") as folder:
        path = Path(folder) / "dashboard.db"
        url = f"sqlite:///{path}"
        sessions = open_sessions(url)
        start = time.perf_counter()
        counts = seed_dashboard(sessions, sizes.dashboard_rows)
        seed_s = time.perf_counter() - start
        with sessions() as session:
            session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        size_mib = path.stat().st_size / 2**20
        today = datetime.now(UTC).date()
        ranges = {
            "90_days": DayRange(today - timedelta(days=DAYS - 1), today),
            "30_days": DayRange(today - timedelta(days=29), today),
        }
        timings = {
            name: time_aggregates(sessions, days, sizes.dashboard_repetitions)
            for name, days in ranges.items()
        }
        page = time_page(sessions, ranges["30_days"], sizes.dashboard_repetitions)
        plans = query_plans(sessions, ranges["90_days"])
        with sessions.begin() as session:
            session.execute(text(f"DROP INDEX {COVERING_INDEX}"))
        bare = time_aggregates(sessions, ranges["90_days"], sizes.dashboard_repetitions)
        bare_page = time_page(sessions, ranges["30_days"], sizes.dashboard_repetitions)
        get_engine(url).dispose()

    full = {name: t["median_ms"] for name, t in timings["90_days"].items()}
    slowest = max(full, key=full.__getitem__)
    row.met = all(
        t["median_ms"] <= GOAL_MS for by_range in timings.values() for t in by_range.values()
    )
    row.result = (
        f"slowest {slowest} {full[slowest]:.0f} ms over 90 days "
        f"({timings['30_days'][slowest]['median_ms']:.0f} ms over 30); "
        f"page load {page['median_ms']:.0f} ms (30 days); without the covering index "
        f"slowest {max(t['median_ms'] for t in bare.values()):.0f} ms, "
        f"page load {bare_page['median_ms']:.0f} ms"
    )
    row.details = {
        "rows": sizes.dashboard_rows,
        "counts": counts,
        "seed_s": round(seed_s, 1),
        "database_mib": round(size_mib, 1),
        "repetitions": sizes.dashboard_repetitions,
        "aggregate_ms": timings,
        "page_load_ms": page,
        "query_plans": plans,
        "without_covering_index": {
            "index": COVERING_INDEX,
            "aggregate_ms_90_days": bare,
            "page_load_ms": bare_page,
        },
    }
    row.notes = [
        (
            f"{sizes.dashboard_rows:,} generations ({counts['app']:,} the shop's own, "
            f"{counts['imported'] + counts['starter']:,} imported or starter rows the dashboard "
            f"leaves out) over {DAYS} days, seeded in bulk in {seed_s:.0f} s; "
            f"{counts['ratings']:,} ratings on {counts['rated']:,} drafts. Each row carries the "
            f"real complaint prompt (system prompt and policy) as its messages: "
            f"{size_mib:.0f} MiB of SQLite, no ANALYZE (the app never runs it)."
        ),
        "90 days, median ms (first call): "
        + ", ".join(
            f"{name} {t['median_ms']:.0f} ({t['first_ms']:.0f})"
            for name, t in timings["90_days"].items()
        ),
        "30 days (the page's default), median ms: "
        + ", ".join(f"{name} {t['median_ms']:.0f}" for name, t in timings["30_days"].items()),
        (
            f"Page load: every aggregate in one session and its pandas table, as the page does "
            f"before drawing: median {page['median_ms']:.0f} ms over 30 days. Each timing is the "
            f"median of {sizes.dashboard_repetitions} runs, each in a new session."
        ),
        (
            f"Without migration 0007's covering index ({COVERING_INDEX}: source, created_at and "
            "every other column the aggregates read; SQLite only), 90 days, median ms: "
            + ", ".join(f"{name} {t['median_ms']:.0f}" for name, t in bare.items())
            + f"; page load (30 days) {bare_page['median_ms']:.0f} ms."
        ),
    ]
    return row


def aggregates(days: DayRange) -> dict[str, Callable[[Session], object]]:
    """Each aggregate the page reads, by name."""
    return {
        "drafts_per_day": lambda s: drafts_per_day(s, days),
        "complaints_by_day": lambda s: complaints_by_category(s, days, "day"),
        "complaints_by_week": lambda s: complaints_by_category(s, days, "week"),
        "outcomes_by_model": lambda s: draft_outcomes(s, days, by="model"),
        "outcomes_by_template": lambda s: draft_outcomes(s, days, by="template"),
        "ratings": lambda s: ratings_by_model_and_template(s, days),
        "check_failures": lambda s: check_failures(s, days),
        "latency_percentiles": lambda s: latency_percentiles(s, days),
        "thumbs_down_reasons": lambda s: thumbs_down_reasons(s, days),
    }


def time_aggregates(
    sessions: sessionmaker[Session], days: DayRange, repetitions: int
) -> dict[str, dict[str, Any]]:
    """Median and first-call milliseconds of each aggregate, each call in a new session."""
    results = {}
    for name, aggregate in aggregates(days).items():
        times, rows = [], []
        for _ in range(max(1, repetitions)):
            with sessions() as session:
                start = time.perf_counter()
                rows = list(aggregate(session))  # type: ignore[call-overload]
                times.append(time.perf_counter() - start)
        results[name] = {
            "median_ms": ms(median(times)),
            "first_ms": ms(times[0]),
            "max_ms": ms(max(times)),
            "rows": len(rows),
        }
    return results


def time_page(
    sessions: sessionmaker[Session], days: DayRange, repetitions: int
) -> dict[str, float]:
    """What the page does before drawing: every aggregate, then every table."""
    times = []
    for _ in range(max(1, repetitions)):
        start = time.perf_counter()
        loaded = load_dashboard(sessions, days.first, days.last)
        drafts_frame(loaded.drafts_per_day, "en")
        complaints_frame(loaded.complaints, "en")
        outcomes_frame(loaded.outcomes_by_model, "en")
        outcomes_frame(loaded.outcomes_by_template, "en")
        ratings_frame(loaded.ratings, "en")
        checks_frame(loaded.checks, "en")
        latency_frame(loaded.latency, "en")
        reasons_frame(loaded.reasons, "en")
        times.append(time.perf_counter() - start)
    return {"median_ms": ms(median(times)), "first_ms": ms(times[0])}


def query_plans(sessions: sessionmaker[Session], days: DayRange) -> dict[str, list[str]]:
    """SQLite's plan for each aggregate, to see which index (if any) it used."""
    sent: list[tuple[str, Any]] = []

    def capture(*args: Any) -> None:
        # before_cursor_execute(conn, cursor, statement, parameters, context, executemany)
        sent.append((args[2], args[3]))

    plans: dict[str, list[str]] = {}
    with sessions() as session:
        engine = session.get_bind()
        for name, aggregate in aggregates(days).items():
            event.listen(engine, "before_cursor_execute", capture)
            try:
                aggregate(session)
            finally:
                event.remove(engine, "before_cursor_execute", capture)
            statement, parameters = sent[-1]
            rows = session.connection().exec_driver_sql(
                f"EXPLAIN QUERY PLAN {statement}", parameters
            ).all()
            plans[name] = [str(r[-1]) for r in rows]
    return plans


def seed_dashboard(sessions: sessionmaker[Session], count: int, seed: int = 14) -> dict[str, int]:
    """Insert `count` generations and their ratings in bulk; how many of each kind."""
    counts = {"app": 0, "imported": 0, "starter": 0, "rated": 0, "ratings": 0}
    with sessions.begin() as session:
        for generations, ratings in _batches(count, random.Random(seed), counts):
            session.execute(insert(Generation), generations)
            if ratings:
                session.execute(insert(Rating), ratings)
    return counts


def _batches(
    count: int, rng: random.Random, counts: dict[str, int], batch: int = 2000
) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    now = datetime.now(UTC)
    start = now - timedelta(days=DAYS)
    prompts = [complaint_prompt(i) for i in range(8)]
    model_weights = [share for _, _, share, _, _ in MODELS]
    checks_by_task = {
        task: [c for c in CHECKS if task in c.tasks] for task in ("complaint", "bouquet")
    }
    # Drafts grow over the 90 days and dip at weekends: row n's time is drawn to match.
    offsets = sorted(rng.betavariate(1.3, 1.0) * DAYS * 86400 for _ in range(count))
    generations: list[dict[str, Any]] = []
    ratings: list[dict[str, Any]] = []
    rating_id = 0
    last_complaint: int | None = None
    for n in range(1, count + 1):
        created = start + timedelta(seconds=offsets[n - 1])
        if created.weekday() >= 5 and rng.random() < 0.3:
            created -= timedelta(days=2)  # fewer drafts at the weekend
        month = min(2, int((created - start).days // 30))
        source = "imported" if rng.random() < 0.03 else "starter" if rng.random() < 0.01 else "app"
        counts[source] += 1
        model_id, backend, _, ttft, latency = rng.choices(MODELS, weights=model_weights)[0]
        task = "complaint" if rng.random() < 0.6 else "bouquet"
        kind = task
        parent_id = retry_of = variant_group = None
        if last_complaint is not None and task == "complaint":
            roll = rng.random()
            if roll < 0.08:
                kind, parent_id = "rewrite", last_complaint
            elif roll < 0.14:
                retry_of = last_complaint
            elif roll < 0.18:
                variant_group = f"group-{last_complaint}"
        template_id, versions = TEMPLATES[kind]
        status = rng.choices([s for s, _ in STATUSES], weights=[w for _, w in STATUSES])[0]
        finished = status in ("ok", "rejected")
        checks: list[dict[str, str]] | None = None
        if source == "app" and finished and rng.random() > 0.05:  # 5%: from before the checks
            pool = checks_by_task[task]
            hard = [c for c in pool if c.severity == "hard"]
            failing = (
                rng.sample(hard, rng.randint(1, 2))
                if status == "rejected"
                else rng.sample(pool, 1)
                if rng.random() < 0.25
                else []
            )
            checks = [{"id": c.id, "severity": c.severity, "detail": "…"} for c in failing]
        prompt = prompts[n % len(prompts)]
        triaged = task == "complaint" and source == "app" and rng.random() < 0.9
        generations.append(
            {
                "id": n,
                "created_at": created,
                "task": task,
                "template_id": template_id,
                "template_version": versions[min(month, len(versions) - 1)],
                "inputs": prompt.inputs,
                "messages": prompt.messages,
                "output": COMPLAINT_REPLY if task == "complaint" else BOUQUET_REPLY,
                "backend": "imported" if source == "imported" else backend,
                "model_id": model_id,
                "params": {"temperature": 0.3, "top_p": 0.9, "max_new_tokens": 320},
                "latency_ms": _spread(rng, latency, 0.4) if source == "app" else None,
                "ttft_ms": _spread(rng, ttft, 0.5) if source == "app" else None,
                "prompt_tokens": 344,
                "completion_tokens": 80,
                "status": status if source == "app" else "ok",
                "parent_id": parent_id,
                "retry_of": retry_of,
                "variant_group": variant_group,
                "checks": checks,
                "source": source,
                "category": rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0] if triaged else None,
                "sentiment": rng.choice(SENTIMENTS) if triaged else None,
                "urgency": ("high" if rng.random() < 0.1 else "normal") if triaged else None,
            }
        )
        if task == "complaint" and kind == "complaint":
            last_complaint = n
        if (source != "app" or finished) and rng.random() < 0.3:
            counts["rated"] += 1
            for _ in range(2 if rng.random() < 0.1 else 1):
                rating_id += 1
                ratings.append(_rating(rng, rating_id, n, created))
        if len(generations) == batch:
            counts["ratings"] += len(ratings)
            yield generations, ratings
            generations, ratings = [], []
    if generations:
        counts["ratings"] += len(ratings)
        yield generations, ratings


def _spread(rng: random.Random, typical_ms: float, sigma: float) -> float:
    """A latency around `typical_ms` with a long right tail, as real drafts have."""
    return round(rng.lognormvariate(0, sigma) * typical_ms, 1)


def _rating(
    rng: random.Random, rating_id: int, generation_id: int, created: datetime
) -> dict[str, Any]:
    thumbs = rng.choices([1, -1, None], weights=[55, 20, 25])[0]
    edited = rng.random() < 0.15
    return {
        "id": rating_id,
        "generation_id": generation_id,
        "created_at": created + timedelta(minutes=rng.randint(1, 600)),
        "thumbs": thumbs,
        "stars": rng.choice([None, None, 1, 2, 3, 4, 5, 5]),
        "reasons": rng.sample(REASON_TAGS[:-1], rng.randint(1, 2))
        if thumbs == -1 and rng.random() < 0.7
        else [],
        "comment": None,
        "edited_reply": COMPLAINT_REPLY.replace("so sorry", "truly sorry") if edited else None,
        "edit_distance": rng.randint(5, 200) if edited else None,
    }

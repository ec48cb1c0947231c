"""How fast the history page's queries are on a big log: `python bench/history_paging.py [ROWS]`.

Fills a throw-away SQLite database (migrated like the app's) with ROWS generations (default
100,000) of realistic size, a third of them rated, some re-rated, some imported out of date order,
then times the first page, a deep page, filtered pages, counts, the filter menus and a detail view.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text

from db.history import (
    Cursor,
    HistoryFilter,
    count_generations,
    filter_options,
    generation_detail,
    list_generations,
)
from db.models import Generation, Rating
from db.session import session_factory, upgrade

POLICY = (ROOT / "prompts" / "policy.en.md").read_text(encoding="utf-8")
WORDS = ("roses", "tulips", "lilies", "wilted", "late", "delivery", "sorry", "refund", "fresh")


def fill(url: str, rows: int, seed: int = 7) -> None:
    """Insert `rows` generations and ratings for about a third of them."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    factory = session_factory(url)
    batch = 5000
    rating_rows: list[dict[str, object]] = []
    with factory.begin() as session:
        for first in range(0, rows, batch):
            generations = []
            for n in range(first, min(first + batch, rows)):
                imported = n % 10 == 0  # imports carry their own, older dates
                created = start + timedelta(seconds=n * 300 - (86400 * 30 if imported else 0))
                task = "bouquet" if n % 3 == 0 else "complaint"
                customer = " ".join(rng.choices(WORDS, k=40))
                if n % 97 == 0:
                    customer += " 玫瑰花枯萎了"
                generations.append(
                    {
                        "created_at": created,
                        "task": task,
                        "template_id": f"{task}.en",
                        "template_version": f"v{n // 20000:011d}",
                        "inputs": {"complaint": customer, "language": "en"},
                        "messages": [
                            {"role": "system", "content": "You are a shop assistant.\n" + POLICY},
                            {
                                "role": "user",
                                "content": f"<customer_message>\n{customer}\n</customer_message>",
                            },
                        ],
                        "output": " ".join(rng.choices(WORDS, k=80)),
                        "backend": "imported" if imported else rng.choice(["gguf", "openai"]),
                        "model_id": rng.choice(["SmolLM2-135M", "qwen2.5-3b", "gpt-4o-mini"]),
                        "params": {"temperature": 0.3, "max_new_tokens": 320},
                        "latency_ms": 1200.0,
                        "ttft_ms": 90.0,
                        "prompt_tokens": 400,
                        "completion_tokens": 100,
                        "status": "ok",
                    }
                )
            session.execute(insert(Generation), generations)
        ids = list(session.scalars(select(Generation.id)))
        for generation_id in rng.sample(ids, len(ids) // 3):
            for _ in range(1 if rng.random() < 0.8 else 2):
                rating_rows.append(
                    {
                        "generation_id": generation_id,
                        "created_at": datetime.now(UTC),
                        "thumbs": rng.choice([1, 1, 1, -1, None]),
                        "stars": rng.choice([None, 2, 3, 4, 5]),
                        "reasons": [],
                        "edited_reply": "Edited." if rng.random() < 0.2 else None,
                    }
                )
        session.execute(insert(Rating), rating_rows)
    with factory.begin() as session:
        session.execute(text("ANALYZE"))


def timed(label: str, action: Callable[[], object], repeat: int = 5) -> object:
    """Run `action` `repeat` times and print the median wall time."""
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = action()
        times.append((time.perf_counter() - began) * 1000)
    size = len(result) if isinstance(result, list) else result
    print(f"{label:<46} {statistics.median(times):8.1f} ms   ({size})")
    return result


def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/history-bench.db"
        upgrade(url)
        began = time.perf_counter()
        fill(url, rows)
        print(f"filled {rows} generations in {time.perf_counter() - began:.1f} s\n")
        factory = session_factory(url)
        with factory() as session:
            everything = HistoryFilter()
            first = timed(
                "first page (50, no filter)", lambda: list_generations(session, everything)
            )
            # A cursor deep in the list, found once (not timed), as if staff clicked "next" often.
            deep_row = session.execute(
                select(Generation.created_at, Generation.id)
                .order_by(Generation.created_at.desc(), Generation.id.desc())
                .offset(rows - 100)
                .limit(1)
            ).one()
            deep = Cursor(deep_row.created_at, deep_row.id)
            timed(
                f"deep page (after row {rows - 100})",
                lambda: list_generations(session, everything, after=deep),
            )
            second = first[-1].cursor  # type: ignore[index]
            timed("second page", lambda: list_generations(session, everything, after=second))
            for label, filters in [
                ("task = bouquet", HistoryFilter(task="bouquet")),
                ("backend = imported", HistoryFilter(backend="imported")),
                ("model = qwen2.5-3b", HistoryFilter(model_id="qwen2.5-3b")),
                ("template version (oldest)", HistoryFilter(template_version="v00000000000")),
                ("rated", HistoryFilter(rating="rated")),
                ("unrated", HistoryFilter(rating="unrated")),
                ("thumbs down", HistoryFilter(rating="down")),
                ("min 5 stars", HistoryFilter(min_stars=5)),
                ("one week", HistoryFilter(since=datetime(2025, 3, 1), until=datetime(2025, 3, 8))),
                ("search 'refund'", HistoryFilter(search="refund")),
                ("search '玫瑰' (rare, in inputs)", HistoryFilter(search="玫瑰")),
                ("search 'no such words'", HistoryFilter(search="no such words")),
                (
                    "bouquet + thumbs up + week + gguf",
                    HistoryFilter(
                        task="bouquet",
                        rating="up",
                        backend="gguf",
                        since=datetime(2025, 3, 1),
                        until=datetime(2025, 3, 8),
                    ),
                ),
            ]:
                timed(f"page: {label}", lambda f=filters: list_generations(session, f))
                timed(f"count: {label}", lambda f=filters: count_generations(session, f), repeat=3)
            timed(
                "deep page, task = bouquet",
                lambda: list_generations(session, HistoryFilter(task="bouquet"), after=deep),
            )
            timed("count: no filter", lambda: count_generations(session, everything), repeat=3)
            timed("filter menus", lambda: filter_options(session).template_versions, repeat=3)
            timed("detail view", lambda: generation_detail(session, rows // 2) and 1)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)

"""Measure the export at scale: `python scripts/measure_export.py make DB N`, then
`python scripts/measure_export.py export DB FORMAT OUT` prints seconds, records and peak RSS.

Not a test: the numbers depend on the machine. Rows are generated (no model) with the app's real
complaint prompt, personal data in some texts, ratings, edits, variants and repeated prompts.
"""

from __future__ import annotations

import random
import resource
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def make(url: str, count: int) -> None:
    from sqlalchemy import insert

    from core.drafting.complaint_reply import ComplaintRequest, build_prompt
    from db.models import Generation, Rating
    from db.session import get_engine, upgrade

    upgrade(url)
    rng = random.Random(7)
    complaints = [
        f"Order YS2026{rng.randint(1000, 9999)}-{rng.randint(100, 999)}: the {flower} arrived {problem}. "
        f"Call me on 138{rng.randint(10000000, 99999999)} or write to buyer{i}@example.com."
        for i, (flower, problem) in enumerate(
            (
                rng.choice(["roses", "tulips", "lilies", "peonies"]),
                rng.choice(["wilted", "late", "crushed", "wrong"]),
            )
            for _ in range(count // 5)
        )
    ]
    prompts = [build_prompt(ComplaintRequest(complaint=c), "Huayu Flowers") for c in complaints]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    engine = get_engine(url)
    generations, ratings = [], []
    for i in range(1, count + 1):
        prompt = prompts[rng.randrange(len(prompts))]
        kind = rng.random()
        group = f"g{i // 3}" if kind < 0.15 else None
        generations.append(
            {
                "id": i,
                "created_at": start + timedelta(minutes=i),
                "task": "complaint",
                "template_id": prompt.template_id,
                "template_version": prompt.template_version,
                "inputs": prompt.inputs,
                "messages": prompt.messages,
                "output": f"We are very sorry about your order. Reply {i}: a fresh bouquet goes out tomorrow, or a full refund.",
                "backend": "gguf",
                "model_id": "smollm2",
                "params": {"temperature": 0.3},
                "status": "ok",
                "variant_group": group,
                "chosen": (i % 3 == 0) if group else None,
            }
        )
        if kind > 0.1:
            ratings.append(
                {
                    "generation_id": i,
                    "created_at": start + timedelta(minutes=i, seconds=30),
                    "thumbs": rng.choice([1, -1, None]),
                    "stars": rng.choice([None, 1, 2, 3, 4, 5]),
                    "reasons": [],
                    "edited_reply": f"Sent reply {i}: we're sorry, fresh flowers tomorrow."
                    if kind > 0.75
                    else None,
                }
            )
        if len(generations) == 5000:
            with engine.begin() as connection:
                connection.execute(insert(Generation), generations)
                connection.execute(insert(Rating), ratings) if ratings else None
            generations, ratings = [], []
    with engine.begin() as connection:
        if generations:
            connection.execute(insert(Generation), generations)
        if ratings:
            connection.execute(insert(Rating), ratings)


def export(url: str, export_format: str, out: str) -> None:
    from core.training_data.export import ExportOptions, export_dataset
    from db.session import session_factory

    usage = resource.getrusage(resource.RUSAGE_SELF)
    before, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    began = time.perf_counter()
    summary = export_dataset(
        session_factory(url), ExportOptions(format=export_format, split=0.1), Path(out)
    )
    seconds = time.perf_counter() - began
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime - cpu
    # CPU seconds as well as wall seconds: on a shared machine the wall clock includes waiting.
    print(
        f"{export_format:22} {seconds:6.1f} s wall {cpu:6.1f} s CPU  {summary.records:7d} records  {summary.duplicates:6d} dupes  "
        f"peak RSS {peak / 1024:6.0f} MiB (+{(peak - before) / 1024:.0f} MiB over start)  {dict(summary.sources)}"
    )


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], int(sys.argv[3]))
    else:
        export(sys.argv[2], sys.argv[3], sys.argv[4])

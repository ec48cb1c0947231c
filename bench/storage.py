"""Row 5: the log write, the history page's first query, and the exports, on a large database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.orm import Session, sessionmaker

from bench.report import Row, median, ms, percentile
from bench.workload import Sizes, complaint_prompt
from core.history.browse import PAGE_SIZE
from db.history import HistoryFilter, count_generations, list_generations
from db.models import Generation, Rating
from db.repository import GenerationRecord, log_generation

ROOT = Path(__file__).resolve().parent.parent

# The formats issue 3 specifies for `python -m core export --format F --out PATH`.
EXPORT_FORMATS = (
    "openai-chat",
    "trl-sft",
    "trl-prompt-completion",
    "trl-dpo",
    "trl-kto",
    "alpaca",
    "sharegpt",
)
EXPORT_TIMEOUT_S = 300

SAMPLE_REPLY = (
    "Dear customer, we are so sorry that your roses arrived drooping on your anniversary. That is "
    "not the freshness we promise. Please send us a photo and we will deliver a fresh bouquet "
    "tomorrow at no cost, or refund the order in full if you prefer. Thank you for telling us, and "
    "happy anniversary. Huayu Flowers"
)


def sample_reply(number: int) -> str:
    """A distinct reply per seeded row: the export drops exact duplicates, so identical rows
    would leave it almost nothing to write."""
    return f"{SAMPLE_REPLY} (draft {number})"


def history_first_page(session: Session) -> int:
    """What the history page runs when it opens: its first page (no filter) and the count."""
    rows = list_generations(session, HistoryFilter(), limit=PAGE_SIZE + 1)
    count_generations(session, HistoryFilter())
    return len(rows)


def storage(sessions: sessionmaker[Session], url: str, workdir: Path, sizes: Sizes) -> Row:
    """`sessions` and `url` must be a fresh, upgraded database used by nothing else."""
    row = Row(
        key="storage",
        title="Storage",
        compares=f"log_generation in its own transaction; history first page and every export "
        f"format at {sizes.history_rows:,} generations",
        goal="log write p99 ≤5 ms; first page ≤200 ms; each export ≤10 s",
    )
    start = time.perf_counter()
    seed_generations(sessions, sizes.history_rows)
    seed_s = time.perf_counter() - start
    with sessions() as session:
        journal = session.execute(text("PRAGMA journal_mode")).scalar()

    writes = time_log_writes(sessions, sizes.log_writes)
    checkpoint = checkpoint_cost(sessions)
    pages = time_history(sessions, sizes.history_repetitions)
    exports = time_exports(url, workdir / "export")

    p50, p99 = percentile(writes, 50), percentile(writes, 99)
    page = median(pages[1:] or pages)
    formats = {name: exports[name] for name in EXPORT_FORMATS}
    slowest = max(formats, key=lambda name: formats[name]["seconds"])
    ok = (
        p99 <= 0.005
        and page <= 0.2
        and all(e["returncode"] == 0 and e["seconds"] <= 10 for e in formats.values())
    )
    parts = [
        f"log write p50 {ms(p50)} ms, p99 {ms(p99)} ms",
        f"first page {ms(page):.0f} ms",
        (
            f"slowest export {formats[slowest]['seconds']:.1f} s ({slowest}, "
            f"{formats[slowest]['records']:,} records), peak RSS ≤"
            f"{max(e.get('peak_rss_mib', 0) for e in formats.values()):.0f} MiB"
        ),
    ]
    row.met = ok
    row.result = "; ".join(parts)
    row.details = {
        "rows": sizes.history_rows,
        "seed_s": round(seed_s, 1),
        "journal_mode": journal,
        "log_write_ms": {
            "n": len(writes),
            "p50": ms(p50),
            "p90": ms(percentile(writes, 90)),
            "p99": ms(p99),
            "max": ms(max(writes)),
        },
        "wal_checkpoint": checkpoint,
        "history_first_page_ms": {
            "first_call": ms(pages[0]),
            "median": ms(page),
            "max": ms(max(pages)),
        },
        "export": exports,
    }
    row.notes = [
        (
            f"{sizes.history_rows:,} generations seeded in bulk ({seed_s:.0f} s), each with the real "
            "complaint prompt (system prompt and policy) as its logged messages; a third rated, some "
            "edited, some in variant groups; every request has its own order number and every "
            "reply its own text. SQLite journal mode: "
            f"{journal}, synchronous=NORMAL, database file in the results folder."
        ),
        (
            f"Log writes: {len(writes)} calls of `log_generation`, each in its own `sessions.begin()` "
            "transaction (commit included), on the seeded database. Each write adds "
            f"{checkpoint['pages_per_write']} pages to the WAL, so every "
            f"~{checkpoint['writes_per_checkpoint']:.0f}th commit also runs SQLite's automatic "
            f"checkpoint at {checkpoint['autocheckpoint_pages']} pages (db/session.py; SQLite's "
            "default of 1000 made those commits 5-12 ms), measured separately at "
            f"{checkpoint['checkpoint_ms']} ms (median): that is what the slowest writes pay for."
        ),
        (
            "History: the history page's first page (keyset query, 50 rows) plus its match "
            "count, in a new session, as the page opens."
        ),
        (
            "Exports: `python -m core export --format F --out PATH` in a subprocess per format "
            "(scrubbing on, duplicates dropped); time includes interpreter start-up, peak RSS is "
            "the child's own high-water mark (VmHWM); the interpreter with the export code loaded "
            f"and no row read takes {exports['imports_only'].get('peak_rss_mib', 0):.0f} MiB."
        ),
    ]
    return row


def seed_generations(sessions: sessionmaker[Session], count: int, batch: int = 2000) -> None:
    """Insert `count` realistic generations (and their ratings) quickly, bypassing the ORM unit of work."""
    with sessions.begin() as session:
        for generations, ratings in _seed_batches(count, batch):
            session.execute(insert(Generation), generations)
            if ratings:
                session.execute(insert(Rating), ratings)
    with sessions() as session:
        session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


def _seed_batches(
    count: int, batch: int
) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    now = datetime.now(UTC)
    generations: list[dict[str, Any]] = []
    ratings: list[dict[str, Any]] = []
    prompt = complaint_prompt(0)
    for i in range(1, count + 1):
        # Rows 30k, 30k+1 and 30k+2 are three variants of one request, so they share its prompt.
        group = f"group-{i - i % 30}" if i % 30 < 3 else None
        if not group or i % 30 == 0 or i == 1:
            # Each request its own order number, so that prompts differ as in a real shop.
            prompt = complaint_prompt(i, order_number=f"HY-{i:06d}")
        generations.append(
            {
                "id": i,
                "created_at": now - timedelta(minutes=count - i),
                "task": prompt.task,
                "template_id": prompt.template_id,
                "template_version": prompt.template_version,
                "inputs": prompt.inputs,
                "messages": prompt.messages,
                "output": sample_reply(i),
                "backend": "gguf",
                "model_id": "SmolLM2-135M-Instruct.Q4_1",
                "params": {"temperature": 0.3, "top_p": 0.9, "max_new_tokens": 320},
                "latency_ms": 2500.0,
                "ttft_ms": 90.0,
                "prompt_tokens": 344,
                "completion_tokens": 80,
                "status": "ok",
                "variant_group": group,
                "chosen": (i % 3 == 0) if group else None,
            }
        )
        if i % 3 == 0:
            ratings.append(
                {
                    "generation_id": i,
                    "created_at": now,
                    "thumbs": 1 if i % 2 else -1,
                    "stars": 1 + i % 5,
                    "reasons": ["too long"] if i % 2 == 0 else [],
                    "comment": None,
                    "edited_reply": sample_reply(i).replace("so sorry", "truly sorry")
                    if i % 9 == 0
                    else None,
                }
            )
        if len(generations) == batch:
            yield generations, ratings
            generations, ratings = [], []
    if generations:
        yield generations, ratings


def log_record() -> GenerationRecord:
    """What the app logs after a complaint reply."""
    prompt = complaint_prompt(0)
    return GenerationRecord(
        task=prompt.task,
        template_id=prompt.template_id,
        template_version=prompt.template_version,
        inputs=prompt.inputs,
        messages=prompt.messages,
        output=SAMPLE_REPLY,
        backend="gguf",
        model_id="SmolLM2-135M-Instruct.Q4_1",
        params={"temperature": 0.3, "top_p": 0.9, "max_new_tokens": 320, "seed": None},
        latency_ms=2500.0,
        ttft_ms=90.0,
        prompt_tokens=344,
        completion_tokens=80,
    )


def time_log_writes(sessions: sessionmaker[Session], count: int) -> list[float]:
    """Seconds per `log_generation` call, transaction and commit included."""
    record = log_record()
    timings = []
    for _ in range(count):
        start = time.perf_counter()
        with sessions.begin() as session:
            log_generation(session, record)
        timings.append(time.perf_counter() - start)
    return timings


def checkpoint_cost(sessions: sessionmaker[Session], sample: int = 5) -> dict[str, float]:
    """WAL pages one log write adds, how many writes fill SQLite's autocheckpoint, and what the
    checkpoint that then runs inside a commit costs (medians of `sample`)."""

    def checkpoint(mode: str) -> tuple[int, float]:
        """WAL frames before a checkpoint in `mode`, and the seconds it took."""
        with sessions() as session:
            start = time.perf_counter()
            frames = session.execute(text(f"PRAGMA wal_checkpoint({mode})")).one()[1]
            return frames, time.perf_counter() - start

    with sessions() as session:
        threshold = session.execute(text("PRAGMA wal_autocheckpoint")).scalar() or 0
    # One write at a time from an empty WAL: a bigger sample could cross the threshold, and the
    # automatic checkpoint would reset the count.
    frames = []
    for _ in range(sample):
        checkpoint("TRUNCATE")
        time_log_writes(sessions, 1)
        frames.append(checkpoint("PASSIVE")[0])
    per_write = median(frames)
    # Fill the WAL to just under the threshold (sized by the largest write: one more over it and
    # the automatic checkpoint would run inside that commit), then time the checkpoint.
    fill = max(0, int(threshold / max(frames)) - 1)
    checkpoints = []
    for _ in range(sample):
        checkpoint("TRUNCATE")
        time_log_writes(sessions, fill)
        checkpoints.append(checkpoint("PASSIVE")[1])
    seconds = median(checkpoints)
    return {
        "pages_per_write": round(per_write, 1),
        "autocheckpoint_pages": threshold,
        "writes_per_checkpoint": round(threshold / per_write, 1) if threshold else 0,
        "checkpoint_ms": ms(seconds),
    }


def time_history(sessions: sessionmaker[Session], repetitions: int) -> list[float]:
    """Seconds to open the history page's first page, each in a new session."""
    timings = []
    for _ in range(max(2, repetitions)):
        with sessions() as session:
            start = time.perf_counter()
            shown = history_first_page(session)
            timings.append(time.perf_counter() - start)
        assert shown > 0
    return timings


def time_exports(url: str, folder: Path) -> dict[str, dict[str, Any]]:
    """Each export format through the CLI, timed, with the child's peak memory."""
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HUAYU_DATABASE_URL": url}
    # What the interpreter, SQLAlchemy and the export code take before a single row is read.
    baseline = run_measured("core", ["export", "--help"], env, folder / "baseline.log")
    results: dict[str, dict[str, Any]] = {"imports_only": baseline}
    for name in EXPORT_FORMATS:
        out = folder / f"{name}.jsonl"
        args = ["export", "--format", name, "--out", str(out)]
        result = run_measured("core", args, env, folder / f"{name}.log")
        result["output_mib"] = round(_size(out) / 2**20, 1)
        result["records"] = _count_lines(out)
        results[name] = result
    return results


def run_measured(module: str, args: list[str], env: dict[str, str], log: Path) -> dict[str, Any]:
    """`python -m module args` from the repository root: wall time, exit status and the child's
    own peak RSS (see `bench.peak_rss` for why the kernel's child figure would not do)."""
    report = log.with_suffix(".peak")
    report.unlink(missing_ok=True)
    command = [sys.executable, "-m", "bench.peak_rss", str(report), module, *args]
    with log.open("wb") as output:
        start = time.perf_counter()
        try:
            finished = subprocess.run(
                command,
                check=False,  # a failed export is a result to report, not an exception
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=output,
                timeout=EXPORT_TIMEOUT_S,
            )
            returncode = finished.returncode
        except subprocess.TimeoutExpired:
            returncode = -9
        seconds = time.perf_counter() - start
    result: dict[str, Any] = {"seconds": round(seconds, 2), "returncode": returncode}
    if report.is_file():
        result["peak_rss_mib"] = float(report.read_text())
    if returncode != 0:
        result["error"] = log.read_text(errors="replace")[-500:]
    return result


def _count_lines(path: Path) -> int:
    """Records in a JSONL export, one per line."""
    if not path.is_file():
        return 0
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return 0

"""The whole benchmark run behind `python -m core bench`: every row, in order, into one report."""

from __future__ import annotations

import os
import re
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench.concurrency import concurrency
from bench.dashboard import dashboard
from bench.decode import decode
from bench.gpu import gpu
from bench.machine import load_average, machine_info
from bench.prefix_cache import prefix_cache
from bench.report import Report, Row
from bench.retrieval import embedder_choice, retrieval_cost
from bench.shop_model import shop_model
from bench.storage import storage
from bench.warm_call import warm_call
from bench.workload import FULL, QUICK, Sizes
from core.models.backends.gguf import GgufConfig, GgufEngine
from core.models.model_slot import ModelSlot
from core.runtime import sessions as open_sessions

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "results"


@dataclass(frozen=True)
class Options:
    quick: bool = False
    gpu: bool = False
    out: Path = DEFAULT_OUT
    markdown: Path | None = None
    """Where the table goes; default BENCHMARKS.md (full runs) or the results folder (quick runs)."""
    model_path: str | None = None
    """A GGUF file; default the embedded SmolLM2-135M-Instruct."""
    sizes: Sizes | None = None
    """Overrides the quick/full sizes (tests run toy sizes)."""
    only: tuple[str, ...] = ()
    """Row keys to measure; empty means every row."""
    update: bool = False
    """With `only`: put the rows measured into BENCHMARKS.md's run (from its JSON) and rewrite it."""


def run_suite(options: Options, echo: Callable[[str], None] = print) -> tuple[Report, Path, Path]:
    """Measure every row, print each as it completes, and write the JSON and Markdown files."""
    sizes = options.sizes or (QUICK if options.quick else FULL)
    out = options.out
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    json_path = out / f"bench-{stamp}{'-quick' if options.quick else ''}.json"
    markdown_path = options.markdown or (
        out / "BENCHMARKS.quick.md"
        if options.quick
        else out / "BENCHMARKS.only.md"
        if options.only
        else ROOT / "BENCHMARKS.md"
    )
    config = GgufConfig(model_path=options.model_path) if options.model_path else GgufConfig()
    machine = machine_info(with_gpu=options.gpu)
    report = Report(
        machine=machine,
        settings={
            "quick": options.quick,
            "gpu": options.gpu,
            "model_path": config.model_path,
            "sizes": sizes.to_dict(),
            "json": _display(json_path),
        },
    )
    echo(
        f"Huayu benchmarks ({'quick' if options.quick else 'full'} run) on {machine['cpu_model']}, "
        f"{machine['cores']}; load average {machine['load_average']}"
    )
    if _busy():
        echo(
            "warning: this machine is busy; thread and latency rows will be noisy. "
            "Run the final benchmark on an idle machine."
        )

    logged = open_sessions(fresh_sqlite_url(out / "bench.db"))
    storage_url = fresh_sqlite_url(out / "storage.db")
    retrieval_url = fresh_sqlite_url(out / "retrieval.db")
    slot = ModelSlot()

    def engine() -> GgufEngine:
        model = slot.get("gguf", config)  # loaded by the warm-call row; never loads again
        assert isinstance(model, GgufEngine)
        return model

    steps: list[tuple[str, str, Callable[[], Row]]] = [
        ("warm_call", "Warm call", lambda: warm_call(slot, config, logged, sizes)),
        ("decode", "Decode overhead", lambda: decode(engine(), logged, sizes)),
        ("prefix_cache", "Time to first token", lambda: prefix_cache(engine(), logged, sizes)),
        ("concurrency", "Concurrency", lambda: concurrency(engine(), logged, sizes)),
        (
            "storage",
            "Storage",
            lambda: storage(open_sessions(storage_url), storage_url, out, sizes),
        ),
        ("embedder_choice", "Embedding model", lambda: embedder_choice(sizes)),
        (
            "retrieval",
            "Few-shot retrieval",
            lambda: retrieval_cost(engine(), open_sessions(retrieval_url), logged, sizes),
        ),
        ("gpu", "GPU decode", lambda: gpu(options.gpu, sizes)),
        ("shop_model", "Shop's model", lambda: shop_model(sizes, out)),
        ("dashboard", "Dashboard", lambda: dashboard(sizes)),
    ]
    if options.only:
        unknown = set(options.only) - {key for key, _, _ in steps}
        if unknown:
            raise ValueError(f"unknown rows: {', '.join(sorted(unknown))}")
        steps = [step for step in steps if step[0] in options.only]
    try:
        for number, (key, title, measure) in enumerate(steps, 1):
            echo(f"[{number}/{len(steps)}] {title}: measuring…")
            report.rows.append(_measured(key, title, measure))
            echo(format_row(number, len(steps), report.rows[-1]))
    finally:
        slot.unload()
    report.settings["model_loads_in_run"] = slot.load_count
    machine["load_average"] = f"{machine['load_average']} / {load_average()}"
    report.write(json_path, markdown_path)
    if options.update and options.only:
        markdown_path = ROOT / "BENCHMARKS.md"
        earlier = _committed_run(markdown_path)
        merged = earlier.merge(report)
        markdown_path.write_text(merged.to_markdown(), encoding="utf-8")
    echo(f"wrote {_display(json_path)} and {_display(markdown_path)}")
    return report, json_path, markdown_path


def _measured(key: str, title: str, measure: Callable[[], Row]) -> Row:
    start = time.perf_counter()
    try:
        row = measure()
    except Exception as error:  # noqa: BLE001 - one failing row must not hide the others
        row = Row(key=key, title=title, compares="", goal="", status="error")
        row.result = f"error: {type(error).__name__}: {error}"
        row.notes = [line for line in traceback.format_exc().splitlines()[-6:] if line.strip()]
    row.seconds = round(time.perf_counter() - start, 1)
    return row


def format_row(number: int, total: int, row: Row) -> str:
    """One row as the terminal shows it."""
    goal = f"\n      goal: {row.goal} → met: {row.verdict.strip('*')}" if row.goal else ""
    return f"[{number}/{total}] {row.title}: {row.result} ({row.seconds:.0f} s){goal}"


def fresh_sqlite_url(path: Path) -> str:
    """A SQLite URL at `path`, with any database (and WAL files) from an earlier run removed."""
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return f"sqlite:///{path.resolve()}"


def _committed_run(markdown_path: Path) -> Report:
    """The full run BENCHMARKS.md was written from (the JSON file it names)."""
    match = re.search(
        r"in the JSON file written beside this run \(`([^`]+)`\)", markdown_path.read_text()
    )
    if match is None or not (ROOT / match.group(1)).is_file():
        raise FileNotFoundError(
            f"--update needs the JSON file of the run in {markdown_path.name}; run `make bench` first"
        )
    return Report.from_json((ROOT / match.group(1)).read_text(encoding="utf-8"))


def _busy() -> bool:
    return hasattr(os, "getloadavg") and os.getloadavg()[0] > 0.25 * (os.cpu_count() or 1)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


__all__ = ["DEFAULT_OUT", "Options", "Sizes", "run_suite"]

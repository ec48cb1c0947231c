"""Benchmark rows and how they are written: one JSON file and one Markdown table per run."""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

Status = Literal["measured", "skipped", "error"]


@dataclass
class Row:
    """One line of BENCHMARKS.md: what was compared, the headline result, the goal, and all numbers."""

    key: str
    """Stable id used in the JSON (`warm_call`, `decode`…)."""
    title: str
    compares: str
    """What is compared with what, in one sentence."""
    goal: str
    result: str = ""
    """The headline, e.g. '0.9 s vs 6.8 s per call: 7.6× faster'."""
    met: bool | None = None
    """Whether the goal was reached; None when it could not be measured here."""
    status: Status = "measured"
    notes: list[str] = field(default_factory=list)
    """Caveats and evidence that a reader of the table needs."""
    details: dict[str, Any] = field(default_factory=dict)
    """Every measured number, for the JSON file."""
    seconds: float = 0.0
    """How long the row took to measure."""

    def skip(self, reason: str) -> Row:
        """Mark the row as not measured on this machine (no GPU, module missing…)."""
        self.status, self.result, self.met = "skipped", reason, None
        return self

    @property
    def verdict(self) -> str:
        if self.status == "error":
            return "error"
        if self.met is None:
            return "–"
        return "yes" if self.met else "**no**"


@dataclass
class Report:
    """A whole run: the machine it ran on, its settings and its rows."""

    machine: dict[str, Any]
    settings: dict[str, Any]
    rows: list[Row] = field(default_factory=list)

    @classmethod
    def from_json(cls, text: str) -> Report:
        data = json.loads(text)
        return cls(data["machine"], data["settings"], [Row(**row) for row in data["rows"]])

    def merge(self, newer: Report) -> Report:
        """This run with `newer`'s rows in place of its own (or added after them), and a record
        of when they were measured, for `core bench --only … --update`."""
        rows = {row.key: row for row in self.rows}
        rows.update({row.key: row for row in newer.rows})
        updated = [
            *self.settings.get("updated_rows", []),
            {
                "rows": [row.key for row in newer.rows],
                "date": newer.machine.get("date"),
                "commit": newer.machine.get("commit"),
                "load_average": newer.machine.get("load_average"),
                "json": newer.settings.get("json"),
            },
        ]
        return Report(self.machine, {**self.settings, "updated_rows": updated}, list(rows.values()))

    def to_json(self) -> str:
        return json.dumps(
            {
                "machine": self.machine,
                "settings": self.settings,
                "rows": [asdict(r) for r in self.rows],
            },
            indent=2,
            ensure_ascii=False,
            default=str,
        )

    def to_markdown(self) -> str:
        m, s = self.machine, self.settings
        lines = [
            "# Huayu benchmarks",
            "",
            (
                f"Written by `python -m core bench{' --quick' if s.get('quick') else ''}"
                f"{' --gpu' if s.get('gpu') else ''}` on {m.get('date', '?')}"
                f" ({'quick run: fewer repetitions and smaller sizes' if s.get('quick') else 'full run'})."
            ),
            "Do not edit by hand: run `make bench` on an otherwise idle machine and commit the result.",
            *(
                f"Rows {', '.join(u['rows'])} measured again on {u['date']} (commit {u['commit']}, "
                f"load {u['load_average']}) with `python -m core bench --only {','.join(u['rows'])} "
                f"--update`; their numbers are in `{u['json']}`."
                for u in s.get("updated_rows", [])
            ),
            (
                "Every row compares paths measured in the same run, so ratios hold across machines; "
                "absolute times are for the machine below."
            ),
            "",
            "## Machine",
            "",
            "| | |",
            "| --- | --- |",
        ]
        for label, key in MACHINE_FIELDS:
            if m.get(key) not in (None, ""):
                lines.append(f"| {label} | {_cell(m[key])} |")
        lines += [
            "",
            "## Results",
            "",
            "| # | Row | Compared within this run | Result | Goal | Met |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for number, row in enumerate(self.rows, 1):
            lines.append(
                f"| {number} | {row.title} | {_cell(row.compares)} | {_cell(row.result)} | "
                f"{_cell(row.goal)} | {row.verdict} |"
            )
        lines += ["", "## Notes", ""]
        for number, row in enumerate(self.rows, 1):
            lines.append(f"**{number}. {row.title}** ({row.seconds:.0f} s)")
            lines.append("")
            for note in row.notes or ["–"]:
                lines.append(f"- {note}")
            lines.append("")
        lines.append(
            "All numbers, including every repetition, are in the JSON file written beside this run "
            f"(`{s.get('json', 'bench/results/*.json')}`)."
        )
        return "\n".join(lines) + "\n"

    def write(self, json_path: Path, markdown_path: Path) -> None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        markdown_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(self.to_json(), encoding="utf-8")
        markdown_path.write_text(self.to_markdown(), encoding="utf-8")


MACHINE_FIELDS = (
    ("Date (UTC)", "date"),
    ("CPU", "cpu_model"),
    ("Cores", "cores"),
    ("RAM", "ram"),
    ("GPU", "gpu"),
    ("OS", "os"),
    ("Python", "python"),
    ("Libraries", "libraries"),
    ("llama.cpp build", "llama_cpp_build"),
    ("Load average before / after", "load_average"),
    ("Huayu commit", "commit"),
)


def _cell(value: object) -> str:
    """A value safe inside a Markdown table cell."""
    if isinstance(value, dict):
        value = ", ".join(f"{k} {v}" for k, v in value.items())
    return str(value).replace("|", "\\|").replace("\n", " ")


# --- small statistics shared by the rows -------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100), nearest-rank: an observed value, never an interpolation."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def jain_index(values: list[float]) -> float:
    """Jain's fairness index: 1.0 when every value is equal, 1/n when one takes everything."""
    if not values or not any(values):
        return math.nan
    return sum(values) ** 2 / (len(values) * sum(v * v for v in values))


def ms(seconds: float) -> float:
    """Seconds as milliseconds, rounded for reading."""
    return round(seconds * 1000, 2)

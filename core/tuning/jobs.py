"""Training runs in the background, for the training page: one at a time, surviving page reloads.

A run is `python -m core tune` in its own process group, detached from the Streamlit session that
started it, so a reload or a closed browser leaves it running. What the page needs to find it again
lives in the models folder's `.training/`: `job.json` (who started what, the process id and its
start time, which tells a live run from a recycled id), `progress.json` (written by the run) and
`log.txt` (its output).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from core.settings import ROOT

JOB_DIR = ".training"
ENDED = ("done", "cancelled", "failed")
"""How a run that is no longer running ended (`Job.state`)."""


class JobRunning(RuntimeError):
    """A training run is already going; only one runs at a time."""


@dataclass(frozen=True)
class Job:
    """A training run started from the page, and what it has reported."""

    folder: Path
    record: dict[str, Any]

    @property
    def out(self) -> Path:
        return Path(self.record["out"])

    def progress(self) -> dict[str, Any]:
        try:
            return dict(json.loads((self.folder / "progress.json").read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError):
            return {}

    def running(self) -> bool:
        try:
            process = psutil.Process(int(self.record["pid"]))
            alive = process.status() != psutil.STATUS_ZOMBIE
            return alive and abs(process.create_time() - float(self.record["created"])) < 1.0
        except (psutil.Error, KeyError, ValueError):
            return False

    @property
    def state(self) -> str:
        """running, done, cancelled or failed."""
        if self.running():
            return "running"
        if self.record.get("cancelled"):
            return "cancelled"
        return "done" if self.progress().get("stage") == "done" else "failed"

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = (self.folder / "log.txt").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        # Progress bars redraw with carriage returns: keep each line's last state.
        shown = [line.rsplit("\r", 1)[-1] for line in text.splitlines()]
        return "\n".join(shown[-lines:])


def job_folder(models_dir: Path) -> Path:
    return models_dir / JOB_DIR


def current_job(models_dir: Path) -> Job | None:
    """The latest run started from the page, finished or not."""
    folder = job_folder(models_dir)
    try:
        record = json.loads((folder / "job.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    job = Job(folder, record)
    if not job.running():
        _reap(int(record.get("pid", 0)))
    return job


def _reap(pid: int) -> None:
    # A finished child of this process stays a zombie until waited for.
    try:
        os.waitpid(pid, os.WNOHANG)
    except (ChildProcessError, OSError):
        pass


def start_job(models_dir: Path, arguments: list[str], *, out: Path, started_by: str) -> Job:
    """Start `python -m core tune ARGUMENTS --out OUT` in the background."""
    existing = current_job(models_dir)
    if existing is not None and existing.running():
        raise JobRunning(
            f"a training run started by {existing.record.get('started_by')} is still going"
        )
    folder = job_folder(models_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("progress.json", "log.txt"):
        (folder / name).unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "core",
        "tune",
        *arguments,
        "--out",
        str(out),
        "--progress-file",
        str(folder / "progress.json"),
    ]
    with (folder / "log.txt").open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    record = {
        "pid": process.pid,
        "created": psutil.Process(process.pid).create_time(),
        "command": command[3:],
        "out": str(out),
        "started_by": started_by,
        "started_at": time.time(),
    }
    (folder / "job.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return Job(folder, record)


def cancel_job(job: Job) -> None:
    """Stop the run (its whole process group) and remember that it was cancelled."""
    if job.running():
        try:
            os.killpg(int(job.record["pid"]), signal.SIGTERM)
        except ProcessLookupError:
            pass
    record = {**job.record, "cancelled": True}
    (job.folder / "job.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")

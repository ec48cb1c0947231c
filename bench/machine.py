"""What a run ran on: CPU, cores, memory, GPU, library versions, date, commit and machine load."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LIBRARIES = ("llama-cpp-python", "langchain-core", "sqlalchemy", "transformers", "torch")


def machine_info(*, with_gpu: bool) -> dict[str, Any]:
    """A description of this machine for the report; `with_gpu` imports torch to name the GPU."""
    import psutil

    versions = {name: _version(name) for name in LIBRARIES}
    versions["sqlite"] = sqlite3.sqlite_version
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        "cpu_model": cpu_model(),
        "cores": f"{psutil.cpu_count(logical=False)} physical, {psutil.cpu_count()} logical",
        "ram": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "gpu": gpu_name() if with_gpu else "not checked (run with --gpu)",
        "os": platform.platform(),
        "python": platform.python_version(),
        "libraries": versions,
        "llama_cpp_build": llama_cpp_build(),
        "load_average": load_average(),
        "commit": git_commit(),
    }


def cpu_model() -> str:
    """The CPU's marketing name from /proc/cpuinfo (Linux), else what `platform` knows."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def gpu_name() -> str:
    """The CUDA device's name and memory, or 'no GPU'."""
    try:
        import torch
    except ImportError:
        return "no GPU (torch not installed)"
    if not torch.cuda.is_available():
        return "no GPU"
    props = torch.cuda.get_device_properties(0)
    return f"{props.name}, {props.total_memory / 2**30:.0f} GiB, CUDA {torch.version.cuda}"


def llama_cpp_build() -> str:
    """llama.cpp's compiled CPU features (AVX2, OpenMP…), which decide its speed."""
    try:
        import llama_cpp
    except ImportError:
        return "llama-cpp-python not installed"
    info = llama_cpp.llama_print_system_info().decode(errors="replace")
    return " ".join(part.strip() for part in info.split("|") if part.strip().endswith("= 1"))


def load_average() -> str:
    """1-minute load average over the core count: above ~0.2 per core, timings are noisy."""
    if not hasattr(os, "getloadavg"):
        return "unknown"
    return f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"


def git_commit() -> str:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            check=False,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except OSError:
        return "unknown"
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=10,
    ).stdout.strip()
    return result.stdout.strip() + (" (with uncommitted changes)" if dirty else "") or "unknown"


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"

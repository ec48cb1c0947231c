"""`python -m bench.peak_rss REPORT MODULE [ARGS...]`: run `python -m MODULE ARGS...` in this
process, then write its peak resident memory in MiB to the file REPORT.

Why not the kernel's figure for a child (`ru_maxrss` from `wait4`)? On Linux a process keeps the
peak of the address space it replaced at `exec`, so a child started from a large parent (the bench
holds a model) reports the parent's peak. `VmHWM` is the high-water mark of the child's own
address space.
"""

from __future__ import annotations

import resource
import runpy
import sys
from pathlib import Path


def peak_rss_mib() -> float:
    """This process's peak resident memory since its `exec`, in MiB."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # reported in kB
    # No /proc (macOS): the rusage figure, in bytes there.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (2**20 if sys.platform == "darwin" else 1024)


def main() -> None:
    report, module, *args = sys.argv[1:]
    sys.argv = [module, *args]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    finally:  # also when the module exits with SystemExit, as CLIs do
        Path(report).write_text(f"{peak_rss_mib():.1f}\n")


if __name__ == "__main__":
    main()

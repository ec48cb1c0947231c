"""Raw llama.cpp prefill of a second request's unshared tokens, for profiling bench row 3.

    python bench/profiles/prefill_suffix.py [MODEL.gguf]            # time it
    perf record -o prefill.data python bench/profiles/prefill_suffix.py
    perf report -i prefill.data --no-children --sort dso,symbol

No Huayu code runs here: llama-cpp-python evaluates 301 cached prompt tokens once, then the 47
that follow them (what row 3's request B adds to the shared policy prompt) over and over. See
ttft.md beside this file for what it showed.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from llama_cpp import Llama

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core.models.backends.gguf import embedded_model_path, physical_cores

SHARED, UNSHARED, REPETITIONS = 301, 47, 80


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else str(embedded_model_path())
    llama = Llama(model_path=path, n_threads=physical_cores(), n_ctx=2048, verbose=False)
    # Token ids only need to be valid; the cost of a forward pass does not depend on them.
    shared = list(range(1000, 1000 + SHARED))
    unshared = list(range(2000, 2000 + UNSHARED))
    llama.eval(shared)
    timings = []
    for _ in range(REPETITIONS):
        llama.n_tokens = SHARED  # drop the last suffix, keep the shared prefix's KV cache
        start = time.perf_counter()
        llama.eval(unshared)
        timings.append(time.perf_counter() - start)
    median = statistics.median(timings) * 1000
    print(f"{Path(path).name}: {UNSHARED} tokens after {SHARED} cached: {median:.0f} ms")


if __name__ == "__main__":
    main()

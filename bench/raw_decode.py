"""Raw llama-cpp-python decode speed in a fresh process, for settings read once at start-up.

OpenMP (which llama.cpp's CPU backend uses for its threads) reads `OMP_WAIT_POLICY` when the
library loads, so comparing wait policies needs one process each. The decode row runs
`python -m bench.raw_decode` with a JSON job on stdin and reads a JSON result from stdout.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def time_decode(llama: Any, prompt_tokens: list[int], tokens: int) -> tuple[float, int]:
    """llama-cpp-python's own token loop and nothing else (no detokenizing, LangChain or log):
    (tokens/s after the first token, tokens generated), greedy, end-of-turn ignored."""
    llama.reset()  # evaluate the prompt afresh, as a first request would
    count, first = 0, 0.0
    for _token in llama.generate(prompt_tokens, temp=0.0, top_p=1.0, repeat_penalty=1.0):
        count += 1
        if count == 1:
            first = time.perf_counter()
        if count == tokens:
            break
    return (count - 1) / (time.perf_counter() - first), count


def decode_speed(
    model_path: str,
    threads: int,
    n_ctx: int,
    prompt_tokens: list[int],
    tokens: int,
    repetitions: int,
) -> list[float]:
    """`time_decode` speeds of a newly loaded model, once per repetition."""
    from llama_cpp import Llama

    llama = Llama(
        model_path=model_path,
        n_ctx=n_ctx,
        n_threads=threads,
        n_threads_batch=threads,
        verbose=False,
    )
    try:
        return [time_decode(llama, prompt_tokens, tokens)[0] for _ in range(repetitions)]
    finally:
        llama.close()


def in_fresh_process(job: dict[str, Any], env_overrides: dict[str, str]) -> dict[str, Any]:
    """Run `job` (the arguments of `decode_speed`) in a new interpreter with `env_overrides` set."""
    env = {key: value for key, value in os.environ.items() if key not in WAIT_POLICY_VARIABLES}
    env.update(env_overrides)
    result = subprocess.run(
        [sys.executable, "-m", "bench.raw_decode"],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
        check=True,
    )
    return json.loads(result.stdout)


WAIT_POLICY_VARIABLES = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")


def main() -> int:
    job = json.loads(sys.stdin.read())
    speeds = decode_speed(**job)
    print(json.dumps({"tokens_per_s": speeds, "median": statistics.median(speeds)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Row 2: decode speed through Huayu's whole path vs raw llama-cpp-python, best and default threads."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bench.raw_decode import WAIT_POLICY_VARIABLES, in_fresh_process, time_decode
from bench.report import Row, median
from bench.workload import DECODE_MESSAGES, Sizes
from core.drafting.generation import GenerationRun, PreparedPrompt
from core.models.backends import GenerationParams
from core.models.backends.gguf import GgufEngine, physical_cores

Measure = Callable[[], tuple[float, int]]
"""One repetition of one path: (tokens per second after the first token, tokens generated)."""

# OpenMP wait policies compared in fresh processes: the default spins at every barrier, PASSIVE
# sleeps at once (slower on an idle machine, far faster when other processes want the cores).
WAIT_POLICIES: dict[str, dict[str, str]] = {
    "default": {},
    "PASSIVE": {"OMP_WAIT_POLICY": "PASSIVE"},
}


def decode(engine: GgufEngine, sessions: sessionmaker[Session], sizes: Sizes) -> Row:
    """Greedy decoding of the same prompt to the same length on every path, repetitions interleaved."""
    from llama_cpp import Llama

    row = Row(
        key="decode",
        title="Decode overhead",
        compares="tokens/s through Huayu's whole path vs raw llama-cpp-python `generate` at its "
        "best thread count (swept 1…physical cores) and at its defaults",
        goal="≥95% of the raw best",
    )
    n = sizes.decode_tokens
    prompt_tokens = engine.format_prompt(DECODE_MESSAGES)
    paths: dict[str, Measure] = {"huayu": _huayu(engine, sessions, n)}
    raw: dict[int, Any] = {}
    for threads in range(1, physical_cores() + 1):
        raw[threads] = Llama(
            model_path=str(engine.path),
            n_ctx=engine.context_size,
            n_threads=threads,
            n_threads_batch=threads,
            verbose=False,
        )
        paths[f"raw_{threads}_threads"] = _raw(raw[threads], prompt_tokens, n)
    default = Llama(model_path=str(engine.path), verbose=False)
    paths["raw_defaults"] = _raw(default, prompt_tokens, n)
    try:
        runs: dict[str, list[tuple[float, int]]] = {name: [] for name in paths}
        for _ in range(sizes.decode_repetitions):
            for name, measure in paths.items():  # interleaved, so drifting load hits every path
                runs[name].append(measure())
    finally:
        for llama in (*raw.values(), default):
            llama.close()
    job = {
        "model_path": str(engine.path),
        "threads": engine.n_threads,
        "n_ctx": engine.context_size,
        "prompt_tokens": prompt_tokens,
        "tokens": n,
        "repetitions": sizes.decode_repetitions,
    }
    policies = {
        name: round(in_fresh_process(job, env)["median"], 1) for name, env in WAIT_POLICIES.items()
    }

    speed = {name: round(median([r[0] for r in results]), 1) for name, results in runs.items()}
    tokens = {name: sorted({r[1] for r in results}) for name, results in runs.items()}
    best_threads = max(raw, key=lambda t: speed[f"raw_{t}_threads"])
    best = speed[f"raw_{best_threads}_threads"]
    same_threads = speed[f"raw_{engine.n_threads}_threads"] if engine.n_threads in raw else None
    share = speed["huayu"] / best
    default_share = speed["raw_defaults"] / best
    same_length = all(counts == [n] for counts in tokens.values())
    row.met = share >= 0.95 and same_length
    row.result = (
        f"Huayu {speed['huayu']:.1f} tok/s = {share:.0%} of raw best {best:.1f} tok/s "
        f"({best_threads} threads); raw defaults {speed['raw_defaults']:.1f} tok/s "
        f"= {default_share:.0%}"
    )
    row.details = {
        "tokens_per_second_median": speed,
        "tokens_generated": tokens,
        "repetitions": {name: [round(r[0], 1) for r in results] for name, results in runs.items()},
        "huayu_threads": engine.n_threads,
        "best_raw_threads": best_threads,
        "default_threads": default.n_threads,
        "default_n_ctx": 512,
        "prompt_tokens": len(prompt_tokens),
        "huayu_share_of_best": round(share, 3),
        "huayu_share_of_raw_same_threads": (
            round(speed["huayu"] / same_threads, 3) if same_threads else None
        ),
        "defaults_share_of_best": round(default_share, 3),
        "wait_policy_tokens_per_s": policies,
        "wait_policy_env_of_this_run": {k: os.environ.get(k) for k in WAIT_POLICY_VARIABLES},
    }
    thread_note = (
        f"Huayu runs {engine.n_threads} threads (one per physical core); llama-cpp-python's "
        f"default is {default.n_threads} (half the logical CPUs)."
    )
    if same_threads:
        thread_note += (
            f" At the same thread count Huayu reaches {speed['huayu'] / same_threads:.0%} of raw: "
            "the rest of any gap to the best is the thread count, not Huayu's path."
        )
    row.notes = [
        (
            f"Greedy decoding of {n} new tokens after a {len(prompt_tokens)}-token chat prompt, "
            f"median of {sizes.decode_repetitions} interleaved repetitions; speed counts tokens after "
            "the first over the time after the first, the way Huayu reports it under each draft."
        ),
        thread_note,
        "Raw paths ignore the end-of-turn token; Huayu stops at it, so the prompt asks for a long "
        "guide. Token counts per path: "
        + ", ".join(f"{k} {v}" for k, v in tokens.items())
        + ("" if same_length else " — NOT all equal, compare with care."),
        (
            f"OpenMP wait policy, raw at {engine.n_threads} threads in fresh processes: default "
            f"{policies['default']} tok/s, OMP_WAIT_POLICY=PASSIVE {policies['PASSIVE']} tok/s. "
            "llama.cpp's OpenMP threads spin at every barrier by default, fastest on a quiet "
            "machine; when other processes want the cores, decoding on all cores can fall below one "
            "thread, and PASSIVE (sleep at once) holds up better. Trust the thread comparisons "
            "only at a low load average (see Machine)."
        ),
    ]
    return row


def _huayu(engine: GgufEngine, sessions: sessionmaker[Session], n: int) -> Measure:
    prompt = PreparedPrompt(
        task="bench",
        template_id="bench.decode",
        template_version="-",
        inputs={},
        messages=DECODE_MESSAGES,
    )
    params = GenerationParams(temperature=0.0, top_p=1.0, repetition_penalty=1.0, max_new_tokens=n)

    def measure() -> tuple[float, int]:
        outcome = GenerationRun(prompt=prompt, model=engine, params=params, sessions=sessions).run()
        return outcome.tokens_per_second or 0.0, outcome.completion_tokens or 0

    return measure


def _raw(llama: Any, prompt_tokens: list[int], n: int) -> Measure:
    return lambda: time_decode(llama, prompt_tokens, n)

"""Row 3: time to first token of a second request sharing the policy system prompt, KV prefix kept or not."""

from __future__ import annotations

import time

from sqlalchemy.orm import Session, sessionmaker

from bench.report import Row, median
from bench.workload import Sizes, complaint_prompt
from core.drafting.generation import GenerationRun, PreparedPrompt
from core.models.backends import GenerationParams
from core.models.backends.gguf import GgufEngine


def prefix_cache(engine: GgufEngine, sessions: sessionmaker[Session], sizes: Sizes) -> Row:
    """Request A, then request B (another complaint, same template and policy): B's first token."""
    row = Row(
        key="prefix_cache",
        title="Time to first token",
        compares="second request sharing the policy system prompt, with llama.cpp's KV prefix "
        "reuse (Huayu's default) vs without (context reset before it)",
        goal="≤150 ms with the prefix kept",
    )
    params = GenerationParams(max_new_tokens=4, seed=1)
    first, second = complaint_prompt(1), complaint_prompt(2)
    other_tone = complaint_prompt(2, tone="warm")
    shared = _shared_prefix(engine, first, second)
    shared_other_tone = _shared_prefix(engine, first, other_tone)

    def ttft(prompt: PreparedPrompt, *, keep_prefix: bool) -> float:
        GenerationRun(prompt=first, model=engine, params=params, sessions=sessions).run()
        if not keep_prefix:
            forget_kv_cache(engine)
        outcome = GenerationRun(prompt=prompt, model=engine, params=params, sessions=sessions).run()
        assert outcome.ttft_ms is not None
        return outcome.ttft_ms

    with_cache: list[float] = []
    without: list[float] = []
    tone_changed: list[float] = []
    raw: list[float] = []
    for _ in range(sizes.ttft_repetitions):
        with_cache.append(ttft(second, keep_prefix=True))
        without.append(ttft(second, keep_prefix=False))
        tone_changed.append(ttft(other_tone, keep_prefix=True))
        raw.append(raw_ttft(engine, first, second, params))

    kept, reset, engine_alone = median(with_cache), median(without), median(raw)
    unshared = len(engine.format_prompt(second.messages)) - shared
    row.met = kept <= 150
    row.result = (
        f"{kept:.0f} ms with the prefix kept vs {reset:.0f} ms without ({reset / kept:.1f}×); "
        f"raw llama-cpp-python alone takes {engine_alone:.0f} ms for the same first token"
    )
    row.details = {
        "ttft_ms_with_prefix": [round(v, 1) for v in with_cache],
        "ttft_ms_without_prefix": [round(v, 1) for v in without],
        "ttft_ms_other_tone_with_prefix": [round(v, 1) for v in tone_changed],
        "raw_llama_cpp_ttft_ms_with_prefix": [round(v, 1) for v in raw],
        "prompt_tokens": len(engine.format_prompt(second.messages)),
        "shared_prefix_tokens": shared,
        "shared_prefix_tokens_other_tone": shared_other_tone,
    }
    row.notes = [
        (
            f"Request B has {row.details['prompt_tokens']} prompt tokens, {shared} of them shared "
            "with request A (the system prompt with the shop policy); medians of "
            f"{sizes.ttft_repetitions} repetitions, timed by Huayu's own ttft_ms (template, LangChain "
            "and tokenizing included)."
        ),
        (
            f"Where the time goes: llama.cpp evaluates the {unshared} tokens after the shared "
            "prefix (order details, the complaint, the closing instruction) before it can sample; "
            f"raw `Llama.generate` on the same tokens, with the same prefix cached, reaches its "
            f"first token in {engine_alone:.0f} ms ({engine_alone / unshared:.1f} ms per prompt "
            f"token), so Huayu's own share (template, LangChain, tokenizing) is "
            f"{_share(kept - engine_alone)}. A profile of that prefill: bench/profiles/ttft.md."
        ),
        (
            "Prefix reuse is on in the app already: GgufEngine decodes through `Llama.generate`, which "
            "keeps the KV cache of the longest prefix shared with the previous request."
        ),
        (
            f"If B also changes the tone, {shared_other_tone} tokens are still shared (the "
            "templates put the tone after the policy, so that a new tone does not void the cached "
            f"policy): {median(tone_changed):.0f} ms."
        ),
    ]
    return row


def _share(milliseconds: float) -> str:
    # Within a millisecond the two medians are equal: noise, not a negative overhead.
    return f"{milliseconds:.0f} ms" if milliseconds >= 1 else "under 1 ms"


def raw_ttft(
    engine: GgufEngine, first: PreparedPrompt, second: PreparedPrompt, params: GenerationParams
) -> float:
    """Milliseconds from llama-cpp-python's `Llama.generate` on request B's tokens to its first
    token, with request A's prompt in the KV cache: the engine alone, without Huayu around it."""
    a, b = engine.format_prompt(first.messages), engine.format_prompt(second.messages)
    with engine.lock:
        engine.llama.reset()
        engine.llama.eval(a)
        start = time.perf_counter()
        tokens = engine.llama.generate(
            b, temp=params.temperature, top_p=params.top_p, repeat_penalty=params.repetition_penalty
        )
        next(tokens)
        elapsed = time.perf_counter() - start
        tokens.close()
    return elapsed * 1000


def forget_kv_cache(engine: GgufEngine) -> None:
    """Make the next request evaluate its whole prompt, as a fresh llama.cpp context would."""
    with engine.lock:
        engine.llama.reset()


def _shared_prefix(engine: GgufEngine, a: PreparedPrompt, b: PreparedPrompt) -> int:
    shared = 0
    for x, y in zip(engine.format_prompt(a.messages), engine.format_prompt(b.messages)):
        if x != y:
            break
        shared += 1
    return shared

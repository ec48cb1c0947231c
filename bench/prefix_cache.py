"""Row 3: time to first token of a second request sharing the policy system prompt, KV prefix kept or not."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bench.report import Row, median
from bench.workload import Sizes, complaint_prompt
from core.backends import GenerationParams
from core.backends.gguf import GgufEngine
from core.generation import GenerationRun, PreparedPrompt


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
    for _ in range(sizes.ttft_repetitions):
        with_cache.append(ttft(second, keep_prefix=True))
        without.append(ttft(second, keep_prefix=False))
        tone_changed.append(ttft(other_tone, keep_prefix=True))

    kept, reset = median(with_cache), median(without)
    row.met = kept <= 150
    row.result = (
        f"{kept:.0f} ms with the prefix kept vs {reset:.0f} ms without ({reset / kept:.1f}×)"
    )
    row.details = {
        "ttft_ms_with_prefix": [round(v, 1) for v in with_cache],
        "ttft_ms_without_prefix": [round(v, 1) for v in without],
        "ttft_ms_other_tone_with_prefix": [round(v, 1) for v in tone_changed],
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
            "Prefix reuse is on in the app already: GgufEngine decodes through `Llama.generate`, which "
            "keeps the KV cache of the longest prefix shared with the previous request."
        ),
        (
            f"If B uses another tone, only {shared_other_tone} tokens are shared, because the tone "
            f"line comes before the policy in the template: {median(tone_changed):.0f} ms. Putting "
            "the policy before the tone in the system prompt would keep it cached across tones."
        ),
    ]
    return row


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

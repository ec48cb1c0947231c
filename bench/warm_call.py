"""Row 1: a warm call through Huayu's whole path vs the course lesson's reload-every-call LLM."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bench.lesson_custom_llm import CustomLLM
from bench.report import Row, median
from bench.workload import Sizes, complaint_prompt, flat_prompt, without_example
from core.drafting.generation import GenerationRun
from core.models.backends import GenerationParams
from core.models.backends.gguf import GgufConfig
from core.models.model_slot import ModelSlot


def warm_call(
    slot: ModelSlot, config: GgufConfig, sessions: sessionmaker[Session], sizes: Sizes
) -> Row:
    """Same model, same prompt, same max new tokens: per-call time, model loads, and the answers."""
    row = Row(
        key="warm_call",
        title="Warm call",
        compares="Huayu (template → LangChain → GgufEngine from the ModelSlot → log) vs the "
        "lesson's CustomLLM (new Llama per call, n_threads=4)",
        goal="≥3× faster; no model load after the first call",
    )
    # Both paths get the prompt without its example exchange, which the lesson's 512-token
    # context cannot hold (bench.workload.without_example).
    # Call i asks about complaint i on both paths: the same prompts, and, as at the shop, only
    # the system prompt (with the policy) repeats from one call to the next.
    huayu = _huayu_calls(slot, config, sessions, sizes)
    lesson = _lesson_calls(config.model_path, sizes)

    warm_s = median(huayu["warm_call_s"])
    lesson_s = median(lesson["call_s"])
    speedup = lesson_s / warm_s
    warm_ms_per_token = warm_s * 1000 / max(1, median(huayu["warm_tokens"]))
    lesson_ms_per_token = lesson_s * 1000 / max(1, median(lesson["tokens"]))
    row.met = speedup >= 3 and huayu["load_count"] == 1
    row.result = (
        f"{warm_s:.2f} s vs {lesson_s:.2f} s per call: {speedup:.1f}× faster; "
        f"ModelSlot.load_count {huayu['load_count']} after {len(huayu['call_s'])} calls"
    )
    row.details = {
        "huayu": huayu,
        "lesson": lesson,
        "speedup_per_call": round(speedup, 2),
        "ms_per_generated_token": {
            "huayu_warm": round(warm_ms_per_token, 1),
            "lesson": round(lesson_ms_per_token, 1),
            "speedup": round(lesson_ms_per_token / warm_ms_per_token, 2),
        },
    }
    sample = lesson["sample"]
    row.notes = [
        (
            f"Huayu's first call, which loads the model, took {huayu['call_s'][0]:.2f} s; "
            f"the lesson loads it on every call ({median(lesson['load_s']):.2f} s per load measured "
            "separately) and runs 4 threads whatever the machine has."
        ),
        (
            f"Per generated token: {warm_ms_per_token:.1f} ms (Huayu) vs {lesson_ms_per_token:.1f} ms "
            f"(lesson); Huayu's replies had {median(huayu['warm_tokens']):.0f} tokens (median), the "
            f"lesson's {median(lesson['tokens']):.0f} (last finish reason "
            f"'{lesson['finish_reason']}'; llama-cpp-python shortens its max_tokens to fit its "
            "default 512-token context)."
        ),
        (
            f"The lesson's answers are corrupted: it cut {sample['chars_cut']} characters off a "
            f"{sample['completion_chars']}-character completion and returned "
            f"{sample['returned_chars']} characters ({sample['verdict']}). Sample in the JSON."
        ),
    ]
    return row


def _huayu_calls(
    slot: ModelSlot, config: GgufConfig, sessions: sessionmaker[Session], sizes: Sizes
) -> dict[str, Any]:
    """One cold call (loads through the slot) then warm ones; each asks the slot, as a page does."""
    call_s: list[float] = []
    tokens: list[int] = []
    loads_before = slot.load_count
    for call in range(1 + sizes.huayu_warm_calls):
        params = GenerationParams(max_new_tokens=sizes.lesson_max_tokens, seed=call)
        prompt = without_example(complaint_prompt(call))
        start = time.perf_counter()
        model = slot.get("gguf", config)
        outcome = GenerationRun(prompt=prompt, model=model, params=params, sessions=sessions).run()
        call_s.append(time.perf_counter() - start)
        tokens.append(outcome.completion_tokens or 0)
    return {
        "call_s": [round(s, 3) for s in call_s],
        "warm_call_s": [round(s, 3) for s in call_s[1:]],
        "tokens": tokens,
        "warm_tokens": tokens[1:],
        "load_count": slot.load_count - loads_before,
        "params": {
            "max_new_tokens": sizes.lesson_max_tokens,
            "temperature": 0.3,
            "seed": "call index",
        },
        "sample_reply": outcome.text,
    }


def _lesson_calls(model_path: str, sizes: Sizes) -> dict[str, Any]:
    """Calls through LangChain's `invoke`, as the lesson's chain did, plus what one load costs."""
    from llama_cpp import Llama

    llm = CustomLLM(model_path=model_path, max_tokens=sizes.lesson_max_tokens)
    call_s: list[float] = []
    tokens: list[int] = []
    returned = prompt = ""
    for call in range(1, 1 + sizes.lesson_calls):  # the prompts of Huayu's warm calls
        prompt = flat_prompt(without_example(complaint_prompt(call)))
        start = time.perf_counter()
        returned = llm.invoke(prompt)
        call_s.append(time.perf_counter() - start)
        assert llm.last_completion is not None
        tokens.append(llm.last_completion["usage"]["completion_tokens"])
    load_s: list[float] = []
    for _ in range(3):
        start = time.perf_counter()
        Llama(model_path=model_path, n_threads=4, verbose=False).close()
        load_s.append(time.perf_counter() - start)
    completion = llm.last_completion
    assert completion is not None
    return {
        "call_s": [round(s, 3) for s in call_s],
        "tokens": tokens,
        "load_s": [round(s, 3) for s in load_s],
        "n_threads": llm.n_threads,
        "max_tokens_asked": sizes.lesson_max_tokens,
        "prompt_tokens": completion["usage"]["prompt_tokens"],
        "finish_reason": completion["choices"][0]["finish_reason"],
        "sample": corruption_sample(prompt, completion["choices"][0]["text"], returned),
    }


def corruption_sample(prompt: str, completion: str, returned: str) -> dict[str, Any]:
    """What the lesson's `[len(prompt) + 5:]` cut did to one real completion."""
    cut = len(prompt) + 5
    if not returned:
        verdict = "the whole answer was thrown away"
    elif returned != completion.strip():
        verdict = f"the first {len(completion) - len(returned)} characters of the answer were lost"
    else:
        verdict = "intact"
    echoed = f"Q: {prompt} A: {completion}"
    return {
        "prompt_chars": len(prompt),
        "chars_cut": cut,
        "completion_chars": len(completion),
        "returned_chars": len(returned),
        "verdict": verdict,
        "completion_head": completion[:300],
        "returned_head": returned[:300],
        # What the cut would have given had the lesson passed echo=True: still two characters short.
        "with_echo_true_would_return_head": echoed[cut:][:80],
    }

"""Row 9: the shop's own model — training throughput on this machine, and decode speed of the bare
model, the model with its LoRA adapter applied by llama.cpp, and the adapter merged into a Q8_0 file."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from bench.raw_decode import time_decode
from bench.report import Row, median
from bench.workload import DECODE_MESSAGES, Sizes
from core.models.backends.gguf import GgufConfig, GgufEngine, physical_cores
from core.models.tuned import SHIPPED_DIR, TunedModel, read_tuned

GOAL_SHARE = 0.9


def _training_throughput(tuned: TunedModel, sizes: Sizes, models_dir: Path) -> dict[str, Any]:
    from core.tuning import dataset
    from core.tuning.trainer import TrainSettings, train

    data = dataset.build(
        None,
        "starter",
        shop_name="Huayu Flowers",
        languages=frozenset({"en"}),
        limit=sizes.tune_examples,
    )
    with tempfile.TemporaryDirectory(prefix="huayu-bench-tune-") as work:
        result = train(
            data, tuned.base_path, Path(work), TrainSettings(epochs=1), models_dir=models_dir
        )
    return {
        "examples": len(data.train),
        "steps": result.steps,
        "seconds": result.seconds,
        "tokens": result.train_tokens,
        "tokens_per_second": round(result.tokens_per_second, 1),
        "base_checkpoint": result.base_checkpoint,
    }


COMPLAINT = [
    {"role": "system", "content": "You answer customers of a flower shop in one or two sentences."},
    {"role": "user", "content": "My peonies arrived late and the stems were broken."},
]


def engine_prompts(model_path: Path, *chats: list[dict[str, str]]) -> list[list[int]]:
    """Each chat in the model's chat template, as Huayu's engine sends it (one model load)."""
    engine = GgufEngine(GgufConfig(model_path=str(model_path)))
    try:
        return [engine.format_prompt(messages) for messages in chats]
    finally:
        engine.close()


def _greedy_tokens(llama: Any, prompt: list[int], count: int) -> list[int]:
    """Up to `count` greedy tokens, stopping at the end of the turn."""
    from llama_cpp import llama_cpp as lib

    llama.reset()
    tokens: list[int] = []
    for token in llama.generate(prompt, temp=0.0, top_p=1.0, repeat_penalty=1.0):
        if lib.llama_vocab_is_eog(llama._model.vocab, token) or len(tokens) == count:
            break
        tokens.append(token)
    return tokens


def shop_model(sizes: Sizes, out: Path, tuned: TunedModel | None = None) -> Row:
    """Train briefly, merge, then time greedy decoding on the three paths, interleaved."""
    from llama_cpp import Llama

    from core.tuning.convert import merged_gguf

    row = Row(
        key="shop_model",
        title="Shop's model",
        compares="training tokens/s of a LoRA (r=16) on this CPU; decode tokens/s of the bare "
        "model vs the same model with the shop's LoRA adapter (llama.cpp `lora_path`) vs the "
        "adapter merged into a Q8_0 GGUF",
        goal=f"the shop's model decodes at ≥{GOAL_SHARE:.0%} of the bare model's tok/s",
    )
    tuned = tuned or read_tuned(SHIPPED_DIR)
    if tuned is None:
        return row.skip("no tuned model (make shop-model trains the one Huayu ships)")
    training = _training_throughput(tuned, sizes, out / "models")
    checkpoint = training.pop("base_checkpoint")
    # Merging needs the PEFT files, which `core tune` keeps beside the adapter (the shipped model
    # leaves them out of git: retrain it with `make shop-model` to measure this path).
    peft = tuned.folder / "peft"
    merged_path = merged_gguf(peft, checkpoint, out / "merged-q8_0.gguf") if peft.is_dir() else None
    threads = physical_cores()
    prompt, complaint = engine_prompts(tuned.base_path, DECODE_MESSAGES, COMPLAINT)
    common = {"n_ctx": 2048, "n_threads": threads, "n_threads_batch": threads, "verbose": False}
    models = {
        "bare": Llama(model_path=str(tuned.base_path), **common),
        "adapter": Llama(
            model_path=str(tuned.base_path), lora_path=str(tuned.adapter_path), **common
        ),
    }
    if merged_path is not None:
        models["merged_q8_0"] = Llama(model_path=str(merged_path), **common)
    try:
        runs: dict[str, list[float]] = {name: [] for name in models}
        for _ in range(sizes.decode_repetitions):
            for name, llama in models.items():  # interleaved, so drifting load hits every path
                runs[name].append(time_decode(llama, prompt, sizes.decode_tokens)[0])
        replies = {
            name: llama.detokenize(_greedy_tokens(llama, complaint, 48)).decode("utf-8", "replace")
            for name, llama in models.items()
        }
    finally:
        for llama in models.values():
            llama.close()
    speed = {name: round(median(values), 1) for name, values in runs.items()}
    shares = {name: round(speed[name] / speed["bare"], 3) for name in models if name != "bare"}
    best = max(shares, key=shares.__getitem__)
    row.met = shares[best] >= GOAL_SHARE
    merged_result = (
        f", merged Q8_0 {speed['merged_q8_0']:.1f} tok/s ({shares['merged_q8_0']:.0%})"
        if merged_path is not None
        else "; merged Q8_0 not measured (no PEFT files beside the adapter)"
    )
    row.result = (
        f"training {training['tokens_per_second']:.0f} tokens/s; decode bare {speed['bare']:.1f}, "
        f"adapter {speed['adapter']:.1f} tok/s ({shares['adapter']:.0%}){merged_result}"
    )
    row.details = {
        "training": training,
        "tokens_per_second_median": speed,
        "repetitions": {name: [round(v, 1) for v in values] for name, values in runs.items()},
        "share_of_bare": shares,
        "greedy_replies": replies,
        "adapter_bytes": tuned.adapter_path.stat().st_size,
        "merged_bytes": merged_path.stat().st_size if merged_path is not None else None,
        "tuned_model": tuned.name,
    }
    row.notes = [
        (
            f"Training: one epoch over {training['examples']} starter-pack examples (prompt and "
            f"reply up to 768 tokens, batch 4, LoRA r=16 on every linear layer), "
            f"{training['steps']} steps in {training['seconds']} s, counting every token the model "
            "reads. The full run's own throughput is in the tuned model's manifest.json."
        ),
        (
            f"Decode: greedy, {sizes.decode_tokens} new tokens after the decode row's prompt, "
            f"median of {sizes.decode_repetitions} interleaved repetitions, {threads} threads each. "
            "The adapter adds two small matrix products per layer to every token."
        ),
        (
            f"Greedy reply to a short complaint, adapter: “{replies['adapter'][:120]}”; bare: "
            f"“{replies['bare'][:120]}”."
        ),
    ]
    if merged_path is not None:
        same = replies["adapter"] == replies["merged_q8_0"]
        ratio = merged_path.stat().st_size / tuned.base_path.stat().st_size
        row.details["merged_reply_same_as_adapter"] = same
        row.notes.append(
            f"Merged: the adapter folded into the weights, written as Q8_0 ({ratio:.1f}× the Q4_1 "
            "file's bytes, read once per token); its greedy reply is "
            + ("the adapter's, word for word." if same else "not the adapter's.")
        )
    row.notes.append(f"Faster path for the shop's model here: {best.replace('_', ' ')}.")
    return row

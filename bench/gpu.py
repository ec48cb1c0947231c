"""Row 6 (`--gpu`): transformers decoding of a Llama-2-7B shape vs eager `generate` and the bandwidth limit.

Decode speed does not depend on the weights, so the model is built from a config with random
weights: nothing is downloaded. At batch 1 a decode step reads every weight once, so no decoder can
beat (memory bandwidth ÷ weight bytes) tokens per second; the row reports how close each path gets.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from bench.report import Row
from bench.workload import Sizes

# Llama-2-7B's shape (meta-llama/Llama-2-7b-hf config.json).
LLAMA2_7B: dict[str, Any] = {
    "hidden_size": 4096,
    "intermediate_size": 11008,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 32,
    "vocab_size": 32000,
    "max_position_embeddings": 4096,
}
PROMPT_TOKENS = 32
BATCHES = (1, 4)


class TokenClock:
    """A `generate` streamer that only notes when each step's tokens reach the host."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def put(self, value: Any) -> None:
        # generate hands over tokens already copied to the CPU, so the device has finished the step.
        self.times.append(time.perf_counter())

    def end(self) -> None:
        pass


def gpu(enabled: bool, sizes: Sizes) -> Row:
    row = Row(
        key="gpu",
        title="GPU decode",
        compares="Huayu's transformers path (static KV cache + torch.compile) on a Llama-2-7B "
        "shape, bf16, batch 1 and 4 variants, vs plain eager `generate` and vs the "
        "memory-bandwidth limit",
        goal="≥80% of the bandwidth limit at batch 1; 4 variants ≤1.3× the time of one",
    )
    try:
        import torch
    except ImportError:
        return row.skip("no GPU (torch not installed)")
    if not torch.cuda.is_available():
        row.notes = ["Run `python -m core bench --gpu` on a machine with an NVIDIA GPU."]
        return row.skip("no GPU")
    if not enabled:
        row.notes = ["A GPU is present: run with `--gpu` to measure this row."]
        return row.skip("skipped (run with --gpu)")
    from transformers import LlamaConfig

    numbers = measure_hf_decode(
        LlamaConfig(**LLAMA2_7B),
        device="cuda",
        dtype=torch.bfloat16,
        new_tokens=sizes.gpu_new_tokens,
        repetitions=sizes.gpu_repetitions,
    )
    fast, eager = numbers["paths"]["static_compiled"], numbers["paths"]["eager"]
    limit = numbers["limit_tokens_per_s"]
    share = fast["1"]["tokens_per_s"] / limit
    variants = fast["4"]["total_s"] / fast["1"]["total_s"]
    row.met = share >= 0.8 and variants <= 1.3
    row.result = (
        f"batch 1: {fast['1']['tokens_per_s']:.0f} tok/s = {share:.0%} of the "
        f"{limit:.0f} tok/s limit (eager {eager['1']['tokens_per_s']:.0f} tok/s = "
        f"{eager['1']['tokens_per_s'] / limit:.0%}); 4 variants {variants:.2f}× the time of one"
    )
    row.details = numbers
    row.notes = [
        (
            f"{numbers['device']}; copy bandwidth {numbers['copy_bandwidth_gb_s']:.0f} GB/s measured "
            f"with a {numbers['copy_bytes'] / 2**30:.0f} GiB device-to-device copy (read + write); "
            f"{numbers['bytes_per_step'] / 1e9:.2f} GB of weights read per decode step (all "
            "parameters but the input embedding, which is a lookup)."
        ),
        (
            f"{PROMPT_TOKENS}-token prompt, {sizes.gpu_new_tokens} new tokens, greedy, median of "
            f"{sizes.gpu_repetitions} after a warm-up (compilation) run; tok/s per sequence over the "
            "steps after the first token."
        ),
        (
            "Huayu's `hf` backend is not on this branch yet: the measured path is the transformers "
            "recipe it is to use (`bench.gpu.static_compiled_generate`); repoint it to the backend "
            "once merged."
        ),
    ]
    return row


def measure_hf_decode(
    config: Any,
    *,
    device: str,
    dtype: Any,
    new_tokens: int,
    repetitions: int,
    compile_backend: str = "inductor",
    copy_bytes: int = 2 * 2**30,
) -> dict[str, Any]:
    """Bandwidth, the model's bytes per step, and decode speed of both paths at batch 1 and 4."""
    import torch

    bandwidth = copy_bandwidth(device, copy_bytes)
    model = build_random_model(config, device, dtype)
    per_step = bytes_per_decode_step(model)
    limit = bandwidth / per_step
    paths: dict[str, dict[str, dict[str, float]]] = {"eager": {}, "static_compiled": {}}
    for batch in BATCHES:
        input_ids = torch.randint(
            3, config.vocab_size, (batch, PROMPT_TOKENS), device=device, dtype=torch.long
        )
        for name, results in paths.items():
            runs = [
                _timed_generate(name, model, input_ids, new_tokens, compile_backend)
                for _ in range(1 + repetitions)
            ][1:]  # the first run compiles (static path) or warms up allocators (eager)
            results[str(batch)] = {
                "total_s": round(statistics.median(r[0] for r in runs), 4),
                "tokens_per_s": round(statistics.median(r[1] for r in runs), 2),
                "first_token_s": round(statistics.median(r[2] for r in runs), 4),
            }
    device_name = torch.cuda.get_device_name(0) if device == "cuda" else device
    del model
    if device == "cuda":
        torch.cuda.empty_cache()
    return {
        "device": device_name,
        "dtype": str(dtype),
        "config": {k: getattr(config, k) for k in LLAMA2_7B},
        "copy_bytes": copy_bytes,
        "copy_bandwidth_gb_s": round(bandwidth / 1e9, 1),
        "bytes_per_step": per_step,
        "limit_tokens_per_s": round(limit, 1),
        "prompt_tokens": PROMPT_TOKENS,
        "new_tokens": new_tokens,
        "paths": paths,
    }


def _timed_generate(
    path: str, model: Any, input_ids: Any, new_tokens: int, compile_backend: str
) -> tuple[float, float, float]:
    """(total seconds, decode tokens/s per sequence, seconds to the first token) of one generate."""
    clock = TokenClock()
    start = time.perf_counter()
    if path == "eager":
        output = eager_generate(model, input_ids, new_tokens, clock)
    else:
        output = static_compiled_generate(model, input_ids, new_tokens, clock, compile_backend)
    total = time.perf_counter() - start
    assert output.shape[1] == input_ids.shape[1] + new_tokens
    # times[0] is the prompt, times[1] the first new token, times[-1] the last.
    decode_s = clock.times[-1] - clock.times[1]
    return total, (new_tokens - 1) / decode_s, clock.times[1] - start


def eager_generate(model: Any, input_ids: Any, new_tokens: int, streamer: Any) -> Any:
    """Plain `generate`: dynamic KV cache, no compilation (the lesson's way, minus sampling)."""
    return model.generate(
        input_ids,
        do_sample=False,
        max_new_tokens=new_tokens,
        min_new_tokens=new_tokens,
        pad_token_id=0,
        disable_compile=True,
        streamer=streamer,
    )


def static_compiled_generate(
    model: Any, input_ids: Any, new_tokens: int, streamer: Any, compile_backend: str = "inductor"
) -> Any:
    """`generate` with a static KV cache, so the decode step has fixed shapes and is compiled.

    transformers compiles the forward itself when the cache is static and a `compile_config` is
    given ("reduce-overhead" also captures CUDA graphs, removing per-kernel launch cost).
    """
    from transformers import CompileConfig

    if compile_backend == "inductor":
        compile_config = CompileConfig(fullgraph=True, mode="reduce-overhead")
    else:  # e.g. "eager" in tests: traces the same path without generating kernels
        compile_config = CompileConfig(fullgraph=True, backend=compile_backend, mode=None)
    if input_ids.device.type != "cuda":
        # transformers only auto-compiles on accelerators unless told to (tests run on the CPU).
        compile_config._compile_all_devices = True
    return model.generate(
        input_ids,
        do_sample=False,
        max_new_tokens=new_tokens,
        min_new_tokens=new_tokens,
        pad_token_id=0,
        cache_implementation="static",
        compile_config=compile_config,
        streamer=streamer,
    )


def build_random_model(config: Any, device: str, dtype: Any) -> Any:
    """A causal LM from `config` with random weights, made directly on `device`."""
    import torch
    from transformers import AutoModelForCausalLM

    with torch.device(device):
        model = AutoModelForCausalLM.from_config(config, dtype=dtype)
    return model.eval()


def bytes_per_decode_step(model: Any) -> int:
    """Weight bytes a batch-1 decode step reads: every parameter except the input embedding table."""
    embedding = model.get_input_embeddings().weight
    tied = embedding is model.get_output_embeddings().weight
    total = sum(p.numel() * p.element_size() for p in model.parameters())
    return total if tied else total - embedding.numel() * embedding.element_size()


def copy_bandwidth(device: str, nbytes: int, repetitions: int = 10) -> float:
    """Bytes per second moved by a large device-to-device copy, counting the read and the write."""
    import torch

    source = torch.empty(nbytes, dtype=torch.uint8, device=device)
    target = torch.empty_like(source)

    def sync() -> None:
        if device == "cuda":
            torch.cuda.synchronize()

    target.copy_(source)
    sync()
    start = time.perf_counter()
    for _ in range(repetitions):
        target.copy_(source)
    sync()
    elapsed = time.perf_counter() - start
    del source, target
    return 2 * nbytes * repetitions / elapsed

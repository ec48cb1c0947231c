"""Recommended models: which to download for which languages, and whether each suits this computer.

Sizes are the files' sizes on the Hub, rounded; a download is checked against the Hub's own size
and sha256, never against these. The architecture numbers give the KV cache each needs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.models.model_files import Architecture, MemoryEstimate, ModelFile, estimate_memory

MB = 1000**2


@dataclass(frozen=True)
class RecommendedModel:
    """A GGUF file on the Hub that Huayu recommends, with what it is good for."""

    name: str
    repo_id: str
    filename: str
    languages: frozenset[str]
    size_bytes: int
    """The file's size on the Hub, rounded (for fitting it in memory before downloading)."""
    architecture: Architecture
    licence: str

    def as_model_file(self, models_dir: Path) -> ModelFile:
        """The file as it will lie in the models folder, for the memory estimate."""
        return ModelFile(
            path=models_dir / self.repo_id.replace("/", "--") / self.filename,
            kind="gguf",
            size_bytes=self.size_bytes,
            architecture=self.architecture,
        )


def _qwen(size: str, megabytes: int, layers: int, kv_heads: int, licence: str) -> RecommendedModel:
    return RecommendedModel(
        name=f"Qwen2.5-{size} Instruct (Q4_K_M)",
        repo_id=f"Qwen/Qwen2.5-{size}-Instruct-GGUF",
        filename=f"qwen2.5-{size.lower()}-instruct-q4_k_m.gguf",
        languages=frozenset({"en", "zh"}),
        size_bytes=megabytes * MB,
        architecture=Architecture(
            layers=layers, kv_heads=kv_heads, head_dim=64 if size == "0.5B" else 128, context_length=32768
        ),
        licence=licence,
    )


RECOMMENDED: tuple[RecommendedModel, ...] = (
    _qwen("0.5B", 491, 24, 2, "Apache-2.0"),
    _qwen("1.5B", 1117, 28, 2, "Apache-2.0"),
    _qwen("3B", 2105, 36, 2, "Qwen Research (non-commercial)"),
    RecommendedModel(
        name="Qwen2.5-7B Instruct (Q4_K_M)",
        # Qwen's own repository splits the 7B file in two; this single file is the same model.
        repo_id="bartowski/Qwen2.5-7B-Instruct-GGUF",
        filename="Qwen2.5-7B-Instruct-Q4_K_M.gguf",
        languages=frozenset({"en", "zh"}),
        size_bytes=4683 * MB,
        architecture=Architecture(layers=28, kv_heads=4, head_dim=128, context_length=32768),
        licence="Apache-2.0",
    ),
    RecommendedModel(
        name="SmolLM2-1.7B Instruct (Q4_K_M)",
        repo_id="HuggingFaceTB/SmolLM2-1.7B-Instruct-GGUF",
        filename="smollm2-1.7b-instruct-q4_k_m.gguf",
        languages=frozenset({"en"}),
        size_bytes=1056 * MB,
        architecture=Architecture(layers=24, kv_heads=32, head_dim=64, context_length=8192),
        licence="Apache-2.0",
    ),
)

# llama.cpp decodes by reading every weight once per token; on a CPU it reaches about half the
# copy bandwidth numpy measures (the embedded model, all overhead, reaches a third: see
# BENCHMARKS.md), so speeds are estimates, shown as such.
DECODE_EFFICIENCY = 0.5


@cache
def memory_bandwidth() -> float:
    """Bytes per second this computer copies through memory (best of five 64 MiB copies)."""
    import numpy as np

    source = np.ones(8 * 1024 * 1024)  # 64 MiB of float64
    target = np.empty_like(source)
    best = 0.0
    for _ in range(5):
        start = time.perf_counter()
        np.copyto(target, source)
        elapsed = time.perf_counter() - start
        best = max(best, 2 * source.nbytes / elapsed)  # read once, write once
    return best


def estimated_decode_speed(model: RecommendedModel, bandwidth: float | None = None) -> float:
    """Tokens per second this computer would decode `model` at on the CPU, roughly."""
    return DECODE_EFFICIENCY * (bandwidth or memory_bandwidth()) / model.size_bytes


def fit(model: RecommendedModel, models_dir: Path, context: int = 4096) -> MemoryEstimate:
    """Memory the model needs on the gguf backend with `context` tokens, against free RAM."""
    return estimate_memory(model.as_model_file(models_dir), backend="gguf", context=context)


FIT_STATES = ("yes", "tight", "no")


def fit_state(estimate: MemoryEstimate) -> str:
    """"yes", "tight" (fits, but only just) or "no", for the recommended-models table."""
    if not estimate.fits:
        return "no"
    return "tight" if estimate.tight else "yes"


def downloaded(model: RecommendedModel, models_dir: Path) -> Path | None:
    """The model's file in the models folder, once it is there whole."""
    path = model.as_model_file(models_dir).path
    return path if path.is_file() and path.stat().st_size > 0 else None

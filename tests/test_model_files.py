"""The models folder listing, GGUF header reading, memory estimates and the hardware report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from core.models.backends.gguf import embedded_model_path
from core.models.hardware import format_bytes, hardware_report, library_versions
from core.models.model_files import (
    OVERHEAD_BYTES,
    describe,
    estimate_memory,
    list_models,
    read_gguf_metadata,
)


@pytest.fixture
def models_dir(tmp_path: Path) -> Path:
    """A folder like a shop's: a GGUF, an old GGML file, a broken download, a transformers model."""
    (tmp_path / "smollm2.gguf").symlink_to(embedded_model_path())
    (tmp_path / "llama-2-7b-chat.ggmlv3.q4_0.bin").write_bytes(b"tjgg" + bytes(64))
    (tmp_path / "half.gguf").write_bytes(embedded_model_path().read_bytes()[:4096])
    (tmp_path / "notes.txt").write_text("not a model")
    model = tmp_path / "Qwen--tiny" / "tiny-qwen"
    model.mkdir(parents=True)
    config = {
        "model_type": "qwen2", "num_hidden_layers": 4, "num_attention_heads": 8, "num_key_value_heads": 2,
        "hidden_size": 256, "max_position_embeddings": 32768, "torch_dtype": "bfloat16",
    }
    (model / "config.json").write_text(json.dumps(config))
    save_file({"w": torch.zeros(1000, 100, dtype=torch.bfloat16), "b": torch.zeros(24, dtype=torch.bfloat16)}, model / "model.safetensors")
    (tmp_path / ".cache").mkdir()  # huggingface_hub's bookkeeping is not a model
    return tmp_path


def test_a_header_claiming_a_huge_string_is_corrupt_not_a_memory_error(tmp_path):
    # version 3, no tensors, one key whose length field says 2**60 bytes
    garbage = tmp_path / "garbage.gguf"
    garbage.write_bytes(b"GGUF" + (3).to_bytes(4, "little") + bytes(8) + (1).to_bytes(8, "little") + (2**60).to_bytes(8, "little"))
    model = describe(garbage)
    assert model.kind == "broken" and "corrupt" in model.problem and "Download it again" in model.problem


def test_listing_finds_models_and_says_why_some_cannot_load(models_dir):
    found = {model.name: model for model in list_models(models_dir)}
    assert set(found) == {"smollm2.gguf", "llama-2-7b-chat.ggmlv3.q4_0.bin", "half.gguf", "tiny-qwen"}
    assert found["smollm2.gguf"].kind == "gguf" and found["smollm2.gguf"].problem is None
    legacy = found["llama-2-7b-chat.ggmlv3.q4_0.bin"]
    assert legacy.kind == "ggml" and "GGUF version" in legacy.problem
    assert found["half.gguf"].kind == "broken" and "Download it again" in found["half.gguf"].problem
    assert found["tiny-qwen"].kind == "transformers"
    assert list_models(models_dir / "missing") == []


def test_gguf_header_gives_the_architecture_quickly():
    metadata, elements = read_gguf_metadata(embedded_model_path())
    assert metadata["general.architecture"] == "llama"
    assert metadata["llama.block_count"] == 30 and metadata["llama.context_length"] == 8192
    assert metadata["tokenizer.ggml.tokens"] == 49152  # long arrays are kept as their length
    assert 134_000_000 < elements < 135_000_000  # SmolLM2-135M
    arch = describe(embedded_model_path()).architecture
    assert (arch.layers, arch.kv_heads, arch.head_dim) == (30, 3, 64)


def test_memory_estimate_is_weights_plus_kv_cache(models_dir):
    gguf = describe(models_dir / "smollm2.gguf")
    on_llama = estimate_memory(gguf, backend="gguf", context=4096, free_bytes=16 * 2**30)
    assert on_llama.weights_bytes == gguf.size_bytes  # quantized file, mapped as is
    assert on_llama.kv_cache_bytes == 2 * 30 * 4096 * 3 * 64 * 2  # K and V, f16
    assert on_llama.total_bytes == on_llama.weights_bytes + on_llama.kv_cache_bytes + OVERHEAD_BYTES
    assert on_llama.fits and not on_llama.tight
    on_transformers = estimate_memory(gguf, backend="hf", context=4096, device="cpu", free_bytes=16 * 2**30)
    assert on_transformers.weights_bytes == gguf.architecture.parameters * 4  # dequantized to float32
    assert any("dequantizes" in note for note in on_transformers.notes)
    qwen = describe(models_dir / "Qwen--tiny" / "tiny-qwen")
    on_gpu = estimate_memory(qwen, backend="hf", context=1000, device="cuda", free_bytes=2**40)
    assert on_gpu.weights_bytes == 100_024 * 2  # bfloat16 on CUDA, from the safetensors header
    assert on_gpu.kv_cache_bytes == 2 * 4 * 1000 * 2 * 32 * 2
    assert any("32768" in note for note in estimate_memory(qwen, backend="hf", context=40000, free_bytes=2**40).notes)


def test_too_big_and_tight_are_told_apart(models_dir):
    gguf = describe(models_dir / "smollm2.gguf")
    needed = estimate_memory(gguf, backend="gguf", context=2048, free_bytes=2**40).total_bytes
    assert not estimate_memory(gguf, backend="gguf", context=2048, free_bytes=needed - 1).fits
    tight = estimate_memory(gguf, backend="gguf", context=2048, free_bytes=int(needed * 1.1))
    assert tight.fits and tight.tight


def test_hardware_report_answers_do_i_have_a_gpu():
    report = hardware_report()
    assert report.logical_cores >= report.physical_cores >= 1
    assert 0 < report.ram_available_bytes <= report.ram_total_bytes
    assert report.cuda_available == bool(report.gpus) == torch.cuda.is_available()
    versions = library_versions()
    assert versions["torch"].startswith("2.13.0") and versions["llama-cpp-python"]
    assert set(versions) >= {"torch", "transformers", "llama-cpp-python", "langchain-core", "streamlit"}
    assert format_bytes(1536) == "1.5 KiB" and format_bytes(3 * 2**30) == "3.0 GiB"

"""The models folder: which model files are there, what they are, and how much memory they need.

GGUF headers are read here directly (a few dozen lines of struct parsing) because the `gguf`
package's reader decodes every vocabulary entry and takes seconds per file; we only need the
architecture numbers and the tensor shapes.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

from core.models.backends.base import ModelError
from core.models.backends.gguf import GGUF_MAGIC, LEGACY_GGML_MAGICS, check_gguf_file
from core.models.tuned import MANIFEST

ModelKind = Literal["gguf", "ggml", "transformers", "broken"]

DTYPE_BYTES = {"float32": 4, "bfloat16": 2, "float16": 2}
# llama.cpp keeps its KV cache in float16 unless told otherwise.
GGUF_KV_BYTES = 2
# Scratch buffers, the tokenizer and the runtime itself, on top of weights and KV cache.
OVERHEAD_BYTES = 150 * 1024**2

_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9


@dataclass(frozen=True)
class Architecture:
    """The numbers that decide a model's KV cache size and its trained context."""

    layers: int
    kv_heads: int
    head_dim: int
    context_length: int | None
    parameters: int | None = None
    """Total weights (elements), when known."""
    stored_dtype: str | None = None
    """The dtype of a transformers checkpoint's weights, from config.json."""
    encoder_decoder: bool = False

    def kv_cache_bytes(self, context: int, bytes_per_value: int) -> int:
        """Keys and values for `context` tokens, all layers (decoder side for seq2seq)."""
        return 2 * self.layers * context * self.kv_heads * self.head_dim * bytes_per_value


@dataclass(frozen=True)
class ModelFile:
    """One model under the models folder."""

    path: Path
    kind: ModelKind
    size_bytes: int
    architecture: Architecture | None = None
    problem: str | None = None
    """Why it cannot be loaded (legacy GGML, corrupt…), with what to do instead."""

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class MemoryEstimate:
    """Memory a model needs, against what is free."""

    weights_bytes: int
    kv_cache_bytes: int
    context: int
    free_bytes: int
    device: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def total_bytes(self) -> int:
        return self.weights_bytes + self.kv_cache_bytes + OVERHEAD_BYTES

    @property
    def fits(self) -> bool:
        return self.total_bytes <= self.free_bytes

    @property
    def tight(self) -> bool:
        """Fits, but with less than 20 % to spare: other programs may push it out."""
        return self.fits and self.total_bytes > 0.8 * self.free_bytes


def read_gguf_metadata(path: Path) -> tuple[dict[str, Any], int]:
    """The GGUF header's key/values (long arrays as their length) and the total tensor elements."""
    with path.open("rb") as file:
        if file.read(4) != GGUF_MAGIC:
            raise ModelError(f"{path.name} is not a GGUF file.")
        (version,) = struct.unpack("<I", file.read(4))
        if version < 2:
            raise ModelError(f"{path.name} is a GGUF v{version} file from 2023; download a current one.")
        tensor_count, kv_count = struct.unpack("<QQ", file.read(16))
        metadata: dict[str, Any] = {}
        for _ in range(kv_count):
            key = _read_string(file)
            (value_type,) = struct.unpack("<I", file.read(4))
            metadata[key] = _read_value(file, value_type)
        elements = 0
        for _ in range(tensor_count):
            _read_string(file)
            (dims,) = struct.unpack("<I", file.read(4))
            shape = struct.unpack(f"<{dims}Q", file.read(8 * dims))
            file.read(12)  # tensor type (u32) and data offset (u64)
            elements += math.prod(shape)
    return metadata, elements


# No key or value in a GGUF header comes near this; a larger length means a corrupt file, and
# reading it would ask for gigabytes.
MAX_STRING_BYTES = 64 * 1024**2


def _read_string(file: BinaryIO) -> str:
    (length,) = struct.unpack("<Q", file.read(8))
    if length > MAX_STRING_BYTES:
        raise struct.error(f"its header claims a {length:,}-byte string")
    return file.read(length).decode("utf-8", errors="replace")


def _read_value(file: BinaryIO, value_type: int) -> Any:
    if value_type in _SCALARS:
        fmt = _SCALARS[value_type]
        return struct.unpack(fmt, file.read(struct.calcsize(fmt)))[0]
    if value_type == _STRING:
        return _read_string(file)
    if value_type == _ARRAY:
        item_type, count = struct.unpack("<IQ", file.read(12))
        if item_type in _SCALARS and count > 64:
            file.seek(count * struct.calcsize(_SCALARS[item_type]), 1)  # skip, keep the length
            return count
        items = [_read_value(file, item_type) for _ in range(count)]
        return items if count <= 64 else count
    raise ModelError(f"Unknown GGUF value type {value_type}: the file may be corrupt.")


def gguf_architecture(metadata: dict[str, Any], parameters: int | None = None) -> Architecture:
    """KV-cache numbers from GGUF metadata (`{arch}.block_count`, `.attention.head_count_kv`…)."""
    arch = metadata.get("general.architecture", "llama")

    def number(key: str, default: int = 0) -> int:
        value = metadata.get(f"{arch}.{key}", default)
        return int(value[0] if isinstance(value, list) else value)  # per-layer lists: take the first

    heads = number("attention.head_count", 1) or 1
    kv_heads = number("attention.head_count_kv", heads) or heads
    head_dim = number("attention.key_length", 0) or number("embedding_length") // heads
    return Architecture(
        layers=number("block_count"),
        kv_heads=kv_heads,
        head_dim=head_dim,
        context_length=number("context_length") or None,
        parameters=parameters,
    )


def transformers_architecture(folder: Path) -> Architecture:
    """KV-cache numbers and weight count of a transformers checkpoint, from its files alone."""
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    text = config.get("text_config") or config  # multimodal models nest the language model
    heads = int(text.get("num_attention_heads") or text.get("num_heads") or text.get("n_head") or 1)
    kv_heads = int(text.get("num_key_value_heads") or text.get("multi_query_group_num") or heads)
    hidden = int(text.get("hidden_size") or text.get("d_model") or text.get("n_embd") or 0)
    head_dim = int(text.get("head_dim") or text.get("d_kv") or text.get("kv_channels") or hidden // heads)
    layers = int(
        text.get("num_decoder_layers") or text.get("num_hidden_layers") or text.get("num_layers")
        or text.get("n_layer") or 0
    )
    context = text.get("max_position_embeddings") or text.get("n_positions") or text.get("seq_length")
    return Architecture(
        layers=layers,
        kv_heads=kv_heads,
        head_dim=head_dim,
        context_length=int(context) if context else None,
        parameters=safetensors_parameters(folder),
        stored_dtype=text.get("torch_dtype") or text.get("dtype") or config.get("dtype"),
        encoder_decoder=bool(config.get("is_encoder_decoder")),
    )


def safetensors_parameters(folder: Path) -> int | None:
    """Total weight elements, read from the safetensors headers (no weights are loaded)."""
    total = 0
    files = list(folder.glob("*.safetensors"))
    if not files:
        return None
    for path in files:
        with path.open("rb") as file:
            (length,) = struct.unpack("<Q", file.read(8))
            header = json.loads(file.read(length))
        total += sum(math.prod(t["shape"]) for k, t in header.items() if k != "__metadata__")
    return total


def describe(path: Path) -> ModelFile:
    """What `path` (a file or a model folder) is, and whether it can be loaded."""
    if path.is_dir():
        size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        try:
            return ModelFile(path, "transformers", size, transformers_architecture(path))
        except (OSError, ValueError, KeyError, TypeError) as error:
            return ModelFile(path, "broken", size, problem=f"config.json cannot be read: {error}")
    size = path.stat().st_size
    with path.open("rb") as file:
        magic = file.read(4)
    if magic in LEGACY_GGML_MAGICS:
        try:
            check_gguf_file(path)
        except ModelError as error:
            return ModelFile(path, "ggml", size, problem=str(error))
    try:
        check_gguf_file(path)
        metadata, elements = read_gguf_metadata(path)
    except (ModelError, struct.error, OSError, UnicodeDecodeError) as error:
        message = str(error) if isinstance(error, ModelError) else (
            f"{path.name} is cut short or corrupt ({error}). Download it again."
        )
        return ModelFile(path, "broken", size, problem=message)
    return ModelFile(path, "gguf", size, gguf_architecture(metadata, elements))


def list_models(models_dir: Path) -> list[ModelFile]:
    """GGUF (and legacy GGML) files and transformers folders under `models_dir`, by path."""
    if not models_dir.is_dir():
        return []
    return [describe(path) for path in sorted(_candidates(models_dir))]


def _candidates(folder: Path, depth: int = 0) -> Iterator[Path]:
    for path in folder.iterdir():
        if path.name.startswith("."):
            continue  # downloads in progress, caches
        if path.is_dir():
            if (path / MANIFEST).is_file():
                continue  # a tuned model: an adapter, listed with the shop's models
            if (path / "config.json").is_file():
                yield path
            elif depth < 3:
                yield from _candidates(path, depth + 1)
        elif path.suffix.lower() in (".gguf", ".ggml") or (
            path.suffix.lower() == ".bin" and _magic(path) in LEGACY_GGML_MAGICS
        ):
            yield path


def _magic(path: Path) -> bytes:
    with path.open("rb") as file:
        return file.read(4)


def estimate_memory(
    model: ModelFile,
    *,
    backend: str,
    context: int,
    device: str = "cpu",
    dtype: str = "auto",
    free_bytes: int | None = None,
) -> MemoryEstimate:
    """Weights plus KV cache for `context` tokens on `backend`, against free RAM or VRAM."""
    from core.models.hardware import free_memory

    if model.architecture is None:
        raise ModelError(model.problem or f"{model.name} cannot be read, so its size is unknown.")
    arch = model.architecture
    notes: list[str] = []
    if arch.context_length and context > arch.context_length:
        notes.append(f"The model was trained for {arch.context_length} tokens; {context} is more.")
    if backend == "gguf" and model.kind == "gguf":
        weights = model.size_bytes  # llama.cpp maps the quantized file as it is
        kv = arch.kv_cache_bytes(context, GGUF_KV_BYTES)
    else:
        if dtype == "auto":
            dtype = {"cuda": "bfloat16", "mps": "float16"}.get(device, "float32")
        width = DTYPE_BYTES.get(dtype, 4)
        if arch.parameters:
            weights = arch.parameters * width
        else:
            stored = DTYPE_BYTES.get(arch.stored_dtype or "float32", 4)
            weights = int(model.size_bytes * width / stored)
            notes.append("No safetensors headers: weights estimated from the file sizes.")
        if model.kind == "gguf":
            notes.append("transformers dequantizes GGUF weights: several times the file size.")
        kv = arch.kv_cache_bytes(context, width)
    return MemoryEstimate(
        weights_bytes=int(weights),
        kv_cache_bytes=int(kv),
        context=context,
        free_bytes=free_memory(device) if free_bytes is None else free_bytes,
        device=device,
        notes=tuple(notes),
    )

"""What this computer offers a model: cores, memory, GPUs, and the versions of the libraries.

The model manager's hardware panel shows `hardware_report()`, so "do I have a GPU?" has an answer
on screen; memory estimates compare against `free_memory()`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from dataclasses import dataclass, field
from importlib import metadata

LIBRARIES = ("torch", "transformers", "llama-cpp-python", "langchain-core", "streamlit", "huggingface-hub")


@dataclass(frozen=True)
class GpuInfo:
    """One CUDA device."""

    index: int
    name: str
    total_bytes: int
    free_bytes: int


@dataclass(frozen=True)
class HardwareReport:
    """Cores, memory, accelerators and library versions."""

    physical_cores: int
    logical_cores: int
    ram_total_bytes: int
    ram_available_bytes: int
    cuda_available: bool
    cuda_version: str | None
    gpus: tuple[GpuInfo, ...]
    mps_available: bool
    llama_gpu_offload: bool
    versions: dict[str, str | None] = field(default_factory=dict)
    """Installed version of each library in LIBRARIES; None when it is missing."""


def library_versions() -> dict[str, str | None]:
    """Installed versions, read from package metadata (nothing heavy is imported)."""
    versions: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def hardware_report() -> HardwareReport:
    """A snapshot of this machine (imports torch, so a second or two the first time)."""
    import psutil

    from core.models.backends.gguf import gpu_offload_available

    memory = psutil.virtual_memory()
    cuda, cuda_version, gpus, mps = False, None, (), False
    try:
        import torch
    except ImportError:
        pass
    else:
        cuda = torch.cuda.is_available()
        cuda_version = torch.version.cuda
        if cuda:
            gpus = tuple(_gpu(torch, index) for index in range(torch.cuda.device_count()))
        mps = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
    return HardwareReport(
        physical_cores=psutil.cpu_count(logical=False) or os.cpu_count() or 1,
        logical_cores=psutil.cpu_count(logical=True) or os.cpu_count() or 1,
        ram_total_bytes=memory.total,
        ram_available_bytes=memory.available,
        cuda_available=cuda,
        cuda_version=cuda_version,
        gpus=gpus,
        mps_available=mps,
        llama_gpu_offload=gpu_offload_available(),
        versions=library_versions(),
    )


def _gpu(torch: object, index: int) -> GpuInfo:
    cuda = torch.cuda  # type: ignore[attr-defined]
    free, total = cuda.mem_get_info(index)
    return GpuInfo(index=index, name=cuda.get_device_name(index), total_bytes=total, free_bytes=free)


def free_memory(device: str) -> int:
    """Bytes free for a model on `device` ("cpu", "cuda", "mps"): RAM, or the GPU's free memory."""
    import psutil

    if device == "cuda":
        import torch

        free, _ = torch.cuda.mem_get_info()
        return int(free)
    # MPS shares the system's memory, so RAM is the limit there too.
    return int(psutil.virtual_memory().available)


def return_freed_memory() -> None:
    """Hand memory freed by an unloaded model back to the OS, so RSS drops after switching.

    glibc keeps freed heap pages for reuse; `malloc_trim` releases them. Elsewhere a no-op.
    """
    if not sys.platform.startswith("linux"):
        return
    name = ctypes.util.find_library("c")
    if not name:
        return
    try:
        libc = ctypes.CDLL(name)
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # musl has no malloc_trim
        return
    trim(0)


def format_bytes(count: float) -> str:
    """1536 -> '1.5 KiB'; for tables and warnings."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"

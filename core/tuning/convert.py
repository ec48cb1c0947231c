"""PEFT adapter → GGUF adapter, with llama.cpp's own `convert_lora_to_gguf.py`.

The converter must match the llama.cpp that will load the adapter, and PyPI's `gguf` package lags
behind it (0.19.0 cannot run this release's script), so we take the script, its `conversion`
package and its `gguf-py` from the source distribution of the llama-cpp-python we run:
`python -m core.tuning.convert` fetches them once into the virtual environment (`make` does it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from importlib import metadata
from pathlib import Path

# What the converter needs from the source distribution, relative to vendor/llama.cpp/.
MEMBERS = ("convert_lora_to_gguf.py", "conversion/", "gguf-py/", "LICENSE")


class ConversionError(RuntimeError):
    """The adapter could not be converted; the message says why and what to do."""


def tools_dir() -> Path:
    """Where the converter lives: `HUAYU_LLAMA_CPP_TOOLS`, else `<venv>/share/llama.cpp`."""
    configured = os.environ.get("HUAYU_LLAMA_CPP_TOOLS")
    return Path(configured) if configured else Path(sys.prefix) / "share" / "llama.cpp"


def llama_cpp_version() -> str:
    return metadata.version("llama_cpp_python")


def installed(directory: Path | None = None) -> bool:
    directory = directory or tools_dir()
    stamp = directory / "VERSION"
    return (
        (directory / MEMBERS[0]).is_file()
        and stamp.is_file()
        and (stamp.read_text().strip() == llama_cpp_version())
    )


def install(directory: Path | None = None) -> Path:
    """Fetch the converter of the installed llama-cpp-python's version (pip download, ~75 MB)."""
    directory = directory or tools_dir()
    if installed(directory):
        return directory
    version = llama_cpp_version()
    with tempfile.TemporaryDirectory() as download:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary",
                ":all:",
                f"llama-cpp-python=={version}",
                "--dest",
                download,
            ],
            check=True,
        )
        archive = next(Path(download).glob("llama_cpp_python-*.tar.gz"))
        prefix = f"llama_cpp_python-{version}/vendor/llama.cpp/"
        directory.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                name = member.name.removeprefix(prefix)
                if member.name.startswith(prefix) and member.isfile() and name.startswith(MEMBERS):
                    target = directory / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    source = tar.extractfile(member)
                    assert source is not None
                    target.write_bytes(source.read())
    (directory / "VERSION").write_text(version + "\n")
    return directory


def to_gguf(adapter_dir: Path, base_checkpoint: Path, out: Path) -> Path:
    """Convert the PEFT adapter in `adapter_dir` (trained over `base_checkpoint`) to `out` (f16)."""
    tools = tools_dir()
    if not installed(tools):
        raise ConversionError(
            f"llama.cpp's LoRA converter is not in {tools}. Run `make` (or "
            "`python -m core.tuning.convert`) to fetch it for this llama-cpp-python."
        )
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tools / "gguf-py"), str(tools)]),
        # The base is local; never ask the Hub for it.
        "HF_HUB_OFFLINE": "1",
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            sys.executable,
            str(tools / MEMBERS[0]),
            "--base",
            str(base_checkpoint),
            "--outtype",
            "f16",
            "--outfile",
            str(out),
            str(adapter_dir),
        ],
        check=False,
        env=environment,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 or not out.is_file():
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-8:])
        raise ConversionError(f"llama.cpp's converter failed:\n{tail}")
    return out


if __name__ == "__main__":
    print(install())

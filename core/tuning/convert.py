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
MEMBERS = ("convert_lora_to_gguf.py", "convert_hf_to_gguf.py", "conversion/", "gguf-py/", "LICENSE")


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
    present = all((directory / member.rstrip("/")).exists() for member in MEMBERS)
    return present and stamp.is_file() and stamp.read_text().strip() == llama_cpp_version()


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


def _run_converter(script: str, arguments: list[str], out: Path) -> Path:
    tools = tools_dir()
    if not installed(tools):
        raise ConversionError(
            f"llama.cpp's converters are not in {tools}. Run `make` (or "
            "`python -m core.tuning.convert`) to fetch them for this llama-cpp-python."
        )
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tools / "gguf-py"), str(tools)]),
        # The base is local; never ask the Hub for it.
        "HF_HUB_OFFLINE": "1",
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [sys.executable, str(tools / script), *arguments, "--outfile", str(out)],
        check=False,
        env=environment,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 or not out.is_file():
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-8:])
        raise ConversionError(f"llama.cpp's {script} failed:\n{tail}")
    return out


def to_gguf(adapter_dir: Path, base_checkpoint: Path, out: Path) -> Path:
    """Convert the PEFT adapter in `adapter_dir` (trained over `base_checkpoint`) to `out` (f16)."""
    arguments = ["--base", str(base_checkpoint), "--outtype", "f16", str(adapter_dir)]
    return _run_converter("convert_lora_to_gguf.py", arguments, out)


def merged_gguf(adapter_dir: Path, base_checkpoint: Path, out: Path, outtype: str = "q8_0") -> Path:
    """The base with the adapter merged into its weights, as one GGUF file (`q8_0` keeps the
    fine-tune; re-quantizing to Q4_1 was measured to lose it)."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    with tempfile.TemporaryDirectory(prefix="huayu-merge-") as work:
        model = AutoModelForCausalLM.from_pretrained(base_checkpoint, dtype=torch.float32)
        merged = PeftModel.from_pretrained(model, adapter_dir).merge_and_unload()
        merged.save_pretrained(work)
        AutoTokenizer.from_pretrained(base_checkpoint).save_pretrained(work)
        return _run_converter("convert_hf_to_gguf.py", ["--outtype", outtype, work], out)


if __name__ == "__main__":
    print(install())

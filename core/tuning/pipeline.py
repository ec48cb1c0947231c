"""One training run from start to finish: data → LoRA → GGUF adapter → manifest → gate.

`tune` is what `python -m core tune` and the training page's background process both run. Every
stage reports through `progress`, and the manifest records enough to trust (or reproduce) the
model: the base file's sha256, the data snapshot's counts and hash, the hyper-parameters, the
losses, the gate's paired evaluation, when, and on which commit.
"""

from __future__ import annotations

import json
import platform
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from core.models.downloads import sha256_of
from core.models.tuned import (
    ADAPTER_SUFFIX,
    EMBEDDED_BASE,
    MANIFEST,
    TunedModel,
    read_tuned,
    set_default,
)
from core.tuning import convert, dataset, gate
from core.tuning.trainer import Progress, TrainSettings, train, train_dpo

ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class TuneRequest:
    """What to train; mirrors `python -m core tune`'s options."""

    out: Path
    source: dataset.Source | Path = "both"
    base: str = EMBEDDED_BASE
    """`embedded`, or the path of a GGUF file."""
    settings: TrainSettings = field(default_factory=TrainSettings)
    starter_share: float = 0.5
    limit: int | None = None
    evaluate: bool = True
    eval_limit: int | None = None
    few_shot: int = 2
    """Examples in each prompt while the gate evaluates (the app's default)."""
    make_default: bool = True
    """Let the gate make the model the default when it wins."""
    dpo: bool = False
    """A second stage: DPO on the shop's preference pairs, over the SFT adapter."""


def base_path(base: str) -> Path:
    if base == EMBEDDED_BASE:
        from core.models.backends.gguf import embedded_model_path

        return embedded_model_path()
    return Path(base).expanduser()


def _base_languages(path: Path) -> frozenset[str] | None:
    from core.models.languages import known_languages

    return known_languages(path.stem)


def tune(
    request: TuneRequest,
    sessions: sessionmaker[Session] | None,
    *,
    shop_name: str,
    models_dir: Path,
    progress: ProgressCallback | None = None,
) -> TunedModel:
    """Train, convert, write the manifest, run the gate; returns the tuned model."""
    from core.quality.evaluation import git_commit

    report = progress or (lambda _state: None)
    base = base_path(request.base)
    languages = _base_languages(base)
    report(Progress(stage="data"))
    data = dataset.build(
        sessions,
        request.source,
        shop_name=shop_name,
        languages=languages,
        starter_share=request.starter_share,
        limit=request.limit,
    )
    name = request.out.name
    request.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="huayu-tune-") as work:
        result = train(data, base, Path(work), request.settings, progress, models_dir=models_dir)
        adapter, dpo = result.adapter_dir, None
        if request.dpo:
            if sessions is None:
                raise ValueError(
                    "DPO learns from the shop's preference pairs: it needs the database"
                )
            pairs = dataset.preference_rows(sessions, languages)
            dpo = train_dpo(
                pairs,
                adapter,
                result.base_checkpoint,
                Path(work),
                request.settings,
                progress=progress,
            )
            adapter = dpo.adapter_dir
        report(Progress(step=result.steps, total_steps=result.steps, stage="converting"))
        convert.to_gguf(adapter, result.base_checkpoint, request.out / f"{name}{ADAPTER_SUFFIX}")
        # The PEFT files too: for transformers, merging, and a later DPO stage.
        shutil.copytree(adapter, request.out / "peft", dirs_exist_ok=True)
    manifest: dict[str, Any] = {
        "name": name,
        "base": {
            "path": request.base if request.base == EMBEDDED_BASE else str(base),
            "file": base.name,
            "sha256": sha256_of(base),
        },
        "data": {
            "source": str(request.source),
            "starter_share": request.starter_share,
            "languages": sorted(languages) if languages else None,
            "sha256": data.fingerprint(),
            **data.counts(),
        },
        "hyperparameters": asdict(request.settings),
        "training": result.as_manifest(),
        "dpo": {**dpo.as_manifest(), "pairs": len(pairs)} if dpo is not None else None,
        "evaluation": {},
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": f"{platform.machine()}, {platform.processor() or platform.system()}",
    }
    write_manifest(request.out, manifest)
    if request.evaluate:

        def eval_progress(label: str, done: int, total: int) -> None:
            report(Progress(step=done, total_steps=total, stage=f"evaluating {label}"))

        manifest["evaluation"] = gate.run_gate(
            base,
            request.out,
            eval_set=gate.eval_set_for(languages),
            shop_name=shop_name,
            few_shot=request.few_shot,
            limit=request.eval_limit,
            out_dir=request.out / "evaluation",
            progress=eval_progress,
        )
        write_manifest(request.out, manifest)
    tuned = read_tuned(request.out)
    assert tuned is not None, "the adapter and manifest were just written"
    if tuned.won and request.make_default and request.out.parent.resolve() == models_dir.resolve():
        set_default(models_dir, tuned)
    report(Progress(step=1, total_steps=1, stage="done"))
    return tuned


def write_manifest(folder: Path, manifest: dict[str, Any]) -> Path:
    path = folder / MANIFEST
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path

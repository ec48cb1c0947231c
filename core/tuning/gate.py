"""The evaluation gate: a tuned model becomes the default only when it beats its base model.

Both models draft every held-out evaluation case (`evals/`, never trained on) through the app's
own path, with the same seeds, and `core.quality.evaluation.compare` pairs them case by case. The
tuned model wins when it passes every check more often *and* wins more cases than it loses.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.models.backends import GenerationParams, get_backend
from core.quality import evaluation
from core.runtime import backend_config

EvalProgress = Callable[[str, int, int], None]


def eval_set_for(languages: frozenset[str] | None) -> str:
    """The evaluation set in the languages the base model writes."""
    if languages is None or languages >= {"en", "zh"}:
        return "all"
    return "zh" if languages == frozenset({"zh"}) else "en"


def evaluate(
    model: str,
    cases: list[evaluation.EvalCase],
    *,
    shop_name: str,
    few_shot: int,
    label: str,
    eval_set: str = "en",
    progress: EvalProgress | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """`core eval`'s report for `model` (a GGUF file or a tuned model's folder) on `cases`."""
    from core.models.languages import writes_language

    config = backend_config("gguf", model=model)
    loaded = get_backend("gguf").load(config)
    try:
        report = evaluation.run_cases(
            cases,
            loaded,
            GenerationParams(seed=seed),
            shop_name=shop_name,
            seed=seed,
            few_shot=few_shot,
            supports_language=lambda language: writes_language(loaded, language) is not False,
            progress=(lambda done, total, _result: progress(label, done, total))
            if progress
            else None,
        )
        config_record = evaluation.run_config(
            set=eval_set,
            backend="gguf",
            model_id=loaded.model_id,
            params=GenerationParams(seed=seed).model_dump(),
            attempts=evaluation.MAX_ATTEMPTS,
            seed=seed,
            few_shot=few_shot,
            knowledge=False,
            template_versions=sorted({r["template_version"] for r in report["results"]}),
        )
        return {"config": config_record, **report}
    finally:
        loaded.close()


def verdict(base: dict[str, Any], tuned: dict[str, Any]) -> dict[str, Any]:
    """The paired comparison the manifest keeps, with `won`."""
    result = evaluation.compare(base, tuned)
    base_rate, tuned_rate = result["pass_rate"]
    won = (
        base_rate is not None
        and tuned_rate is not None
        and tuned_rate > base_rate
        and result["wins"] > result["losses"]
    )
    return {
        "won": won,
        "cases": result["cases"],
        "pass_rate": {"base": base_rate, "tuned": tuned_rate},
        "usable_rate": dict(zip(("base", "tuned"), result["usable_rate"], strict=True)),
        "reference_similarity": dict(
            zip(("base", "tuned"), result["reference_similarity"], strict=True)
        ),
        "wins": result["wins"],
        "ties": result["ties"],
        "losses": result["losses"],
        "difference": result["difference"],
        "interval": result["interval"],
        "similarity_difference": result["similarity_difference"],
    }


def run_gate(
    base_model: Path,
    tuned_folder: Path,
    *,
    eval_set: str,
    shop_name: str,
    few_shot: int,
    limit: int | None = None,
    out_dir: Path | None = None,
    progress: EvalProgress | None = None,
) -> dict[str, Any]:
    """Evaluate base and tuned model on `eval_set` (paired) and return the verdict; both reports
    are written to `out_dir` as `core eval` writes them, for `core eval --compare`."""
    cases = evaluation.load_cases(eval_set)
    if limit:
        cases = cases[:limit]
    reports = {}
    for label, model in (("base", str(base_model)), ("tuned", str(tuned_folder))):
        reports[label] = evaluate(
            model,
            cases,
            shop_name=shop_name,
            few_shot=few_shot,
            label=label,
            eval_set=eval_set,
            progress=progress,
        )
        if out_dir is not None:
            evaluation.write_report(reports[label], out_dir / label)
    return {"set": eval_set, "few_shot": few_shot, **verdict(reports["base"], reports["tuned"])}

"""`python -m core eval`: an evaluation set through the app's own path, every draft checked.

A case is a complaint or a bouquet request (`evals/*.jsonl`). Each goes through the template, the
model and the guard into a throw-away database, exactly as a draft from the app does; the checks
score the draft staff would see. One run writes `eval.json` (config, pass rates, per-check counts,
per-case results with the reply) and `eval.md`; two runs are compared case by case.
"""

from __future__ import annotations

import json
import os
import platform
import random
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.drafting.generation import PreparedPrompt
from core.drafting.grounding import NO_GROUNDING, Grounding
from core.drafting.requests import prompt_for
from core.models.backends import GenerationParams, LoadedModel
from core.quality.checks import CHECK_IDS, cjk_count
from core.quality.guard import MAX_ATTEMPTS, GuardedDraft
from core.quality.judge import score_reply
from core.settings import ROOT
from core.triage.labels import Triage

SETS_DIR = ROOT / "evals"
SET_NAMES = ("en", "zh", "all")
TASKS = ("complaint", "bouquet")
QUICK_CASES = 10
BOOTSTRAP_SAMPLES = 2000


@dataclass(frozen=True)
class EvalCase:
    """One held-out request: its id, task, language and the fields of the request."""

    id: str
    task: str
    language: str
    fields: dict[str, Any] = field(default_factory=dict)

    def prompt(
        self, shop_name: str, grounding: Grounding = NO_GROUNDING, triage: Triage | None = None
    ) -> PreparedPrompt:
        """The case's request as the app would build its prompt."""
        return prompt_for(self.task, self.language, self.fields, shop_name, grounding, triage)

    @property
    def label(self) -> str:
        """The case's kind of complaint or its bouquet's occasion, for the breakdowns."""
        return str(self.fields.get("kind") or self.fields.get("occasion") or "")


def set_files(name: str) -> list[Path]:
    """The JSONL files of a named set (`en`, `zh`, `all`) or the one file `name` points at."""
    if name in SET_NAMES:
        languages = ("en", "zh") if name == "all" else (name,)
        return [SETS_DIR / f"{task}s.{lang}.jsonl" for lang in languages for task in TASKS]
    return [Path(name)]


def load_cases(name: str, task: str | None = None) -> list[EvalCase]:
    """Every case of the set, optionally of one task; a bad line raises ValueError naming it."""
    cases = []
    for path in set_files(name):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                case = EvalCase(
                    id=str(raw.pop("id")),
                    task=str(raw.pop("task")),
                    language=str(raw.pop("lang")),
                    fields=raw,
                )
            except (KeyError, json.JSONDecodeError) as error:
                raise ValueError(f"{path}: line {number}: {error}") from None
            if task is None or case.task == task:
                cases.append(case)
    return cases


def quick_cases(cases: list[EvalCase], count: int = QUICK_CASES) -> list[EvalCase]:
    """`count` cases spread evenly over the set, so a quick run sees every part of it."""
    if len(cases) <= count:
        return cases
    step = len(cases) / count
    return [cases[int(i * step)] for i in range(count)]


def shingles(text: str) -> set[str]:
    """Overlapping 4-character pieces of `text`, spaces and case aside (2 for Chinese, where a
    character carries about a word)."""
    compact = "".join(text.lower().split())
    n = 2 if cjk_count(compact) > len(compact) / 3 else 4
    return {compact[i : i + n] for i in range(len(compact) - n + 1)}


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' shingles: 1 for the same text, near 0 for unrelated."""
    one, two = shingles(a), shingles(b)
    return len(one & two) / len(one | two) if one and two else 0.0


NEAR_DUPLICATE = 0.5


def near_duplicates(
    cases: Iterable[tuple[str, str]], others: Iterable[tuple[str, str]], threshold: float = NEAR_DUPLICATE
) -> list[tuple[str, str, float]]:
    """Pairs (case id, other id, similarity) of texts at least `threshold` alike: an evaluation
    case that is nearly an example or a training row measures memory, not drafting."""
    others = [(name, text, shingles(text)) for name, text in others]
    found = []
    for case_id, text in cases:
        mine = shingles(text)
        for other_id, _, theirs in others:
            if other_id != case_id and mine and theirs:
                score = len(mine & theirs) / len(mine | theirs)
                if score >= threshold:
                    found.append((case_id, other_id, round(score, 3)))
    return found


def case_text(case: EvalCase) -> str:
    """The staff's text of a case: the complaint, or the bouquet details."""
    return str(case.fields.get("complaint") or case.fields.get("details") or "")


def _check_counts(results: Iterable[list[dict[str, str]]]) -> dict[str, int]:
    counts = Counter(check["id"] for failures in results for check in failures)
    return {check_id: counts.get(check_id, 0) for check_id in CHECK_IDS}


def git_commit() -> str:
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT, capture_output=True, text=True, check=False, timeout=5,
        )
    except OSError:
        return ""
    return completed.stdout.strip()


def run_cases(
    cases: list[EvalCase],
    model: LoadedModel,
    params: GenerationParams,
    *,
    shop_name: str,
    attempts: int = MAX_ATTEMPTS,
    seed: int = 0,
    database_url: str | None = None,
    supports_language: Callable[[str], bool] = lambda _language: True,
    judge: LoadedModel | None = None,
    few_shot: int = 0,
    knowledge: bool = False,
    triage: bool = False,
    progress: Callable[[int, int, dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Run every case through the guard and return the report (see `summarise`); a `judge`
    model also scores each shown draft 1–5 (`core.quality.judge`).

    With `few_shot`, the throw-away database first gets the starter pack, as a new shop's does,
    and each case is shown its `few_shot` most similar replies; with `knowledge`, the shop's
    knowledge passages; with `triage`, each complaint is labelled first, as the app does, and its
    category orders the policy rule and the examples. Each draft is also compared with the case's reference reply, if it has
    one: `reference_similarity` is the cosine of their embeddings."""
    from core.drafting.grounder import make_grounder
    from core.examples.starter import import_starter
    from core.runtime import sessions as open_sessions
    from core.triage.service import Triager

    with tempfile.TemporaryDirectory(prefix="huayu-eval-") as folder:
        sessions = open_sessions(database_url or f"sqlite:///{Path(folder) / 'eval.db'}")
        grounder = make_grounder(sessions)
        triager = Triager(sessions) if triage else None
        if few_shot:
            import_starter(sessions, shop_name, grounder.examples)
        results = []
        start = time.perf_counter()
        for index, case in enumerate(cases):
            labels = (
                triager.triage(case_text(case))
                if triager is not None and case.task == "complaint"
                else None
            )
            grounding = grounder.ground(
                case.task, case_text(case), case.language, few_shot=few_shot, knowledge=knowledge,
                category=labels.category if labels else None,
            )
            prompt = case.prompt(shop_name, grounding, labels)
            guarded = GuardedDraft(
                prompt=prompt,
                model=model,
                params=params.model_copy(update={"seed": seed + index}),
                sessions=sessions,
                max_attempts=attempts,
            )
            outcome = guarded.run()
            first = guarded.outcomes[0]
            result = {
                "id": case.id,
                "task": case.task,
                "language": case.language,
                "label": case.label,
                "template_version": prompt.template_version,
                "language_supported": supports_language(case.language),
                "passed": outcome.status == "ok" and not outcome.checks,
                "usable": outcome.status == "ok",
                "first_passed": first.status == "ok" and not first.checks,
                "first_usable": first.status == "ok",
                "attempts": len(guarded.outcomes),
                "failed": outcome.checks or [],
                "first_failed": first.checks or [],
                "reply": outcome.text,
                "status": outcome.status,
                "error": outcome.error,
                "ttft_ms": outcome.ttft_ms,
                "latency_ms": sum(o.latency_ms or 0 for o in guarded.outcomes),
                "completion_tokens": outcome.completion_tokens,
                "prompt_tokens": outcome.prompt_tokens,
                "examples": [e.generation_id for e in prompt.grounding.examples],
                "passages": [p.citation for p in prompt.grounding.passages],
                "category": labels.category if labels else None,
            }
            reference = str(case.fields.get("reference") or "").replace("{shop_name}", shop_name)
            if reference:
                # An empty draft is as far from the reference as a draft can be.
                pair = grounder.examples.embeddings.vectors([outcome.text or " ", reference])
                result["reference_similarity"] = round(float(pair[0] @ pair[1]), 4) if outcome.text.strip() else 0.0
            if judge is not None:
                verdict = score_reply(judge, prompt, outcome.text)
                result["judge_score"], result["judge_reason"] = verdict.score, verdict.reason
            results.append(result)
            if progress:
                progress(index + 1, len(cases), result)
        duration = time.perf_counter() - start
    return summarise(results, duration_s=duration)


def _rate(results: list[dict[str, Any]], key: str) -> float | None:
    return round(sum(bool(r[key]) for r in results) / len(results), 4) if results else None


def _mean(results: list[dict[str, Any]], key: str) -> float | None:
    """Mean of `key` over the results that have it."""
    values = [float(r[key]) for r in results if r.get(key) is not None]
    return round(sum(values) / len(values), 4) if values else None


def summarise(results: list[dict[str, Any]], *, duration_s: float = 0.0) -> dict[str, Any]:
    """Pass rates, per-check failure counts and breakdowns over per-case `results`."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        groups.setdefault(f"{result['task']}.{result['language']}", []).append(result)
    scores = [r["judge_score"] for r in results if r.get("judge_score") is not None]
    return {
        "cases": len(results),
        "judge_mean": round(sum(scores) / len(scores), 2) if scores else None,
        "reference_similarity": _mean(results, "reference_similarity"),
        "pass_rate": _rate(results, "passed"),
        "usable_rate": _rate(results, "usable"),
        "first_attempt_pass_rate": _rate(results, "first_passed"),
        "first_attempt_usable_rate": _rate(results, "first_usable"),
        "mean_attempts": round(sum(r["attempts"] for r in results) / len(results), 3) if results else None,
        "checks": _check_counts(r["failed"] for r in results),
        "first_attempt_checks": _check_counts(r["first_failed"] for r in results),
        "by_set": {
            name: {
                "cases": len(group),
                "pass_rate": _rate(group, "passed"),
                "usable_rate": _rate(group, "usable"),
                "first_attempt_pass_rate": _rate(group, "first_passed"),
                "reference_similarity": _mean(group, "reference_similarity"),
            }
            for name, group in sorted(groups.items())
        },
        "duration_s": round(duration_s, 1),
        "results": results,
    }


def run_config(**config: Any) -> dict[str, Any]:
    """The run's settings plus where and when it ran, as recorded at the top of `eval.json`."""
    return {
        **config,
        "commit": git_commit(),
        "machine": f"{platform.machine()}, {os.cpu_count() or 0} cores, {platform.system()}",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def write_report(report: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """`eval.json` and `eval.md` in `out_dir`; returns both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "eval.json", out_dir / "eval.md"
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    md_path.write_text(report_markdown(report), encoding="utf-8")
    return json_path, md_path


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def report_markdown(report: dict[str, Any]) -> str:
    """One run as Markdown: its settings, pass rates, failures per check, and each failing case."""
    config = report.get("config", {})
    lines = [
        f"# Evaluation: {config.get('set', '?')} on {config.get('model_id', '?')}",
        "",
        (
            f"{report['cases']} cases, {config.get('attempts', '?')} attempts allowed, seed "
            f"{config.get('seed', '?')}, commit {config.get('commit') or '?'}, "
            f"{config.get('machine', '')}, {report['duration_s']} s; few-shot examples "
            f"{config.get('few_shot', 0)}, knowledge {'on' if config.get('knowledge') else 'off'}."
        ),
        "",
        "| | passed every check | no hard failure (usable) |",
        "| --- | --- | --- |",
        f"| shown draft | {_percent(report['pass_rate'])} | {_percent(report['usable_rate'])} |",
        (
            f"| first attempt | {_percent(report['first_attempt_pass_rate'])} | "
            f"{_percent(report['first_attempt_usable_rate'])} |"
        ),
        "",
        (f"Similarity of the shown drafts to the reference replies (embedding cosine): "
        f"{_number(report.get('reference_similarity'))}."),
        "",
        "| set | cases | passed | usable | first attempt passed | similarity to reference |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, group in report["by_set"].items():
        lines.append(
            f"| {name} | {group['cases']} | {_percent(group['pass_rate'])} | "
            f"{_percent(group['usable_rate'])} | {_percent(group['first_attempt_pass_rate'])} | "
            f"{_number(group.get('reference_similarity'))} |"
        )
    if report.get("judge_mean") is not None:
        lines += ["", f"Judge ({config.get('judge_model', '?')}): mean score {report['judge_mean']} of 5."]
    lines += ["", "| check | shown drafts failing | first attempts failing |", "| --- | --- | --- |"]
    for check_id in CHECK_IDS:
        lines.append(
            f"| `{check_id}` | {report['checks'].get(check_id, 0)} | "
            f"{report['first_attempt_checks'].get(check_id, 0)} |"
        )
    failing = [r for r in report["results"] if not r["passed"]]
    if failing:
        lines += ["", "## Drafts that failed a check", ""]
        for result in failing:
            reasons = "; ".join(f"{c['id']}: {c['detail']}" for c in result["failed"])
            reply = " ".join(result["reply"].split())
            lines.append(f"- **{result['id']}** ({reasons}): {reply[:240]}")
    return "\n".join(lines) + "\n"


def _case_score(result: dict[str, Any]) -> tuple[int, int]:
    # Fewer hard failures first, then fewer soft ones: a smaller tuple is a better draft.
    hard = sum(c["severity"] == "hard" for c in result["failed"])
    return (hard, len(result["failed"]) - hard)


def compare(a: dict[str, Any], b: dict[str, Any], *, seed: int = 0) -> dict[str, Any]:
    """B against A on the cases both ran: wins, ties, losses and the pass-rate difference with a
    95% bootstrap interval over cases."""
    by_id = {r["id"]: r for r in a["results"]}
    pairs = [(by_id[r["id"]], r) for r in b["results"] if r["id"] in by_id]
    wins = sum(_case_score(y) < _case_score(x) for x, y in pairs)
    losses = sum(_case_score(y) > _case_score(x) for x, y in pairs)
    diffs = [int(y["passed"]) - int(x["passed"]) for x, y in pairs]
    interval = _bootstrap_interval(diffs, seed)
    closer = [
        y["reference_similarity"] - x["reference_similarity"]
        for x, y in pairs
        if x.get("reference_similarity") is not None and y.get("reference_similarity") is not None
    ]
    check_rows = {
        check_id: (a["checks"].get(check_id, 0), b["checks"].get(check_id, 0)) for check_id in CHECK_IDS
    }
    return {
        "cases": len(pairs),
        "pass_rate": (_rate([x for x, _ in pairs], "passed"), _rate([y for _, y in pairs], "passed")),
        "usable_rate": (_rate([x for x, _ in pairs], "usable"), _rate([y for _, y in pairs], "usable")),
        "first_attempt_pass_rate": (
            _rate([x for x, _ in pairs], "first_passed"),
            _rate([y for _, y in pairs], "first_passed"),
        ),
        "wins": wins,
        "ties": len(pairs) - wins - losses,
        "losses": losses,
        "difference": sum(diffs) / len(diffs) if diffs else None,
        "interval": interval,
        "checks": check_rows,
        "reference_similarity": (
            _mean([x for x, _ in pairs], "reference_similarity"),
            _mean([y for _, y in pairs], "reference_similarity"),
        ),
        "similarity_difference": sum(closer) / len(closer) if closer else None,
        "similarity_interval": _bootstrap_interval(closer, seed),
    }


def _bootstrap_interval(diffs: list[float], seed: int) -> tuple[float, float] | None:
    """The 95% bootstrap interval of the mean of paired differences (resampling cases)."""
    if not diffs:
        return None
    rng = random.Random(seed)
    samples = sorted(
        sum(rng.choice(diffs) for _ in diffs) / len(diffs) for _ in range(BOOTSTRAP_SAMPLES)
    )
    return samples[int(0.025 * len(samples))], samples[int(0.975 * len(samples)) - 1]


def comparison_markdown(name_a: str, name_b: str, a: dict[str, Any], b: dict[str, Any]) -> str:
    """Two runs side by side, as Markdown."""
    result = compare(a, b)
    config_a, config_b = a.get("config", {}), b.get("config", {})
    interval = result["interval"]
    low, high = (f"{interval[0] * 100:+.0f}", f"{interval[1] * 100:+.0f}") if interval else ("?", "?")
    difference = result["difference"]
    lines = [
        f"| | A: {name_a} | B: {name_b} |",
        "| --- | --- | --- |",
        f"| model | {config_a.get('model_id', '?')} | {config_b.get('model_id', '?')} |",
        (
            f"| templates | {', '.join(config_a.get('template_versions', [])) or '?'} | "
            f"{', '.join(config_b.get('template_versions', [])) or '?'} |"
        ),
        f"| attempts allowed | {config_a.get('attempts', '?')} | {config_b.get('attempts', '?')} |",
        f"| few-shot examples | {config_a.get('few_shot', 0)} | {config_b.get('few_shot', 0)} |",
        (
            f"| knowledge | {'on' if config_a.get('knowledge') else 'off'} | "
            f"{'on' if config_b.get('knowledge') else 'off'} |"
        ),
        f"| commit | {config_a.get('commit') or '?'} | {config_b.get('commit') or '?'} |",
        (
            f"| **passed every check** | **{_percent(result['pass_rate'][0])}** | "
            f"**{_percent(result['pass_rate'][1])}** |"
        ),
        f"| no hard failure | {_percent(result['usable_rate'][0])} | {_percent(result['usable_rate'][1])} |",
        (
            f"| first attempt passed | {_percent(result['first_attempt_pass_rate'][0])} | "
            f"{_percent(result['first_attempt_pass_rate'][1])} |"
        ),
        (
            f"| similarity to reference | {_number(result['reference_similarity'][0])} | "
            f"{_number(result['reference_similarity'][1])} |"
        ),
    ]
    for name in sorted(a["by_set"].keys() | b["by_set"].keys()):
        rate_a = a["by_set"].get(name, {}).get("pass_rate")
        rate_b = b["by_set"].get(name, {}).get("pass_rate")
        lines.append(f"| {name} passed | {_percent(rate_a)} | {_percent(rate_b)} |")
    for check_id, (count_a, count_b) in result["checks"].items():
        lines.append(f"| `{check_id}` failing | {count_a} | {count_b} |")
    lines += [
        "",
        f"{result['cases']} paired cases: B wins {result['wins']}, ties {result['ties']}, loses "
        f"{result['losses']} (fewer failed checks wins). Pass-rate difference B − A: "
        + (f"{difference * 100:+.0f} points, 95% bootstrap interval [{low}, {high}]."
           if difference is not None else "no paired cases."),
    ]
    if result["similarity_difference"] is not None:
        s_low, s_high = result["similarity_interval"]
        lines.append(
            f"Similarity to the reference replies, B − A: {result['similarity_difference']:+.3f} "
            f"(95% bootstrap interval [{s_low:+.3f}, {s_high:+.3f}])."
        )
    return "\n".join(lines) + "\n"

"""`python -m core eval`: the real embedded model through the app's path, a report, a comparison."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from core.quality.evaluation import compare, comparison_markdown, quick_cases, summarise

ROOT = Path(__file__).resolve().parent.parent


def core(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HUAYU_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "core", *args],
        check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )


def test_eval_drafts_each_case_scores_it_and_writes_a_report(isolated_database, tmp_path):
    out = tmp_path / "run"
    result = core(
        "eval", "--set", "en", "--task", "complaint", "--limit", "2", "--attempts", "2",
        "--max-new-tokens", "120", "--seed", "5", "--out", str(out), database_url=isolated_database,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "eval.json").read_text(encoding="utf-8"))
    assert report["config"]["set"] == "en" and report["config"]["attempts"] == 2
    assert report["config"]["model_id"].startswith("SmolLM2-135M")
    assert report["config"]["template_versions"]
    # Each complaint was triaged first, as the app does: en-c-001 is about wilted flowers.
    assert report["config"]["triage"] is True
    assert report["results"][0]["category"] == "freshness"
    assert report["cases"] == 2 and [r["id"] for r in report["results"]] == ["en-c-001", "en-c-002"]
    for case in report["results"]:
        assert case["reply"].strip() or case["failed"]
        assert 1 <= case["attempts"] <= 2
        assert case["passed"] == (case["status"] == "ok" and not case["failed"])
    assert 0.0 <= report["pass_rate"] <= 1.0
    assert set(report["checks"]) >= {"placeholder", "no_remedy", "repeats_instructions"}
    summary = (out / "eval.md").read_text(encoding="utf-8")
    assert "passed every check" in summary and "`no_remedy`" in summary
    # The app's own database was never touched: the run used a throw-away one.
    assert not Path(isolated_database.removeprefix("sqlite:///")).exists()

    compared = core("eval", "--compare", str(out / "eval.json"), str(out / "eval.json"),
                    "--markdown", str(tmp_path / "QUALITY.md"), database_url=isolated_database)
    assert compared.returncode == 0, compared.stderr
    assert "B wins 0, ties 2, loses 0" in compared.stdout
    written = (tmp_path / "QUALITY.md").read_text(encoding="utf-8")
    assert written.startswith("# Reply quality") and "\n## en:" in written
    assert f"--compare {out / 'eval.json'}" in written  # says how to make it again


def result(case_id: str, passed: bool, hard: int = 0, soft: int = 0) -> dict:
    failed = [{"id": "x", "severity": "hard", "detail": ""}] * hard + [{"id": "y", "severity": "soft", "detail": ""}] * soft
    return {
        "id": case_id, "task": "complaint", "language": "en", "passed": passed, "usable": not hard,
        "first_passed": passed, "first_usable": not hard, "attempts": 1, "failed": failed,
        "first_failed": failed, "reply": "", "status": "ok" if not hard else "rejected",
    }


def test_compare_counts_wins_ties_losses_and_brackets_the_difference() -> None:
    a = summarise([result(f"c{i}", False, hard=1) for i in range(10)])
    b = summarise([result(f"c{i}", i < 6, hard=0 if i < 6 else 1) for i in range(10)])
    outcome = compare(a, b)
    assert (outcome["wins"], outcome["ties"], outcome["losses"]) == (6, 4, 0)
    assert outcome["difference"] == 0.6
    low, high = outcome["interval"]
    assert 0.2 <= low <= 0.6 <= high <= 0.9
    assert "+60 points" in comparison_markdown("a.json", "b.json", a, b)


def test_compare_reports_how_much_closer_to_the_references_b_comes() -> None:
    a = summarise([{**result(f"c{i}", True), "reference_similarity": 0.5} for i in range(8)])
    b = summarise([{**result(f"c{i}", True), "reference_similarity": 0.6 + i / 100} for i in range(8)])
    outcome = compare(a, b)
    assert outcome["reference_similarity"] == (0.5, 0.635)
    assert round(outcome["similarity_difference"], 3) == 0.135
    low, high = outcome["similarity_interval"]
    assert 0.1 <= low <= 0.135 <= high <= 0.17
    assert "Similarity to the reference replies, B − A: +0.135" in comparison_markdown("a", "b", a, b)
    assert "| similarity to reference | 0.500 | 0.635 |" in comparison_markdown("a", "b", a, b)


def test_a_soft_warning_loses_to_a_clean_pass_and_beats_a_hard_failure() -> None:
    clean, warned, broken = result("c", True), result("c", False, soft=1), result("c", False, hard=1)
    assert compare(summarise([warned]), summarise([clean]))["wins"] == 1
    assert compare(summarise([warned]), summarise([broken]))["losses"] == 1


def test_quick_cases_spread_over_the_whole_set() -> None:
    cases = list(range(72))
    picked = quick_cases(cases, 10)  # type: ignore[arg-type]
    assert len(picked) == 10 and picked[0] == 0 and picked[-1] >= 60


def test_the_optional_judge_scores_each_draft_beside_the_checks(fake_model):
    from core.models.backends import GenerationParams
    from core.quality.evaluation import load_cases, run_cases
    from tests.conftest import FakeModel

    reply = (
        "We are so sorry that the sunflowers drooped so soon. Please send us a photo, and we will "
        "re-deliver a fresh bundle for free or refund you in full.\nHuayu Flowers"
    )
    cases = load_cases("en", "complaint")[:2]
    fake_model.enqueue([reply, reply])
    judge = FakeModel()
    judge.enqueue(["SCORE: 4\nApologises and offers the policy's remedy.", "I cannot tell."])
    report = run_cases(
        cases, fake_model, GenerationParams(), shop_name="Huayu Flowers",
        judge=judge, attempts=1,
    )
    first, second = report["results"]
    assert (first["judge_score"], second["judge_score"]) == (4, None)  # no number, no score
    assert "remedy" in first["judge_reason"]
    assert report["judge_mean"] == 4.0
    assert report["pass_rate"] is not None  # the checks still decide what passed
    asked = judge.calls[0]
    assert "SCORE: n" in asked[0].content
    assert "Freshness guarantee" in asked[1].content and reply in asked[1].content

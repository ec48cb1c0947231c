"""`python -m core eval`: score drafts for an evaluation set, or compare two runs."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.cli.parser import UserError, add_grounding_options, first_error, grounding_choice
from core.models.backends import DEFAULT_BACKEND, REGISTRY, GenerationParams


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "eval",
        help="draft every case of an evaluation set and score it with the quality checks",
        description="Runs each case through the app's own path (template, model, guard) into a "
        "throw-away database and writes DIR/eval.json and DIR/eval.md. With --compare, prints "
        "two earlier runs side by side instead.",
    )
    parser.add_argument(
        "--set", default="en", help="en, zh, all, or a JSONL file of cases (default: en)"
    )
    parser.add_argument("--task", choices=["complaint", "bouquet"], help="only this task's cases")
    parser.add_argument("--backend", default=DEFAULT_BACKEND, choices=sorted(REGISTRY))
    parser.add_argument("--model", help="model path or id (default: the embedded model)")
    parser.add_argument("--base-url", help="server URL for --backend openai/hub")
    parser.add_argument("--limit", type=int, help="only the first N cases")
    parser.add_argument("--seed", type=int, default=0, help="case i is drafted with seed S+i")
    parser.add_argument(
        "--attempts",
        type=int,
        default=None,
        help="drafts the guard may write per case (default 3, as in the app; 1 = no retries)",
    )
    defaults = GenerationParams()
    parser.add_argument("--temperature", type=float, default=defaults.temperature)
    parser.add_argument("--top-p", type=float, default=defaults.top_p)
    parser.add_argument("--max-new-tokens", type=int, default=defaults.max_new_tokens)
    parser.add_argument("--repetition-penalty", type=float, default=defaults.repetition_penalty)
    parser.add_argument("--quick", action="store_true", help="10 cases spread over the set")
    parser.add_argument(
        "--judge-backend",
        choices=sorted(REGISTRY),
        help="also score each draft 1-5 with this backend's model (a bigger one; off by default)",
    )
    parser.add_argument("--judge-model", help="the judge's model path or id")
    parser.add_argument("--judge-base-url", help="the judge's server URL (openai/hub backends)")
    add_grounding_options(parser)
    parser.add_argument(
        "--triage",
        choices=["on", "off"],
        default="on",
        help="label each complaint first, as the app does (default on)",
    )
    parser.add_argument(
        "--out", type=Path, help="results folder (default: evals/results/<time>-<set>)"
    )
    parser.add_argument(
        "--compare",
        nargs=2,
        action="append",
        metavar=("A.json", "B.json"),
        help="compare two runs case by case (may be given more than once)",
    )
    parser.add_argument("--markdown", type=Path, help="with --compare: also write the tables here")
    parser.set_defaults(handler=run)


def _load_report(path: str) -> dict[str, Any]:
    try:
        report: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise UserError(f"cannot read the run {path}: {error}") from None
    return report


def _compare(args: argparse.Namespace) -> int:
    from core.quality.evaluation import comparison_markdown

    sections = []
    for path_a, path_b in args.compare:
        a, b = _load_report(path_a), _load_report(path_b)
        title = f"## {a.get('config', {}).get('set', '?')}: {Path(path_a).parent.name} → {Path(path_b).parent.name}"
        sections.append(f"{title}\n\n{comparison_markdown(path_a, path_b, a, b)}")
    text = "\n".join(sections)
    print(text)
    if args.markdown:
        pairs = " ".join(f"--compare {path_a} {path_b}" for path_a, path_b in args.compare)
        command = f"python -m core eval {pairs} --markdown {args.markdown}"
        header = (
            "# Reply quality\n\n"
            f"Written by `{command}`. Each section sets two runs of `python -m core eval` side by "
            "side on the same cases: A before, B after. *Passed every check* is the share of "
            "drafts staff would see with no failed check, hard or soft; *no hard failure* the "
            "share the app shows as finished; *first attempt* the draft before the guard wrote "
            "any again. The checks are in `core/quality/checks.py`; the runs, with every reply, "
            "in the JSON files named in each section.\n\n"
        )
        args.markdown.write_text(header + text, encoding="utf-8")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.compare:
        return _compare(args)

    from core.models.languages import writes_language
    from core.models.model_slot import ModelSlot
    from core.quality import evaluation
    from core.quality.guard import MAX_ATTEMPTS
    from core.runtime import backend_config
    from core.settings import shop_settings

    try:
        cases = evaluation.load_cases(args.set, args.task)
    except (OSError, ValueError) as error:
        raise UserError(f"cannot read the evaluation set {args.set}: {error}") from None
    if args.quick:
        cases = evaluation.quick_cases(cases)
    if args.limit:
        cases = cases[: args.limit]
    if not cases:
        raise UserError(f"the set {args.set} has no cases for that task")
    attempts = args.attempts or MAX_ATTEMPTS
    if attempts < 1:
        raise UserError("--attempts must be at least 1")

    config = backend_config(args.backend, model=args.model, base_url=args.base_url)
    model = ModelSlot().get(args.backend, config)
    try:
        params = GenerationParams(
            temperature=args.temperature,
            top_p=args.top_p,
            max_new_tokens=args.max_new_tokens,
            repetition_penalty=args.repetition_penalty,
            seed=args.seed,
        )
    except ValueError as error:
        raise UserError(first_error(error)) from None
    shop_name = shop_settings().shop_name
    few_shot, knowledge = grounding_choice(args)

    def progress(done: int, total: int, result: dict[str, Any]) -> None:
        verdict = "pass" if result["passed"] else ", ".join(c["id"] for c in result["failed"])
        print(
            f"[{done}/{total}] {result['id']}: {verdict} ({result['attempts']} attempts)",
            file=sys.stderr,
        )

    judge = None
    if args.judge_backend:
        from core.models.backends import get_backend

        # Loaded beside the drafting model, not in its slot: a judge is usually a server.
        judge_config = backend_config(
            args.judge_backend, model=args.judge_model, base_url=args.judge_base_url
        )
        judge = get_backend(args.judge_backend).load(judge_config)
    report = evaluation.run_cases(
        cases,
        model,
        params,
        shop_name=shop_name,
        attempts=attempts,
        seed=args.seed,
        supports_language=lambda language: writes_language(model, language) is not False,
        judge=judge,
        few_shot=few_shot,
        knowledge=knowledge,
        triage=args.triage == "on",
        progress=progress,
    )
    report = {
        "config": evaluation.run_config(
            set=args.set,
            task=args.task,
            quick=args.quick,
            limit=args.limit,
            backend=args.backend,
            model_id=model.model_id,
            params=params.model_dump(),
            attempts=attempts,
            seed=args.seed,
            few_shot=few_shot,
            knowledge=knowledge,
            triage=args.triage == "on",
            template_versions=sorted({r["template_version"] for r in report["results"]}),
            judge_backend=args.judge_backend,
            judge_model=args.judge_model,
        ),
        **report,
    }
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out = args.out or evaluation.SETS_DIR / "results" / f"{stamp}-{Path(args.set).stem}"
    json_path, md_path = evaluation.write_report(report, out)
    print(
        f"{report['cases']} cases: {report['pass_rate'] * 100:.0f}% passed every check, "
        f"{report['usable_rate'] * 100:.0f}% usable; first attempt "
        f"{report['first_attempt_pass_rate'] * 100:.0f}%; similarity to the references "
        f"{report['reference_similarity'] or 0:.3f} ({report['duration_s']} s)\n"
        f"wrote {json_path} and {md_path}"
    )
    return 0

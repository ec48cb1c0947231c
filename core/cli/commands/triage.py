"""`python -m core triage`: a customer message's category, sentiment and urgency, or how well
triage labels the evaluation set."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

METHODS = ("classifier", "model", "combined")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "triage",
        help='label a complaint: prints {"category", "sentiment", "urgency"} as JSON',
    )
    given = parser.add_mutually_exclusive_group(required=True)
    given.add_argument("--input", help="the customer's message")
    given.add_argument(
        "--eval", action="store_true", help="score triage on evals/triage.<lang>.jsonl instead"
    )
    given.add_argument(
        "--export", type=Path, metavar="FILE",
        help="write the complaints whose labels staff corrected as JSON lines",
    )
    parser.add_argument("--all", action="store_true", help="with --export: every triaged complaint")
    parser.add_argument(
        "--lang", choices=["en", "zh"], help="the message's language (default: read from it)"
    )
    parser.add_argument(
        "--method", choices=METHODS, default="classifier",
        help="classifier (default), the chat model's structured output, or both",
    )
    parser.add_argument("--backend", default="gguf", help="for --method model/combined")
    parser.add_argument("--model", help="model path or id (default: the embedded model)")
    parser.add_argument("--out", type=Path, help="with --eval: also write the report as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from core.text import guess_language
    from core.triage.evaluation import evaluate, load_cases
    from core.triage.service import Triager

    if args.export:
        from core.triage.corrections import labels_jsonl

        text = labels_jsonl(_database(), corrected_only=not args.all)
        args.export.write_text(text, encoding="utf-8")
        print(f"{text.count(chr(10))} complaints written to {args.export}")
        return 0
    triager = Triager(sessions=_database())
    chat_model = _chat_model(args) if args.method != "classifier" else None
    if not args.eval:
        language = args.lang or guess_language(args.input)
        found = triager.label([args.input], [language], method=args.method, chat_model=chat_model)
        print(json.dumps(found[0].labels(), ensure_ascii=False))
        return 0
    reports = []
    for language in [args.lang] if args.lang else ["en", "zh"]:
        cases = load_cases(language)
        report = evaluate(
            cases,
            lambda batch: triager.label(
                [c.text for c in batch], [c.language for c in batch],
                method=args.method, chat_model=chat_model,
            ),
            args.method,
        )
        print(report.markdown() + "\n")
        reports.append(report.as_dict())
    if args.out:
        args.out.write_text(json.dumps(reports, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


def _database():  # type: ignore[no-untyped-def]
    """The shop's database, for its staff's corrections; triage works without one too."""
    from core.runtime import sessions

    return sessions()


def _chat_model(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from core.models.backends import GenerationParams
    from core.models.model_slot import ModelSlot
    from core.runtime import backend_config

    config = backend_config(args.backend, model=args.model)
    model = ModelSlot().get(args.backend, config)
    return model.chat_model(GenerationParams(temperature=0.0, max_new_tokens=48, seed=0))

"""`python -m core export`: rated replies as fine-tuning data (OpenAI, TRL, LLaMA-Factory)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from core.training_data.export_formats import FORMATS


def _since(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-01") from None


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "export",
        help="write rated replies as fine-tuning data",
        description="Formats: " + "; ".join(f"{f.name}: {f.description}" for f in FORMATS.values()),
    )
    parser.add_argument("--format", required=True, choices=list(FORMATS))
    parser.add_argument("--out", required=True, type=Path, help="output .jsonl file")
    parser.add_argument("--task", choices=["complaint", "bouquet"], help="only this task")
    parser.add_argument(
        "--min-rating",
        type=int,
        choices=range(1, 6),
        metavar="N",
        help="only replies with at least N stars",
    )
    parser.add_argument(
        "--since",
        type=_since,
        metavar="DATE",
        help="only generations from this date on (YYYY-MM-DD)",
    )
    parser.add_argument(
        "--split",
        type=float,
        default=0.0,
        metavar="FRACTION",
        help="also write a validation file with this fraction (e.g. 0.1): OUT.train.jsonl and OUT.val.jsonl",
    )
    parser.add_argument(
        "--no-scrub",
        dest="scrub",
        action="store_false",
        help="keep phone numbers, emails, addresses and order numbers",
    )
    parser.add_argument(
        "--no-starter",
        dest="include_starter",
        action="store_false",
        help="leave out Huayu's starter pack: only the shop's own replies",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from core.cli.parser import UserError
    from core.runtime import sessions
    from core.training_data.export import ExportOptions, export_dataset

    try:
        options = ExportOptions(
            format=args.format,
            task=args.task,
            min_rating=args.min_rating,
            since=args.since,
            split=args.split,
            scrub=args.scrub,
            include_starter=args.include_starter,
        )
    except ValueError as error:
        raise UserError(str(error)) from None
    summary = export_dataset(sessions(), options, args.out)
    split = f" (train {summary.train}, validation {summary.validation})" if options.split else ""
    pairs = ", ".join(f"{source} {n}" for source, n in sorted(summary.sources.items()))
    print(
        f"{summary.records} records{split}; {summary.duplicates} duplicates dropped"
        + (f"; pairs: {pairs}" if pairs else "")
    )
    for path in summary.files:
        print(f"wrote {path}")
    return 0

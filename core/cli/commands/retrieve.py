"""`python -m core retrieve` and `python -m core index`: the few-shot examples a request would get,
and (re)building their index."""

from __future__ import annotations

import argparse
import json
import sys


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "retrieve",
        help="print the past replies a request would be shown as examples (JSON lines, best first)",
    )
    parser.add_argument("--task", default="complaint", choices=["complaint", "bouquet"])
    parser.add_argument("--input", required=True, help="the complaint, or the bouquet details")
    parser.add_argument("-k", type=int, default=3, help="how many examples (default 3)")
    parser.add_argument(
        "--lang", default="en", choices=["en", "zh"], help="the reply language asked for"
    )
    parser.add_argument(
        "--knowledge", action="store_true", help="also print the knowledge passages it would cite"
    )
    parser.set_defaults(handler=run_retrieve)

    index = commands.add_parser(
        "index", help="index every approved reply not yet indexed as a few-shot example"
    )
    index.add_argument(
        "--rebuild", action="store_true", help="drop the index and embed everything again"
    )
    index.set_defaults(handler=run_index)


def run_retrieve(args: argparse.Namespace) -> int:
    from core.cli.parser import UserError
    from core.drafting.grounder import make_grounder
    from core.runtime import sessions

    if not 1 <= args.k <= 20:
        raise UserError("-k must be from 1 to 20")
    grounder = make_grounder(sessions())
    for example in grounder.examples.find(args.task, args.input, args.lang, args.k):
        row = {
            "generation_id": example.generation_id,
            "score": round(example.score, 4),
            "tier": example.tier,
            "language": example.language,
            "input": example.request,
            "reply": example.reply,
        }
        print(json.dumps(row, ensure_ascii=False))
    if args.knowledge:
        for passage in grounder.knowledge.find(args.input, args.lang):
            row = {
                "source": passage.source,
                "heading": passage.heading,
                "score": round(passage.score, 4),
                "text": passage.text,
            }
            print(json.dumps(row, ensure_ascii=False))
    return 0


def run_index(args: argparse.Namespace) -> int:
    from core.examples.selection import ExampleFinder
    from core.runtime import sessions

    finder = ExampleFinder(sessions())
    added = finder.rebuild(
        fresh=args.rebuild, progress=lambda n: print(f"  {n} embedded", file=sys.stderr)
    )
    print(f"{added} replies indexed with {finder.embeddings.name}")
    return 0

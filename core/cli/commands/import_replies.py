"""`python -m core import FILE | --starter`: store replies sent before (CSV or JSONL), or Huayu's
starter pack, as rated generations."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "import",
        help="import past replies (CSV or JSONL), or --starter: Huayu's starter pack",
        description="Columns: task (complaint|bouquet), input, reply, optional rating (1-5), "
        "draft, created_at. Bad rows are listed on stderr with their line numbers; the good rows "
        "are imported all together. Exit status 1 when any row was rejected. With --starter: the "
        "starter pack's exemplary replies (source 'starter'), once; running it again adds nothing.",
    )
    parser.add_argument("file", type=Path, nargs="?", help="a .csv or .jsonl file")
    parser.add_argument(
        "--starter", action="store_true", help="import Huayu's starter pack (starter/*.jsonl)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from core.cli.parser import UserError
    from core.runtime import sessions
    from core.settings import shop_settings

    if args.starter == (args.file is not None):
        raise UserError("give either a FILE to import or --starter")
    database = sessions()
    if args.starter:
        return _starter(database, shop_settings().shop_name)
    from core.examples.selection import ExampleFinder
    from core.training_data.importer import ImportFileError, import_file

    try:
        result = import_file(database, args.file, shop_settings().shop_name)
    except ImportFileError as error:
        raise UserError(str(error)) from None
    for error in result.errors:
        print(f"{args.file}: {error}", file=sys.stderr)
    indexed = ExampleFinder(database).add(result.generation_ids)
    print(
        f"imported {result.imported} replies ({result.with_draft} with an earlier draft); "
        f"{len(result.errors)} rows rejected; {indexed} indexed as examples"
    )
    return 1 if result.errors else 0


def _starter(database: object, shop_name: str) -> int:
    from core.examples.selection import ExampleFinder
    from core.examples.starter import import_starter

    result = import_starter(database, shop_name, ExampleFinder(database))  # type: ignore[arg-type]
    print(
        f"starter pack: {len(result.added)} replies added, {result.skipped} already there; "
        f"{result.indexed} indexed as examples"
    )
    return 0

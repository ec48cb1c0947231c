"""`python -m core import FILE`: store replies sent before (CSV or JSONL) as rated generations."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "import",
        help="import past replies (CSV or JSONL) as rated generations",
        description="Columns: task (complaint|bouquet), input, reply, optional rating (1-5), "
        "draft, created_at. Bad rows are listed on stderr with their line numbers; the good rows "
        "are imported all together. Exit status 1 when any row was rejected.",
    )
    parser.add_argument("file", type=Path, help="a .csv or .jsonl file")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from core.cli.parser import UserError
    from core.runtime import sessions
    from core.settings import shop_settings
    from core.training_data.importer import ImportFileError, import_file

    try:
        result = import_file(sessions(), args.file, shop_settings().shop_name)
    except ImportFileError as error:
        raise UserError(str(error)) from None
    for error in result.errors:
        print(f"{args.file}: {error}", file=sys.stderr)
    print(
        f"imported {result.imported} replies ({result.with_draft} with an earlier draft); "
        f"{len(result.errors)} rows rejected"
    )
    return 1 if result.errors else 0

"""`python -m core …`: the same code paths as the app, from a terminal.

Subcommands live in `core/cli/commands/`, one module each.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from core.models.backends import ModelError
from core.text import InputError

Command = Callable[[argparse.Namespace], int]


class UserError(Exception):
    """A mistake the user can fix: reported as one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One clear line instead of argparse's usage dump.
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def add_grounding_options(parser: argparse.ArgumentParser) -> None:
    """`--few-shot K` and `--knowledge on|off`, shared by the commands that draft."""
    parser.add_argument(
        "--few-shot",
        type=int,
        metavar="K",
        help="past replies shown as examples (default HUAYU_FEW_SHOT; 0 = off)",
    )
    parser.add_argument(
        "--knowledge",
        choices=["on", "off"],
        help="use the shop's knowledge files (default HUAYU_KNOWLEDGE)",
    )


def grounding_choice(args: argparse.Namespace) -> tuple[int, bool]:
    """(few-shot k, knowledge on) from the arguments, else from the shop's settings."""
    from core.settings import shop_settings

    settings = shop_settings()
    few_shot = settings.few_shot if args.few_shot is None else args.few_shot
    if not 0 <= few_shot <= 8:
        raise UserError("--few-shot must be from 0 to 8")
    knowledge = settings.knowledge if args.knowledge is None else args.knowledge == "on"
    return few_shot, knowledge


def first_error(error: ValueError) -> str:
    """The human part of a pydantic validation error (or any ValueError)."""
    errors = getattr(error, "errors", None)
    if callable(errors):
        first = errors()[0]
        cause = first.get("ctx", {}).get("error")
        return str(cause) if cause else f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
    return str(error)


def build_parser() -> argparse.ArgumentParser:
    import core.cli.commands

    parser = _Parser(prog="python -m core", description="Huayu from the command line.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module_info in sorted(
        pkgutil.iter_modules(core.cli.commands.__path__), key=lambda m: m.name
    ):
        importlib.import_module(f"core.cli.commands.{module_info.name}").register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Command = args.handler
    try:
        return handler(args)
    except (UserError, InputError, ModelError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

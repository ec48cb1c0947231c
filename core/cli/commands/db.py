"""`python -m core db upgrade`: bring the database to the newest schema."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("db", help="database maintenance")
    actions = parser.add_subparsers(dest="db_command", required=True, parser_class=type(parser))
    actions.add_parser("upgrade", help="apply migrations").set_defaults(handler=upgrade)


def upgrade(args: argparse.Namespace) -> int:
    from db.session import database_url
    from db.session import upgrade as upgrade_database

    upgrade_database()
    print(f"database at newest schema: {database_url()}")
    return 0

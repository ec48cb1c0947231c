"""`python -m core users add|list|passwd|role|unlock|remove`: who may log in to the app.

Passwords are asked for twice without echo, or read from the first line of standard input with
`--password-stdin` (for scripts); they never appear on the command line or in the shell history.
"""

from __future__ import annotations

import argparse
import sys

from core.cli.parser import UserError


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("users", help="logins and roles")
    actions = parser.add_subparsers(dest="users_command", required=True, parser_class=type(parser))

    add = actions.add_parser("add", help="create a user (the first one ends local mode)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=["staff", "manager"])
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(handler=add_user)

    actions.add_parser("list", help="show users, roles and lockouts").set_defaults(handler=list_users)

    passwd = actions.add_parser("passwd", help="set a new password (also unlocks the account)")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    passwd.set_defaults(handler=change_password)

    role = actions.add_parser("role", help="make a user staff or manager")
    role.add_argument("name")
    role.add_argument("--role", required=True, choices=["staff", "manager"])
    role.set_defaults(handler=change_role)

    unlock = actions.add_parser("unlock", help="lift a lockout after too many wrong passwords")
    unlock.add_argument("name")
    unlock.set_defaults(handler=unlock_user)

    remove = actions.add_parser("remove", help="delete a user (their drafts keep their name)")
    remove.add_argument("name")
    remove.set_defaults(handler=remove_user)


def read_password(from_stdin: bool) -> str:
    """The new password: stdin's first line, or typed twice at a prompt that does not echo."""
    if from_stdin:
        line = sys.stdin.readline()
        password = line.removesuffix("\n")
        return password.removesuffix("\r")
    import getpass

    if not sys.stdin.isatty():
        raise UserError("no terminal to ask for the password: pipe it in with --password-stdin")
    first = getpass.getpass("New password: ")
    if getpass.getpass("Repeat it: ") != first:
        raise UserError("the two passwords differ; nothing was changed")
    return first


def add_user(args: argparse.Namespace) -> int:
    from core.accounts import auth
    from core.runtime import sessions

    try:
        auth.check_name(args.name)
        password = read_password(args.password_stdin)
        auth.add_user(sessions(), args.name, args.role, password)
    except auth.AuthError as error:
        raise UserError(str(error)) from None
    print(f"added {args.role} {args.name!r}; the app now asks everyone to log in")
    return 0


def list_users(args: argparse.Namespace) -> int:
    from core.accounts import auth
    from core.runtime import sessions

    users = auth.list_users(sessions())
    if not users:
        print("no users: the app runs in local mode (this computer only, no logins)")
        return 0
    now = auth.utcnow()
    print(f"{'name':<20} {'role':<8} {'last login (UTC)':<17} status")
    for user in users:
        last = f"{user.last_login_at:%Y-%m-%d %H:%M}" if user.last_login_at else "never"
        locked = user.locked_until is not None and user.locked_until > now
        status = f"locked until {user.locked_until:%H:%M} UTC" if locked else "ok"
        print(f"{user.name:<20} {user.role:<8} {last:<17} {status}")
    return 0


def change_password(args: argparse.Namespace) -> int:
    from core.accounts import auth
    from core.runtime import sessions

    try:
        factory = sessions()
        if args.name not in {user.name for user in auth.list_users(factory)}:
            raise auth.AuthError(f"There is no user called {args.name!r} (`python -m core users list`).")
        auth.set_password(factory, args.name, read_password(args.password_stdin))
    except auth.AuthError as error:
        raise UserError(str(error)) from None
    print(f"new password set for {args.name!r}; their open sessions end")
    return 0


def change_role(args: argparse.Namespace) -> int:
    from core.accounts import auth
    from core.runtime import sessions

    try:
        auth.set_role(sessions(), args.name, args.role)
    except auth.AuthError as error:
        raise UserError(str(error)) from None
    print(f"{args.name!r} is now {args.role}")
    return 0


def unlock_user(args: argparse.Namespace) -> int:
    from core.accounts import auth
    from core.runtime import sessions

    try:
        auth.unlock(sessions(), args.name)
    except auth.AuthError as error:
        raise UserError(str(error)) from None
    print(f"{args.name!r} may log in again")
    return 0


def remove_user(args: argparse.Namespace) -> int:
    from core.accounts import auth
    from core.runtime import sessions

    try:
        auth.remove_user(sessions(), args.name)
    except auth.AuthError as error:
        raise UserError(str(error)) from None
    print(f"removed {args.name!r}")
    return 0

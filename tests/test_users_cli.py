"""`python -m core users …`: managing logins from a terminal."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.accounts import auth
from core.cli.parser import main

pytestmark = pytest.mark.storage

ROOT = Path(__file__).resolve().parent.parent


def run(capsys, monkeypatch, *argv: str, stdin: str | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_add_list_passwd_role_remove(sessions, fast_hashing, capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "users", "list")
    assert code == 0 and "local mode" in out
    code, out, _ = run(
        capsys, monkeypatch, "users", "add", "mei", "--role", "manager", "--password-stdin",
        stdin="peonies-2026\n",
    )
    assert code == 0 and "added manager 'mei'" in out
    run(capsys, monkeypatch, "users", "add", "li", "--role", "staff", "--password-stdin", stdin="tulips-2026")
    code, out, _ = run(capsys, monkeypatch, "users", "list")
    assert code == 0
    assert [line.split()[:2] for line in out.splitlines()[1:]] == [["li", "staff"], ["mei", "manager"]]
    assert "peonies" not in out and "argon2" not in out
    assert auth.authenticate(sessions, "mei", "peonies-2026").name == "mei"

    code, out, _ = run(capsys, monkeypatch, "users", "passwd", "li", "--password-stdin", stdin="new-tulips-1\n")
    assert code == 0
    assert auth.authenticate(sessions, "li", "new-tulips-1").name == "li"
    code, out, _ = run(capsys, monkeypatch, "users", "role", "li", "--role", "manager")
    assert code == 0 and auth.authenticate(sessions, "li", "new-tulips-1").role == "manager"
    code, out, _ = run(capsys, monkeypatch, "users", "remove", "mei")
    assert code == 0
    assert [user.name for user in auth.list_users(sessions)] == ["li"]


def test_the_password_is_asked_twice_and_must_match(sessions, fast_hashing, capsys, monkeypatch):
    answers = iter(["peonies-2026", "peonies-2026"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    code, _out, _ = run(capsys, monkeypatch, "users", "add", "mei", "--role", "manager")
    assert code == 0
    answers = iter(["one-password", "another-one"])
    code, _, err = run(capsys, monkeypatch, "users", "passwd", "mei")
    assert code == 2 and "the two passwords differ" in err
    assert auth.authenticate(sessions, "mei", "peonies-2026").name == "mei"  # unchanged


@pytest.mark.parametrize(
    "argv, stdin, message",
    [
        (["users", "add", "li", "--role", "staff", "--password-stdin"], "short\n", "too short"),
        (["users", "add", "two words", "--role", "staff", "--password-stdin"], "long-enough\n", "spaces"),
        (["users", "add", "li", "--role", "staff"], "long-enough\n", "--password-stdin"),
        (["users", "passwd", "ghost", "--password-stdin"], "long-enough\n", "no user called 'ghost'"),
        (["users", "remove", "ghost"], None, "no user called 'ghost'"),
        (["users", "unlock", "ghost"], None, "no user called 'ghost'"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(sessions, fast_hashing, capsys, monkeypatch, argv, stdin, message):
    code, _, err = run(capsys, monkeypatch, *argv, stdin=stdin if stdin is not None else "")
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_a_script_pipes_the_password_into_a_real_process(isolated_database):
    environment = {**os.environ, "HUAYU_DATABASE_URL": isolated_database}
    result = subprocess.run(
        [sys.executable, "-m", "core", "users", "add", "mei", "--role", "manager", "--password-stdin"],
        check=False, input="peonies-2026\n", cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "core", "users", "list"],
        check=False, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60,
    )
    assert "mei" in listed.stdout and "manager" in listed.stdout
    from core.runtime import sessions as open_sessions

    assert auth.authenticate(open_sessions(isolated_database), "mei", "peonies-2026").role == "manager"

"""`python -m core` as a user runs it: a real process, the real embedded model, a temporary database."""

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HUAYU_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "core", *args],
        check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )


def test_generate_prints_only_a_draft_that_passed_and_logs_every_attempt(isolated_database):
    result = cli(
        "generate", "--task", "complaint", "--input", "The roses I ordered for my mother arrived wilted and brown.",
        "--tone", "formal", "--lang", "en", "--seed", "2",
        database_url=isolated_database,
    )
    with create_engine(isolated_database).connect() as connection:
        rows = connection.execute(
            text("SELECT id, output, status, backend, ttft_ms, completion_tokens, inputs, retry_of "
                 "FROM generations ORDER BY id")
        ).all()
    # Every attempt is logged like the app's; only the last may have passed, the others point
    # back to the first.
    assert 1 <= len(rows) <= 3 and all(row.backend == "gguf" and row.ttft_ms > 0 for row in rows)
    assert all(row.status == "rejected" for row in rows[:-1])
    assert all(row.retry_of == rows[0].id for row in rows[1:])
    assert '"tone": "formal"' in rows[0].inputs
    if result.returncode == 3:  # no attempt passed: nothing on stdout, one line on stderr
        assert result.stdout == "" and rows[-1].status == "rejected"
        assert sum(line.startswith("error:") for line in result.stderr.splitlines()) == 1
        return
    assert result.returncode == 0, result.stderr
    reply = result.stdout.strip()
    last = rows[-1]
    assert last.status == "ok" and last.output.strip() == reply and len(reply.split()) >= 15
    assert f"generation {last.id}" in result.stderr and "tok/s" in result.stderr
    assert 0 < last.completion_tokens <= 200  # the complaint template's cap


def user_error(*args: str, database_url: str) -> str:
    result = cli(*args, database_url=database_url)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # one clear line, never a traceback
    return lines[0]


def test_empty_input_is_a_user_error(isolated_database):
    assert "empty" in user_error("generate", "--input", "  ", database_url=isolated_database)


def test_unknown_option_is_a_user_error(isolated_database):
    line = user_error("generate", "--input", "x", "--colour", "red", database_url=isolated_database)
    assert "--colour" in line


def test_missing_model_file_is_a_user_error(isolated_database, tmp_path):
    line = user_error(
        "generate", "--input", "Wilted roses", "--model", str(tmp_path / "missing.gguf"),
        database_url=isolated_database,
    )
    assert "not found" in line


def test_ggml_model_file_is_a_user_error_that_names_the_fix(isolated_database, tmp_path):
    legacy = tmp_path / "old.ggmlv3.bin"
    legacy.write_bytes(b"tjgg" + bytes(100))
    line = user_error("generate", "--input", "Wilted", "--model", str(legacy), database_url=isolated_database)
    assert "GGML" in line and "GGUF" in line

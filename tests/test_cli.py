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


def test_generate_prints_the_reply_and_logs_it_like_the_app(isolated_database):
    result = cli(
        "generate", "--task", "complaint", "--input", "The delivery was two hours late.",
        "--tone", "formal", "--lang", "en", "--max-new-tokens", "40", "--seed", "3",
        database_url=isolated_database,
    )
    assert result.returncode == 0, result.stderr
    reply = result.stdout.strip()
    assert len(reply.split()) >= 3
    assert "generation 1" in result.stderr and "tok/s" in result.stderr
    with create_engine(isolated_database).connect() as connection:
        row = connection.execute(
            text("SELECT output, status, backend, ttft_ms, completion_tokens, inputs FROM generations")
        ).one()
    assert row.output.strip() == reply
    assert row.status == "ok" and row.backend == "gguf"
    assert row.ttft_ms > 0 and 0 < row.completion_tokens <= 40
    assert '"tone": "formal"' in row.inputs


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

"""`python -m core generate --task bouquet` as a user runs it: the real embedded model."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from core.cli.parser import main

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HUAYU_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "core", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_generate_bouquet_prints_the_description_and_logs_it(isolated_database):
    result = cli(
        "generate",
        "--task",
        "bouquet",
        "--input",
        "12 red roses with baby's breath and greenery, red wrapping paper",
        "--occasion",
        "get well",
        "--length",
        "short",
        "--lang",
        "en",
        "--recipient",
        "a colleague",
        "--seed",
        "6",  # its first two drafts fail a check on this build: the guard writes a third
        database_url=isolated_database,
    )
    assert result.returncode == 0, result.stderr
    description = result.stdout.strip()
    assert len(description.split()) >= 3
    with create_engine(isolated_database).connect() as connection:
        rows = connection.execute(
            text(
                "SELECT id, task, template_id, output, status, backend, inputs, messages, parent_id,"
                " variant_group, completion_tokens FROM generations ORDER BY id"
            )
        ).all()
    *rejected, row = rows
    assert all(r.status == "rejected" for r in rejected)  # every attempt logged, only one shown
    assert f"generation {row.id}" in result.stderr
    assert (row.task, row.template_id, row.status, row.backend) == (
        "bouquet",
        "bouquet_description.en",
        "ok",
        "gguf",
    )
    assert row.output.strip() == description
    assert 0 < row.completion_tokens <= 80  # the template's cap for a short description
    assert json.loads(row.inputs) == {
        "details": "12 red roses with baby's breath and greenery, red wrapping paper",
        "occasion": "get_well",  # "get well" on the command line names the get_well occasion
        "recipient": "a colleague",
        "length": "short",
        "language": "en",
    }
    system, *_, user = json.loads(row.messages)  # the length's example exchange in between
    assert "get well soon" in system["content"] and "one or two sentences" in system["content"]
    assert "<bouquet_details>\nFlowers: 12 red roses" in user["content"]
    assert row.parent_id is None and row.variant_group is None


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--input", " "), "list of flowers is empty"),
        (("--input", "Roses", "--occasion", "party"), "invalid choice: 'party'"),
        (("--input", "Roses", "--length", "epic"), "invalid choice: 'epic'"),
    ],
)
def test_bouquet_user_errors_are_one_line(capsys, args, expected):
    try:
        status = main(["generate", "--task", "bouquet", *args])
    except SystemExit as exit_:  # argparse's errors exit from inside parse_args
        status = exit_.code
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], err

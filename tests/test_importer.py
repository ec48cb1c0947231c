"""Importing past replies: good rows stored as rated generations, bad rows named by line, all or nothing."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

import core.training_data.importer
from core.training_data.importer import ImportFileError, import_file
from db.models import Generation, Rating
from tests.conftest import ROOT, SHARED_DATA

SAMPLE = SHARED_DATA / "import_sample.csv"


def stored(sessions) -> list[tuple[Generation, Rating]]:
    with sessions() as session:
        generations = session.scalars(select(Generation).order_by(Generation.id)).all()
        return [(g, g.latest_rating) for g in generations]


def test_sample_file_imports_good_rows_and_names_bad_lines(sessions):
    result = import_file(sessions, SAMPLE, "Huayu Flowers")
    assert result.imported == 6 and result.with_draft == 3
    assert [str(e) for e in result.errors] == [
        "line 8: input is empty",
        "line 9: task must be complaint or bouquet, not 'unknown_task'",
        "line 10: rating must be a whole number of stars from 1 to 5, not 'seven'",
    ]
    rows = stored(sessions)
    assert [g.task for g, _ in rows] == ["complaint"] * 4 + ["bouquet"] * 2
    assert all(
        g.backend == "imported" and g.model_id == "imported" and g.status == "ok" for g, _ in rows
    )

    first, first_rating = rows[0]  # a Chinese complaint with an earlier draft, 5 stars
    assert first.template_id == "complaint_reply.zh"
    assert first.messages[0]["role"] == "system" and "Huayu Flowers" in first.messages[0]["content"]
    assert "花送到的时候已经蔫了" in first.messages[-1]["content"]
    assert first.output == "抱歉，花蔫了。我们会处理。"  # the draft is what the "model" wrote
    assert first_rating.stars == 5
    assert first_rating.edited_reply.startswith("非常抱歉让您失望了")  # what was sent is the edit
    assert first.created_at.replace(tzinfo=UTC) == datetime(
        2026, 3, 1, 10, tzinfo=UTC
    )

    second, second_rating = rows[1]  # no draft: the sent reply is the output, nothing edited
    assert second.output.startswith("真的很抱歉") and second_rating.edited_reply is None
    assert second_rating.stars == 4

    sunflowers, _ = rows[5]
    assert sunflowers.template_id == "bouquet_description.en"
    assert "6 sunflowers" in sunflowers.messages[-1]["content"]
    assert sunflowers.messages[0]["content"].startswith("You write product descriptions")


def test_jsonl_with_broken_lines(sessions, tmp_path):
    path = tmp_path / "replies.jsonl"
    good = {
        "task": "complaint",
        "input": "Late again.",
        "reply": "Sorry, refunded the fee.",
        "rating": 4,
    }
    path.write_text(
        "\n".join(
            [
                json.dumps(good),
                "{not json",
                "",
                json.dumps(["a", "list"]),
                json.dumps({**good, "rating": 6}),
                json.dumps({"task": "complaint", "input": "x"}),
                json.dumps({**good, "created_at": "yesterday"}),
                json.dumps({**good, "rating": None, "draft": "", "created_at": "2026-03-02"}),
            ]
        ),
        encoding="utf-8",
    )
    result = import_file(sessions, path, "Shop")
    assert result.imported == 2
    assert [e.line for e in result.errors] == [2, 4, 5, 6, 7]
    assert "not valid JSON" in result.errors[0].message
    assert result.errors[1].message == "not a JSON object"
    assert "from 1 to 5" in result.errors[2].message
    assert result.errors[3].message == "reply is missing"
    assert "ISO date" in result.errors[4].message
    (_, rated), (_, unrated) = stored(sessions)
    assert rated.stars == 4 and unrated.stars is None and unrated.edited_reply is None


def test_csv_line_numbers_count_multiline_fields_and_wrong_field_counts(sessions, tmp_path):
    path = tmp_path / "replies.csv"
    path.write_text(
        "task,input,reply\n"
        'complaint,"Two lines\nof complaint","Reply one"\n'  # lines 2-3
        "complaint,,Reply two\n"  # line 4: empty input
        "complaint,a,b,c,d\n"  # line 5: too many fields
        "bouquet,roses,Lovely roses.\n",  # line 6
        encoding="utf-8",
    )
    result = import_file(sessions, path, "Shop")
    assert result.imported == 2
    assert [str(e) for e in result.errors] == [
        "line 4: input is empty",
        "line 5: 5 fields where the header has 3",
    ]


def test_file_level_problems_are_one_clear_error(sessions, tmp_path):
    with pytest.raises(ImportFileError, match="missing: reply"):
        (bad := tmp_path / "no_reply.csv").write_text("task,input\ncomplaint,x\n", encoding="utf-8")
        import_file(sessions, bad, "Shop")
    with pytest.raises(ImportFileError, match="use .csv or .jsonl"):
        (xlsx := tmp_path / "replies.xlsx").write_bytes(b"PK")
        import_file(sessions, xlsx, "Shop")
    with pytest.raises(ImportFileError, match="not found"):
        import_file(sessions, tmp_path / "missing.csv", "Shop")


def test_a_failure_while_writing_leaves_nothing_half_imported(sessions, monkeypatch):
    real_store = core.training_data.importer.store_reply
    calls = []

    def store_then_fail(session, reply, shop_name):
        calls.append(reply)
        if len(calls) == 3:
            raise OSError("disk full")
        return real_store(session, reply, shop_name)

    monkeypatch.setattr(core.training_data.importer, "store_reply", store_then_fail)
    with pytest.raises(OSError):
        import_file(sessions, SAMPLE, "Shop")
    with sessions() as session:
        assert session.scalar(select(func.count(Generation.id))) == 0
        assert session.scalar(select(func.count(Rating.id))) == 0


def test_cli_import_lists_bad_rows_on_stderr_and_exits_1(isolated_database):
    env = {**os.environ, "HUAYU_DATABASE_URL": isolated_database}
    result = subprocess.run(
        [sys.executable, "-m", "core", "import", str(SAMPLE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    # Five of the six are approved (rated 4–5 or edited and sent) and join the few-shot index.
    assert result.stdout.strip() == (
        "imported 6 replies (3 with an earlier draft); 3 rows rejected; 5 indexed as examples"
    )
    errors = result.stderr.strip().splitlines()
    assert [line.split(": ")[1] for line in errors] == ["line 8", "line 9", "line 10"]

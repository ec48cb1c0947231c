"""Huayu's starter pack: enough exemplary replies in both languages, each passing the quality
checks for its own request, none a near copy of an evaluation case, imported once."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.cli.parser import main
from core.drafting.bouquet_description import LENGTHS, OCCASIONS
from core.drafting.requests import prompt_for
from core.examples.starter import load_starter
from core.quality.checks import judge
from core.quality.evaluation import case_text, load_cases, near_duplicates
from core.quality.guard import draft_context
from db.models import Generation
from tests.test_eval_sets import KINDS

SHOP = "Huayu Flowers"
ROWS = load_starter()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_each_language_has_200_complaints_over_every_kind_and_tone_and_60_bouquets(
    language: str,
) -> None:
    complaints = [r for r in ROWS if r.task == "complaint" and r.language == language]
    bouquets = [r for r in ROWS if r.task == "bouquet" and r.language == language]
    assert len(complaints) >= 200 and len(bouquets) >= 60
    kinds = Counter(r.label for r in complaints)
    assert set(kinds) == KINDS and min(kinds.values()) >= 15
    tones = Counter((r.label, r.fields["tone"]) for r in complaints)
    assert len(tones) == len(KINDS) * 3  # every kind in every tone
    assert {r.label for r in bouquets} == set(OCCASIONS)
    assert {r.fields["length"] for r in bouquets} == set(LENGTHS)


def test_ids_are_unique_and_replies_sign_with_the_shops_name() -> None:
    assert len({r.id for r in ROWS}) == len(ROWS)
    assert all(r.reply.rstrip().endswith("{shop_name}") for r in ROWS if r.task == "complaint")


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_every_reply_passes_every_check_for_its_own_request(row) -> None:
    prompt = prompt_for(row.task, row.language, row.fields, SHOP)
    verdict = judge(draft_context(prompt, row.reply.replace("{shop_name}", SHOP)))
    assert verdict.failures == []


def test_no_row_is_a_near_duplicate_of_an_evaluation_case_or_of_another_row() -> None:
    rows = [(r.id, r.text) for r in ROWS]
    cases = [(c.id, case_text(c)) for c in load_cases("all")]
    assert near_duplicates(cases, rows) == []
    assert near_duplicates(rows, rows) == []


@pytest.mark.storage
def test_import_starter_stores_the_pack_once_as_source_starter(
    sessions: sessionmaker[Session], capsys
) -> None:
    assert main(["import", "--starter"]) == 0
    assert capsys.readouterr().out.startswith(
        f"starter pack: {len(ROWS)} replies added, 0 already there; {len(ROWS)} indexed"
    )
    assert main(["import", "--starter"]) == 0
    assert capsys.readouterr().out.startswith(
        f"starter pack: 0 replies added, {len(ROWS)} already there"
    )
    with sessions() as session:
        stored = session.query(Generation).filter(Generation.source == "starter").all()
        assert len(stored) == len(ROWS)
        by_id = {g.external_id: g for g in stored}
        complaint = next(r for r in ROWS if r.task == "complaint")
        generation = by_id[f"starter:{complaint.id}"]
        assert generation.latest_rating.stars == 5 and generation.checks == []
        assert generation.output == complaint.reply.replace("{shop_name}", SHOP)
        assert generation.inputs["tone"] == complaint.fields["tone"]
        assert generation.inputs["complaint"] == complaint.text


def test_an_export_can_leave_the_starter_pack_out(
    sessions: sessionmaker[Session], tmp_path, capsys
) -> None:
    assert main(["import", "--starter"]) == 0
    assert main(["export", "--format", "trl-sft", "--out", str(tmp_path / "all.jsonl")]) == 0
    assert (
        main(
            ["export", "--format", "trl-sft", "--out", str(tmp_path / "own.jsonl"), "--no-starter"]
        )
        == 0
    )
    assert len((tmp_path / "all.jsonl").read_text().splitlines()) == len(ROWS)
    assert (tmp_path / "own.jsonl").read_text() == ""


def test_the_command_wants_a_file_or_starter(capsys) -> None:
    assert main(["import"]) == 2
    assert "either a FILE" in capsys.readouterr().err

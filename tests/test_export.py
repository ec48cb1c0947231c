"""The fine-tuning export: the rules, each format's records field by field, scrubbing, dedupe, split."""

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from core.training_data.export import (
    ExportOptions,
    edit_pair,
    export_dataset,
    export_download,
    in_validation,
    kto_examples,
    output_paths,
    rating_pairs,
    sft_example,
    variant_pairs,
)
from core.training_data.export_formats import FORMATS, KtoExample, PreferenceExample, SftExample
from core.training_data.importer import import_file
from db.export_queries import ExportRow
from db.repository import GenerationRecord, add_rating, log_generation
from tests.conftest import ROOT, SHARED_DATA

SYSTEM = {"role": "system", "content": "You are Huayu Flowers' assistant. Call us on 400-820-8820."}


def prompt(text: str = "The roses wilted.") -> list[dict[str, str]]:
    return [SYSTEM, {"role": "user", "content": text}]


def row(output: str = "Sorry.", **fields) -> ExportRow:
    values = {
        "generation_id": 1,
        "task": "complaint",
        "messages": prompt(),
        "output": output,
        "variant_group": None,
        "chosen": None,
        "rating_id": 1,
        "thumbs": None,
        "stars": None,
        "edited_reply": None,
    }
    return ExportRow(**{**values, **fields})


def add(
    sessions,
    output="Sorry.",
    *,
    user="The roses wilted.",
    task="complaint",
    status="ok",
    created_at=None,
    variant_group=None,
    chosen=None,
    **rating,
) -> int:
    """One generation (and a rating when rating fields are given), as the app would log it."""
    with sessions.begin() as session:
        generation = log_generation(
            session,
            GenerationRecord(
                task=task,
                template_id=f"{task}.en",
                template_version="v1",
                inputs={"text": user},
                messages=prompt(user),
                output=output,
                backend="fake",
                model_id="fake-model",
                status=status,
                variant_group=variant_group,
            ),
        )
        generation.chosen = chosen
        if created_at is not None:
            generation.created_at = created_at
        if rating:
            add_rating(session, generation.id, **rating)
        return generation.id


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def export(sessions, tmp_path, fmt, **options) -> list[dict]:
    summary = export_dataset(
        sessions, ExportOptions(format=fmt, **options), tmp_path / f"{fmt}.jsonl"
    )
    return read_jsonl(summary.files[0])


# -- the rules, on plain rows ----------------------------------------------------------------------


def test_sft_target_is_the_edited_reply_else_an_approved_draft():
    assert (
        sft_example(row(edited_reply="Sorry, fresh roses today.", stars=1)).completion
        == "Sorry, fresh roses today."
    )
    assert sft_example(row(stars=4)).completion == "Sorry."
    assert sft_example(row(thumbs=1)).completion == "Sorry."
    assert sft_example(row(stars=3)).completion == "Sorry."
    assert sft_example(row(stars=2)) is None  # marked down: teaches the wrong thing
    assert sft_example(row(thumbs=-1, stars=5)) is None
    assert sft_example(row(rating_id=None)) is None  # never rated
    assert sft_example(row(rating_id=None, chosen=True)).completion == "Sorry."  # picked variant
    assert sft_example(row(rating_id=None, chosen=False)) is None
    assert sft_example(row(stars=4)).prompt[0] == SYSTEM  # the system prompt travels along


def test_edit_pair_prefers_what_was_sent_over_the_draft():
    pair = edit_pair(row(edited_reply="Sorry, fresh roses today."))
    assert (pair.chosen, pair.rejected, pair.source) == (
        "Sorry, fresh roses today.",
        "Sorry.",
        "edit",
    )
    assert edit_pair(row(edited_reply=" Sorry. ")) is None  # nothing changed
    assert edit_pair(row()) is None


def test_variant_pairs_put_the_picked_draft_over_each_other():
    group = [
        row("A", generation_id=1, variant_group="g", chosen=False),
        row("B", generation_id=2, variant_group="g", chosen=True, stars=4),
        row("C", generation_id=3, variant_group="g", chosen=False),
        row(
            "B", generation_id=4, variant_group="g", chosen=False
        ),  # same text as the pick: no pair
    ]
    pairs = variant_pairs(group)
    assert [(p.chosen, p.rejected, p.source) for p in pairs] == [
        ("B", "A", "variant"),
        ("B", "C", "variant"),
    ]
    assert variant_pairs(group, min_rating=5) == []  # the pick has 4 stars
    assert variant_pairs([r for r in group if not r.chosen]) == []  # nothing picked yet


def test_rating_pairs_put_the_best_reply_to_one_prompt_over_each_worse_one():
    same_prompt = [
        row("ok", generation_id=1, stars=3),
        row("best", generation_id=2, stars=5),
        row("bad", generation_id=3, thumbs=-1),  # thumbs down counts as 2
        row("also best", generation_id=4, stars=5),  # a tie with the best: not a pair
        row("unrated", generation_id=5, rating_id=None),
    ]
    pairs = rating_pairs(same_prompt)
    assert [(p.chosen, p.rejected) for p in pairs] == [("best", "ok"), ("best", "bad")]
    assert all(p.source == "rating" for p in pairs)
    assert rating_pairs(same_prompt, min_rating=5) == pairs
    assert rating_pairs([row(stars=5)]) == []


def test_kto_verdicts_from_thumbs_else_stars_and_edits_are_good():
    assert [(e.completion, e.label) for e in kto_examples(row(thumbs=1))] == [("Sorry.", True)]
    assert [(e.completion, e.label) for e in kto_examples(row(thumbs=-1, stars=5))] == [
        ("Sorry.", False)
    ]
    assert [
        (e.completion, e.label) for e in kto_examples(row(stars=2, edited_reply="Better."))
    ] == [
        ("Sorry.", False),
        ("Better.", True),
    ]
    assert kto_examples(row(stars=3)) == []  # neutral: no verdict


# -- records, field by field -----------------------------------------------------------------------

SFT = SftExample(
    prompt=(SYSTEM, {"role": "user", "content": "Wilted."}), completion="Fresh ones today."
)
ASSISTANT = {"role": "assistant", "content": "Fresh ones today."}


def test_openai_and_trl_sft_records():
    for name in ("openai-chat", "trl-sft"):
        assert FORMATS[name].record(SFT) == {
            "messages": [SYSTEM, {"role": "user", "content": "Wilted."}, ASSISTANT]
        }
    assert FORMATS["trl-prompt-completion"].record(SFT) == {
        "prompt": [SYSTEM, {"role": "user", "content": "Wilted."}],
        "completion": [ASSISTANT],
    }


def test_trl_preference_and_unpaired_records():
    pair = PreferenceExample(prompt=SFT.prompt, chosen="Good.", rejected="Bad.", source="edit")
    assert FORMATS["trl-dpo"].record(pair) == {
        "prompt": list(SFT.prompt),
        "chosen": [{"role": "assistant", "content": "Good."}],
        "rejected": [{"role": "assistant", "content": "Bad."}],
    }
    verdict = KtoExample(prompt=SFT.prompt, completion="Bad.", label=False)
    assert FORMATS["trl-kto"].record(verdict) == {
        "prompt": list(SFT.prompt),
        "completion": [{"role": "assistant", "content": "Bad."}],
        "label": False,
    }


def test_llama_factory_records_keep_the_system_prompt_and_history():
    multi_turn = SftExample(
        prompt=(
            SYSTEM,
            {"role": "user", "content": "Draft?"},
            {"role": "assistant", "content": "Draft."},
            {"role": "user", "content": "Shorter."},
        ),
        completion="Short.",
    )
    assert FORMATS["alpaca"].record(multi_turn) == {
        "instruction": "Shorter.",
        "input": "",
        "output": "Short.",
        "system": SYSTEM["content"],
        "history": [["Draft?", "Draft."]],
    }
    assert FORMATS["sharegpt"].record(multi_turn) == {
        "conversations": [
            {"from": "human", "value": "Draft?"},
            {"from": "gpt", "value": "Draft."},
            {"from": "human", "value": "Shorter."},
            {"from": "gpt", "value": "Short."},
        ],
        "system": SYSTEM["content"],
    }


# -- from the database -----------------------------------------------------------------------------


def test_preference_export_draws_pairs_from_all_three_rules(sessions, tmp_path):
    add(sessions, "Sorry.", edited_reply="Sorry, fresh roses tomorrow.", user="Wilted roses.")
    add(sessions, "Variant A", user="Late delivery.", variant_group="g1", chosen=True)
    add(sessions, "Variant B", user="Late delivery.", variant_group="g1", chosen=False)
    add(sessions, "Great reply", user="Wrong flowers.", stars=5)
    add(sessions, "Weak reply", user="Wrong flowers.", stars=2)
    add(sessions, "Other prompt", user="Something else.", stars=1)
    summary = export_dataset(sessions, ExportOptions(format="trl-dpo"), tmp_path / "dpo.jsonl")
    records = read_jsonl(summary.files[0])
    pairs = {
        (r["prompt"][1]["content"], r["chosen"][0]["content"], r["rejected"][0]["content"])
        for r in records
    }
    assert pairs == {
        ("Wilted roses.", "Sorry, fresh roses tomorrow.", "Sorry."),
        ("Late delivery.", "Variant A", "Variant B"),
        ("Wrong flowers.", "Great reply", "Weak reply"),
    }
    assert dict(summary.sources) == {"edit": 1, "variant": 1, "rating": 1}
    assert all(r["prompt"][0] == SYSTEM for r in records)


def test_filters_task_since_min_rating_and_only_successful_generations(sessions, tmp_path):
    old = datetime(2026, 1, 5, tzinfo=UTC)
    add(sessions, "Old", stars=5, created_at=old)
    add(sessions, "Bouquet copy", task="bouquet", stars=5)
    add(sessions, "Four", stars=4)
    add(sessions, "Five", stars=5)
    add(sessions, "Broken", status="error", stars=5)
    add(sessions, "Thumbs only", thumbs=1)

    def outputs(**options):
        return [
            r["messages"][-1]["content"]
            for r in export(sessions, tmp_path, "openai-chat", **options)
        ]

    assert outputs() == ["Old", "Bouquet copy", "Four", "Five", "Thumbs only"]
    assert outputs(task="bouquet") == ["Bouquet copy"]
    assert outputs(since=date(2026, 2, 1)) == ["Bouquet copy", "Four", "Five", "Thumbs only"]
    assert outputs(min_rating=5) == ["Old", "Bouquet copy", "Five"]


def test_a_rejected_draft_staff_fixed_exports_the_reply_they_sent(sessions, tmp_path):
    add(sessions, "Dear [name], sorry.", status="rejected", stars=4, edited_reply="We are so sorry; fresh roses come today.")
    add(sessions, "Dear [name], sorry again.", status="rejected")  # never rated: not exported
    assert [r["messages"][-1]["content"] for r in export(sessions, tmp_path, "openai-chat")] == [
        "We are so sorry; fresh roses come today."
    ]


def test_newest_rating_counts(sessions, tmp_path):
    generation_id = add(sessions, "Sorry.", stars=5)
    with sessions.begin() as session:
        add_rating(session, generation_id, stars=1)
    assert export(sessions, tmp_path, "openai-chat") == []


def test_scrubbed_by_default_except_the_shops_own_system_prompt(sessions, tmp_path):
    add(
        sessions,
        "We'll call 13812345678 about YS20260214-0381.",
        stars=5,
        user="Order YS20260214-0381 to 北京市朝阳区建国路88号, mail me at li@example.com",
    )
    [record] = export(sessions, tmp_path, "openai-chat")
    system, user, reply = record["messages"]
    assert system == SYSTEM  # the shop's phone number is part of its prompt, not customer data
    assert user["content"] == "Order [ORDER] to [ADDRESS], mail me at [EMAIL]"
    assert reply["content"] == "We'll call [PHONE] about [ORDER]."
    [raw] = export(sessions, tmp_path, "openai-chat", scrub=False)
    assert "13812345678" in raw["messages"][2]["content"]


def test_exact_duplicates_are_dropped_even_when_scrubbing_made_them(sessions, tmp_path):
    add(sessions, "Sorry.", stars=5)
    add(sessions, "Sorry.", stars=4)
    add(sessions, "Sorry, call 13812345678.", stars=5)
    add(sessions, "Sorry, call 13987654321.", stars=5)
    summary = export_dataset(sessions, ExportOptions(format="openai-chat"), tmp_path / "sft.jsonl")
    assert summary.records == 2 and summary.duplicates == 2
    assert [r["messages"][-1]["content"] for r in read_jsonl(summary.files[0])] == [
        "Sorry.",
        "Sorry, call [PHONE].",
    ]


def test_split_is_deterministic_by_prompt_and_close_to_the_fraction(sessions, tmp_path):
    for i in range(200):
        add(sessions, f"Reply {i}", user=f"Complaint {i}", stars=5)
        add(sessions, f"Other reply {i}", user=f"Complaint {i}", stars=4)
    first = export_dataset(
        sessions, ExportOptions(format="trl-sft", split=0.2), tmp_path / "a" / "sft.jsonl"
    )
    second = export_dataset(
        sessions, ExportOptions(format="trl-sft", split=0.2), tmp_path / "b" / "sft.jsonl"
    )
    assert [p.name for p in first.files] == ["sft.train.jsonl", "sft.val.jsonl"]
    assert first.files[0].read_bytes() == second.files[0].read_bytes()
    assert first.files[1].read_bytes() == second.files[1].read_bytes()
    assert first.records == 400 and 40 <= first.validation <= 120
    train_prompts = {r["messages"][1]["content"] for r in read_jsonl(first.files[0])}
    val_prompts = {r["messages"][1]["content"] for r in read_jsonl(first.files[1])}
    assert not train_prompts & val_prompts  # both replies to one complaint land on the same side
    assert output_paths(Path("out.jsonl"), 0.0) == (Path("out.jsonl"), None)
    assert not in_validation(SFT, 0.0)


def test_llama_factory_formats_write_their_dataset_info_entry_beside_the_file(sessions, tmp_path):
    add(sessions, "Sorry.", stars=5)
    (tmp_path / "dataset_info.json").write_text(
        json.dumps({"mine": {"file_name": "mine.json"}}), encoding="utf-8"
    )
    export_dataset(sessions, ExportOptions(format="alpaca", split=0.5), tmp_path / "huayu.jsonl")
    export_dataset(sessions, ExportOptions(format="sharegpt"), tmp_path / "chat.jsonl")
    info = json.loads((tmp_path / "dataset_info.json").read_text(encoding="utf-8"))
    assert info["mine"] == {"file_name": "mine.json"}  # other datasets are kept
    assert info["huayu_train"]["file_name"] == "huayu.train.jsonl"
    assert info["huayu_val"]["file_name"] == "huayu.val.jsonl"
    assert info["huayu_train"]["formatting"] == "alpaca"
    assert info["huayu_train"]["columns"] == {
        "prompt": "instruction",
        "query": "input",
        "response": "output",
        "system": "system",
        "history": "history",
    }
    assert info["chat"] == {
        "file_name": "chat.jsonl",
        "formatting": "sharegpt",
        "columns": {"messages": "conversations", "system": "system"},
        "tags": {
            "role_tag": "from",
            "content_tag": "value",
            "user_tag": "human",
            "assistant_tag": "gpt",
            "system_tag": "system",
        },
    }


def test_download_is_one_jsonl_or_a_zip_of_several_files(sessions):
    import io
    import zipfile

    add(sessions, "Sorry.", stars=5)
    single = export_download(sessions, ExportOptions(format="openai-chat"))
    assert single.file_name == "huayu-openai-chat.jsonl" and single.summary.records == 1
    assert json.loads(single.data)["messages"][-1]["content"] == "Sorry."
    bundle = export_download(sessions, ExportOptions(format="alpaca", split=0.1))
    assert bundle.file_name == "huayu-alpaca.zip"
    names = zipfile.ZipFile(io.BytesIO(bundle.data)).namelist()
    assert sorted(names) == [
        "dataset_info.json",
        "huayu-alpaca.train.jsonl",
        "huayu-alpaca.val.jsonl",
    ]


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="unknown format"):
        ExportOptions(format="csv")
    with pytest.raises(ValueError, match="fraction"):
        ExportOptions(format="alpaca", split=1.5)


# -- import then export, as a user runs it ---------------------------------------------------------


def cli(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HUAYU_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "core", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_import_then_export_round_trips_the_sample_in_every_format(
    sessions, isolated_database, tmp_path
):
    import_file(sessions, SHARED_DATA / "import_sample.csv", "Huayu Flowers")
    # 6 good rows: 3 with drafts (3 edit pairs); the 2-star reply is no SFT target but a KTO "bad"
    expected = {"sft": 5, "preference": 3, "kto": 9}
    for name, export_format in FORMATS.items():
        out = tmp_path / name / "data.jsonl"
        result = cli("export", "--format", name, "--out", str(out), database_url=isolated_database)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"{expected[export_format.kind]} records;")
        records = read_jsonl(out)
        assert len(records) == expected[export_format.kind]
        text = json.dumps(records, ensure_ascii=False)
        assert "你是Huayu Flowers花店的客服助手" in text or "Huayu Flowers" in text
        if export_format.llama_factory:
            assert (
                json.loads((out.parent / "dataset_info.json").read_text())["data"]["file_name"]
                == "data.jsonl"
            )
    sft = read_jsonl(tmp_path / "openai-chat" / "data.jsonl")
    replies = [r["messages"][-1]["content"] for r in sft]
    assert replies[0].startswith(
        "非常抱歉让您失望了"
    )  # the sent reply, not the draft "抱歉，花蔫了。"
    assert not any(
        r.startswith("We're very sorry the roses arrived wilted") for r in replies
    )  # 2 stars
    dpo = read_jsonl(tmp_path / "trl-dpo" / "data.jsonl")
    assert [r["rejected"][0]["content"] for r in dpo] == [
        "抱歉，花蔫了。我们会处理。",
        "Sorry for the delay.",
        "Sunflowers bouquet.",
    ]


def test_cli_export_splits_and_reports_bad_options(sessions, isolated_database, tmp_path):
    import_file(sessions, SHARED_DATA / "import_sample.csv", "Huayu Flowers")
    result = cli(
        "export",
        "--format",
        "trl-sft",
        "--out",
        str(tmp_path / "sft.jsonl"),
        "--split",
        "0.5",
        "--task",
        "complaint",
        "--min-rating",
        "4",
        "--since",
        "2026-03-02",
        database_url=isolated_database,
    )
    assert result.returncode == 0, result.stderr
    train, val = read_jsonl(tmp_path / "sft.train.jsonl"), read_jsonl(tmp_path / "sft.val.jsonl")
    assert len(train) + len(val) == 2  # complaints from 2 March on with 4+ stars
    assert "(train " in result.stdout
    bad = cli(
        "export",
        "--format",
        "trl-sft",
        "--out",
        str(tmp_path / "x.jsonl"),
        "--split",
        "2",
        database_url=isolated_database,
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "fraction" in bad.stderr
    bad_date = cli(
        "export",
        "--format",
        "trl-sft",
        "--out",
        "x.jsonl",
        "--since",
        "March",
        database_url=isolated_database,
    )
    assert bad_date.returncode == 2 and "2026-03-01" in bad_date.stderr

"""The shop's own model: the training set, a tiny real fine-tune served by llama.cpp, the gate."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from core.models.backends import GenerationParams, ModelError
from core.models.backends.gguf import GgufEngine, embedded_model_path
from core.models.tuned import DEFAULT_POINTER, default_tuned, read_tuned, set_default, tuned_models
from core.runtime import backend_config
from core.runtime import sessions as open_sessions
from core.tuning import convert, dataset
from core.tuning.gate import eval_set_for, verdict
from core.tuning.jobs import Job, JobRunning, cancel_job, current_job, start_job
from db.repository import GenerationRecord, add_rating, log_generation

ROOT = Path(__file__).resolve().parents[1]
SYSTEM = "You answer customers of a flower shop in one or two sentences."
# Eight short complaints and the replies to learn: all promise the same thing in the same words,
# so even a few steps of training move the model's greedy reply towards them.
PAIRS = [
    ("My roses arrived wilted.", "roses arrived wilted"),
    ("The delivery was two hours late.", "delivery was late"),
    ("You sent the wrong colour of tulips.", "tulips were the wrong colour"),
    ("The vase was cracked when it came.", "vase arrived cracked"),
    ("There was no card with the flowers.", "card was missing"),
    ("The lilies were brown at the edges.", "lilies were brown"),
    ("I was charged twice for one bouquet.", "bouquet was charged twice"),
    ("The driver left the flowers in the rain.", "flowers were left in the rain"),
]


def _row(complaint: str, problem: str) -> dict[str, object]:
    return {
        "prompt": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": complaint}],
        "completion": [
            {
                "role": "assistant",
                "content": f"Petal Lane is sorry your {problem}. A fresh bouquet is on its way today.",
            }
        ],
    }


@pytest.fixture
def tiny_data(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.jsonl"
    path.write_text("".join(json.dumps(_row(*pair)) + "\n" for pair in PAIRS), encoding="utf-8")
    return path


def _log(session: object, reply: str, *, language: str = "en", user: str = "Late flowers.") -> int:
    generation = log_generation(
        session,  # type: ignore[arg-type]
        GenerationRecord(
            task="complaint",
            template_id=f"complaint_reply.{language}",
            template_version="complaint_reply.v9",
            inputs={"language": language},
            messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}],
            output=reply,
            backend="gguf",
            model_id="test",
        ),
    )
    return generation.id


# -- the training set ---------------------------------------------------------------------------


def test_shop_replies_come_edited_first_then_rated_and_marked_down_drafts_are_left_out(sessions):
    with sessions.begin() as session:
        rated = _log(session, "Sorry, a new bouquet comes today.", user="The roses drooped.")
        add_rating(session, rated, stars=5)
        edited = _log(session, "draft", user="The tulips were late.")
        add_rating(
            session,
            edited,
            edited_reply="We are sorry the tulips were late; a refund is on its way.",
        )
        bad = _log(session, "Whatever.", user="Rude driver.")
        add_rating(session, bad, thumbs=-1)
        chinese = _log(session, "非常抱歉，我们今天为您补送。", language="zh", user="花蔫了。")
        add_rating(session, chinese, stars=4)

    data = dataset.build(sessions, "db", shop_name="Petal Lane", validation_share=0.0)
    assert [(e.origin, e.sft.completion) for e in data.train] == [
        ("edited", "We are sorry the tulips were late; a refund is on its way."),
        ("rated", "Sorry, a new bouquet comes today."),
        ("rated", "非常抱歉，我们今天为您补送。"),
    ]
    english = dataset.build(sessions, "db", shop_name="Petal Lane", languages=frozenset({"en"}))
    assert {e.language for e in english.train + english.validation} == {"en"}
    assert english.counts()["by_origin"] == {"edited": 1, "rated": 1}


def test_personal_data_is_scrubbed_before_training(sessions):
    with sessions.begin() as session:
        generation = _log(session, "draft", user="Call me on 13812345678, the roses died.")
        add_rating(session, generation, edited_reply="Sorry! We will call 13812345678 today.")
    (example,) = dataset.build(sessions, "db", shop_name="Petal Lane", validation_share=0.0).train
    assert "13812345678" not in json.dumps(example.record(), ensure_ascii=False)


def test_the_starter_pack_is_prompted_as_the_app_prompts_and_split_the_same_way_every_time():
    first = dataset.build(None, "starter", shop_name="Petal Lane", languages=frozenset({"en"}))
    again = dataset.build(None, "starter", shop_name="Petal Lane", languages=frozenset({"en"}))
    assert first.fingerprint() == again.fingerprint()
    assert len(first.train) > 200 and 0 < len(first.validation) < len(first.train) / 5
    example = first.train[0]
    assert (
        example.sft.prompt[0]["role"] == "system"
        and "Petal Lane" in example.sft.prompt[0]["content"]
    )
    assert "{shop_name}" not in example.sft.completion
    validation_prompts = {json.dumps(e.sft.prompt) for e in first.validation}
    assert not any(json.dumps(e.sft.prompt) in validation_prompts for e in first.train)


def test_the_starter_pack_is_capped_at_its_share_of_the_shops_own_replies():
    shop = [dataset.Example(dataset.SftExample((), f"reply {i}"), "rated", "en") for i in range(30)]
    starter = [
        dataset.Example(dataset.SftExample((), f"pack {i}"), "starter", "en") for i in range(100)
    ]
    mixed = dataset.mix(shop, starter, 0.25)
    assert mixed[:30] == shop
    assert len(mixed) == 40  # 10 of 40 from the pack
    assert dataset.mix([], starter, 0.25) == starter
    assert dataset.mix(shop, starter, 0.0) == shop


def test_an_export_file_is_read_in_either_format(tmp_path: Path):
    path = tmp_path / "export.jsonl"
    chat = {
        "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]
    }
    path.write_text(json.dumps(_row(*PAIRS[0])) + "\n" + json.dumps(chat) + "\n", encoding="utf-8")
    examples = dataset.file_examples(path)
    assert [e.sft.completion for e in examples][1] == "Hello!"
    path.write_text('{"prompt": "no messages"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="line 1"):
        dataset.file_examples(path)


# -- a real fine-tune, end to end ---------------------------------------------------------------


def _greedy(engine: GgufEngine, complaint: str) -> str:
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": complaint}]
    return "".join(
        engine.stream(messages, GenerationParams(temperature=0.0, max_new_tokens=24, seed=0))
    )


def _wait(job: Job, timeout: float = 900) -> str:
    deadline = time.monotonic() + timeout
    while job.running() and time.monotonic() < deadline:
        time.sleep(1)
    # Read back as the page does: a cancel is recorded in the job's file.
    found = current_job(job.folder.parent)
    return found.state if found is not None else "missing"


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python -m core tune` on eight examples (max length 128), started in the background as the
    training page starts it."""
    home = tmp_path_factory.mktemp("tune")
    data = home / "tiny.jsonl"
    data.write_text("".join(json.dumps(_row(*pair)) + "\n" for pair in PAIRS), encoding="utf-8")
    models_dir = home / "models"
    database = f"sqlite:///{home / 'huayu.db'}"
    # Staff edited four drafts: the DPO stage learns the sent reply over the draft.
    shop = open_sessions(database)
    with shop.begin() as session:
        for complaint, problem in PAIRS[:4]:
            generation = _log(session, "We apologise for any inconvenience caused.", user=complaint)
            add_rating(
                session,
                generation,
                edited_reply=_row(complaint, problem)["completion"][0]["content"],
            )
    arguments = [
        "--data",
        str(data),
        "--epochs",
        "3",
        "--max-length",
        "128",
        "--learning-rate",
        "1e-3",
        "--no-eval",
        "--dpo",
    ]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HUAYU_MODELS_DIR", str(models_dir))
        patch.setenv("HUAYU_DATABASE_URL", database)
        job = start_job(models_dir, arguments, out=models_dir / "tiny-shop", started_by="test")
    assert _wait(job) == "done", job.log_tail()
    found = current_job(models_dir)
    assert found is not None and found.state == "done" and found.record["started_by"] == "test"
    assert "step 6/6" in found.log_tail()  # SFT: 3 epochs of 2 batches
    assert found.progress()["stage"] == "done"
    return job.out


def test_a_tiny_fine_tune_is_served_by_llama_cpp_and_changes_the_greedy_reply(tiny_model: Path):
    tuned = read_tuned(tiny_model)
    assert tuned is not None
    manifest = tuned.manifest
    assert manifest["base"] == {
        "path": "embedded",
        "file": embedded_model_path().name,
        "sha256": manifest["base"]["sha256"],
    }
    assert len(manifest["base"]["sha256"]) == 64
    data = manifest["data"]
    assert data["train"] + data["validation"] == 8 and data["by_origin"] == {"file": 8}
    assert manifest["hyperparameters"]["max_length"] == 128
    training = manifest["training"]
    assert training["steps"] == 6 and len(training["loss_curve"]) == 6
    # Three passes over the same eight replies: the loss must come down.
    assert training["loss_curve"][-1]["loss"] < training["loss_curve"][0]["loss"]
    dpo = manifest["dpo"]
    assert dpo["pairs"] == 4 and dpo["steps"] == 2 and dpo["train_loss"] is not None
    assert 1_000_000 < tuned.adapter_path.stat().st_size < 30_000_000
    assert tuned.adapter_path.read_bytes()[:4] == b"GGUF"

    config = backend_config("gguf", model=str(tiny_model))
    assert config.lora_path == str(tuned.adapter_path)  # type: ignore[attr-defined]
    base = GgufEngine(backend_config("gguf"))  # type: ignore[arg-type]
    adapted = GgufEngine(config)  # type: ignore[arg-type]
    try:
        assert adapted.model_id == f"{embedded_model_path().stem}+tiny-shop"
        complaint = "My peonies came late and squashed."
        # llama.cpp releases have been known to accept an adapter and silently ignore it.
        assert _greedy(adapted, complaint) != _greedy(base, complaint)
        assert "sorry" in _greedy(adapted, complaint).lower()
    finally:
        base.close()
        adapted.close()


def test_tuned_models_are_listed_and_the_gate_s_pick_becomes_the_default(tiny_model: Path):
    models_dir = tiny_model.parent
    listed = tuned_models(models_dir)
    assert listed[0].folder == tiny_model
    assert f"{listed[0].examples} examples" in listed[0].label()
    if (ROOT / "shop_model" / "huayu-starter" / "manifest.json").is_file():
        assert listed[-1].name == "huayu-starter"
    tuned = read_tuned(tiny_model)
    assert tuned is not None
    set_default(models_dir, tuned)
    assert (models_dir / DEFAULT_POINTER).read_text().strip() == "tiny-shop"
    default = default_tuned(models_dir)
    assert default is not None and default.folder == tiny_model


def test_a_tuned_model_needs_the_gguf_backend(tiny_model: Path):
    with pytest.raises(ModelError, match="GGUF backend"):
        backend_config("hf", model=str(tiny_model))


def test_without_the_converter_the_error_says_how_to_fetch_it(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("HUAYU_LLAMA_CPP_TOOLS", str(tmp_path / "nowhere"))
    with pytest.raises(convert.ConversionError, match="python -m core.tuning.convert"):
        convert.to_gguf(tmp_path, tmp_path, tmp_path / "out.lora.gguf")


def test_the_converter_comes_from_the_installed_llama_cpp_release():
    assert convert.installed(), "make fetches it (python -m core.tuning.convert)"
    assert (convert.tools_dir() / "VERSION").read_text().strip() == convert.llama_cpp_version()


def test_one_run_at_a_time_and_a_cancelled_run_stops(tmp_path: Path, tiny_data: Path):
    models_dir = tmp_path / "models"
    arguments = ["--data", str(tiny_data), "--max-length", "128", "--no-eval"]
    job = start_job(models_dir, arguments, out=models_dir / "first", started_by="ana")
    try:
        with pytest.raises(JobRunning, match="ana"):
            start_job(models_dir, arguments, out=models_dir / "second", started_by="bo")
    finally:
        cancel_job(job)
    assert _wait(job, timeout=30) == "cancelled"
    assert not job.running()


# -- the gate -----------------------------------------------------------------------------------


def _report(passed: list[bool]) -> dict[str, object]:
    results = [
        {
            "id": f"c{i}",
            "passed": p,
            "usable": p,
            "first_passed": p,
            "failed": [] if p else [{"id": "invented", "severity": "hard"}],
        }
        for i, p in enumerate(passed)
    ]
    return {"results": results, "checks": {}}


def test_the_tuned_model_wins_only_with_a_higher_pass_rate_and_more_wins_than_losses():
    base = _report([True, False, False, True])
    assert verdict(base, _report([True, True, True, True]))["won"] is True
    assert verdict(base, _report([True, False, False, True]))["won"] is False  # a tie is no win
    assert verdict(base, _report([False, True, True, False]))["won"] is False
    result = verdict(base, _report([True, True, False, True]))
    assert result["pass_rate"] == {"base": 0.5, "tuned": 0.75} and result["wins"] == 1


def test_the_gate_evaluates_in_the_languages_the_base_writes():
    assert eval_set_for(frozenset({"en"})) == "en"
    assert eval_set_for(frozenset({"en", "zh"})) == "all"
    assert eval_set_for(None) == "all"

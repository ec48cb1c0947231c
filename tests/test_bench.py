"""The benchmark suite at toy sizes: every row runs on the real embedded model and is well-formed.

These tests check structure, never speed: timings on a shared test machine prove nothing.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import replace

import pytest

from bench.concurrency import Request, overtaken
from bench.lesson_custom_llm import CustomLLM
from bench.report import Report, Row, jain_index, percentile
from bench.storage import EXPORT_FORMATS, run_measured
from bench.suite import Options, run_suite
from bench.warm_call import corruption_sample
from bench.workload import QUICK, complaint_prompt, flat_prompt, without_example
from core.cli.parser import main
from core.models.backends import GenerationParams
from core.models.backends.gguf import embedded_model_path
from core.models.tuned import SHIPPED_DIR, read_tuned

TOY = replace(
    QUICK,
    lesson_calls=1,
    huayu_warm_calls=1,
    lesson_max_tokens=8,
    decode_tokens=6,
    decode_repetitions=1,
    ttft_repetitions=1,
    sessions=3,
    generations_per_session=2,
    concurrency_tokens=2,
    log_writes=10,
    history_rows=120,
    history_repetitions=2,
    retrieval_rows=300,
    retrieval_queries=2,
    tune_examples=2,
    dashboard_rows=400,
    dashboard_repetitions=1,
)
ROW_KEYS = [
    "warm_call",
    "decode",
    "prefix_cache",
    "concurrency",
    "storage",
    "embedder_choice",
    "retrieval",
    "gpu",
    "shop_model",
    "dashboard",
]


def test_the_whole_suite_at_toy_sizes_writes_every_row(tmp_path):
    lines: list[str] = []
    options = Options(out=tmp_path / "results", markdown=tmp_path / "BENCHMARKS.md", sizes=TOY)
    report, json_path, markdown_path = run_suite(options, echo=lines.append)

    assert [row.key for row in report.rows] == ROW_KEYS
    errors = {row.key: row.result for row in report.rows if row.status == "error"}
    assert not errors
    for row in report.rows:
        assert row.result and row.goal and row.compares
        assert row.met in (True, False, None)
        assert any(
            line.startswith(
                f"[{ROW_KEYS.index(row.key) + 1}/{len(ROW_KEYS)}] {row.title}: {row.result}"
            )
            for line in lines
        )

    data = json.loads(json_path.read_text())
    assert data["machine"]["cpu_model"] and data["machine"]["cores"] and data["machine"]["ram"]
    assert data["settings"]["model_loads_in_run"] == 1  # rows 2-4 reuse the warm-call row's model
    rows = {row["key"]: row for row in data["rows"]}

    warm = rows["warm_call"]["details"]
    assert warm["huayu"]["load_count"] == 1
    assert len(warm["huayu"]["call_s"]) == 2 and len(warm["lesson"]["call_s"]) == 1
    assert warm["lesson"]["n_threads"] == 4
    assert warm["lesson"]["sample"]["returned_chars"] < warm["lesson"]["sample"]["completion_chars"]

    decode = rows["decode"]["details"]
    assert {"huayu", "raw_1_threads", "raw_defaults"} <= set(decode["tokens_per_second_median"])
    assert decode["tokens_generated"]["raw_1_threads"] == [6]

    retrieval = rows["retrieval"]["details"]
    assert retrieval["rows"] == 300 and len(retrieval["retrieval_ms"]) == 2
    # More examples, a longer prompt: the few-shot exchanges really are in it.
    tokens = {int(k): v for k, v in retrieval["prompt_tokens_last_case"].items()}
    assert tokens[0] < tokens[2] < tokens[4]
    choice = rows["embedder_choice"]["details"]
    assert set(choice["mean"]) == {"use-m3", "e5-small"}
    assert all(0 <= v <= 1 for scores in choice["precision_at_3"].values() for v in scores.values())

    ttft = rows["prefix_cache"]["details"]
    assert (
        0
        < ttft["shared_prefix_tokens_other_tone"]
        < ttft["shared_prefix_tokens"]
        < ttft["prompt_tokens"]
    )

    crowd = rows["concurrency"]["details"]
    assert crowd["completed"] == crowd["requests"] == 2 * 3 * 2 and crowd["errors"] == []
    assert 0 < crowd["jain_index_of_session_waits"] <= 1

    storage = rows["storage"]["details"]
    assert storage["log_write_ms"]["n"] == 10 and storage["journal_mode"] == "wal"
    assert storage["history_first_page_ms"]["median"] > 0
    exports = {name: storage["export"][name] for name in EXPORT_FORMATS}
    assert all(e["returncode"] == 0 and e["records"] > 0 for e in exports.values())

    assert rows["gpu"]["status"] == "skipped"  # "no GPU" here; on a GPU machine: needs --gpu

    shop = rows["shop_model"]
    if read_tuned(SHIPPED_DIR) is None:
        assert shop["status"] == "skipped"
    else:
        assert (
            shop["details"]["training"]["steps"] == 1
            and shop["details"]["training"]["tokens_per_second"] > 0
        )
        merged = {"merged_q8_0"} if (SHIPPED_DIR / "peft").is_dir() else set()
        assert set(shop["details"]["tokens_per_second_median"]) == {"bare", "adapter"} | merged
        assert all(speed > 0 for speed in shop["details"]["tokens_per_second_median"].values())

    table = [line for line in markdown_path.read_text().splitlines() if line.startswith("| ")]
    result_rows = [line for line in table if line.split("|")[1].strip().isdigit()]
    assert len(result_rows) == len(ROW_KEYS)
    assert all(line.count(" | ") == 5 for line in result_rows)  # six cells each, no stray pipes


def test_the_lesson_llm_loads_every_call_and_cuts_its_own_answer():
    prompt = flat_prompt(
        without_example(complaint_prompt(0))
    )  # the lesson's context holds 512 tokens
    llm = CustomLLM(model_path=str(embedded_model_path()), max_tokens=8)
    returned = llm.invoke(prompt)
    completion = llm.last_completion["choices"][0]["text"]
    assert completion.strip()  # the model did answer…
    assert returned == completion[len(prompt) + 5 :] == ""  # …and the cut threw all of it away


def test_corruption_sample_describes_the_cut():
    sample = corruption_sample("abc", "0123456789", "23456789")
    assert sample["chars_cut"] == 8
    assert sample["verdict"] == "the first 2 characters of the answer were lost"
    # With echo=True the completion starts "Q: abc A: ": the cut still leaves ": " in front.
    assert sample["with_echo_true_would_return_head"] == ": 0123456789"
    assert (
        corruption_sample("a long prompt", "short", "")["verdict"]
        == "the whole answer was thrown away"
    )


def test_statistics_helpers():
    assert percentile([5, 1, 3, 2, 4], 50) == 3
    assert percentile(list(range(1, 101)), 99) == 99
    assert math.isnan(percentile([], 50))
    assert jain_index([2, 2, 2, 2]) == pytest.approx(1.0)
    assert jain_index([1, 0, 0, 0]) == pytest.approx(0.25)


def test_overtaking_counts_only_clearly_later_requests_served_first():
    params = GenerationParams()
    prompt = complaint_prompt(0)

    def request(submitted: float, served: float) -> Request:
        return Request(
            0, 0, prompt, params, submitted=submitted, first_token=served, finished=served
        )

    fifo = [request(0.0, 1.0), request(0.5, 2.0), request(0.501, 3.0)]
    assert overtaken(fifo) == [0, 0, 0]
    barging = [request(0.0, 3.0), request(0.5, 1.0), request(0.6, 2.0)]
    assert overtaken(barging) == [2, 0, 0]


def test_markdown_marks_skipped_and_failed_rows():
    skipped = Row(key="gpu", title="GPU decode", compares="a | b", goal="g").skip("no GPU")
    failed = Row(key="x", title="X", compares="c", goal="g", status="error", result="error: boom")
    met = Row(key="y", title="Y", compares="c", goal="g", result="fast", met=True)
    missed = Row(key="z", title="Z", compares="c", goal="g", result="slow", met=False)
    text = Report(
        machine={"cpu_model": "Test CPU"}, settings={}, rows=[skipped, failed, met, missed]
    ).to_markdown()
    assert "| 1 | GPU decode | a \\| b | no GPU | g | – |" in text
    assert "| 2 | X | c | error: boom | g | error |" in text
    assert "| 3 | Y | c | fast | g | yes |" in text and "| 4 | Z | c | slow | g | **no** |" in text
    assert "| CPU | Test CPU |" in text


def test_hf_decode_path_runs_on_cpu_with_a_tiny_llama():
    torch = pytest.importorskip("torch")
    from transformers import LlamaConfig

    from bench.gpu import measure_hf_decode

    tiny = LlamaConfig(
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=4,
        vocab_size=256,
        max_position_embeddings=128,
    )
    numbers = measure_hf_decode(
        tiny,
        device="cpu",
        dtype=torch.float32,
        new_tokens=4,
        repetitions=1,
        compile_backend="eager",
        copy_bytes=2**20,
    )
    assert numbers["copy_bandwidth_gb_s"] > 0 and numbers["limit_tokens_per_s"] > 0
    embedding_bytes = 256 * 64 * 4
    assert numbers["bytes_per_step"] > embedding_bytes  # weights minus the input embedding
    for path in ("eager", "static_compiled"):
        for batch in ("1", "4"):
            run = numbers["paths"][path][batch]
            assert run["total_s"] > 0 and run["tokens_per_s"] > 0 and run["first_token_s"] > 0


def test_cli_offers_bench_and_rejects_a_missing_model(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["bench", "--help"])
    assert exit_info.value.code == 0
    assert "--quick" in capsys.readouterr().out
    assert main(["bench", "--quick", "--model", "/no/such/model.gguf"]) == 2
    assert "model file not found" in capsys.readouterr().err


def test_export_timing_reports_the_childs_own_peak_memory_and_failures(tmp_path):
    (tmp_path / "fill.py").write_text("block = b'x' * (200 * 2**20)\n")
    (tmp_path / "fail.py").write_text("raise SystemExit('no such format')\n")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    # A parent far larger than the child: the kernel's figure for the child would report this.
    parent_block = bytearray(600 * 2**20)
    parent_block[:: 2**12] = b"x" * len(parent_block[:: 2**12])  # touch every page

    filled = run_measured("fill", [], env, tmp_path / "filled.log")
    assert filled["returncode"] == 0 and filled["seconds"] > 0
    assert 200 <= filled["peak_rss_mib"] < 400
    failing = run_measured("fail", [], env, tmp_path / "failing.log")
    assert failing["returncode"] == 1 and "no such format" in failing["error"]
    assert failing["peak_rss_mib"] < 200  # reported on the way out of a SystemExit too
    del parent_block


def test_rows_measured_again_replace_their_row_and_say_when():
    def row(key: str, result: str) -> Row:
        return Row(key=key, title=key.upper(), compares="c", goal="g", result=result)

    earlier = Report(
        {"date": "d1", "commit": "a"}, {"json": "old.json"}, [row("x", "1"), row("y", "2")]
    )
    newer = Report(
        {"date": "d2", "commit": "b", "load_average": "0.1"},
        {"json": "new.json"},
        [row("y", "3"), row("z", "4")],
    )
    merged = Report.from_json(earlier.to_json()).merge(newer)
    assert [(r.key, r.result) for r in merged.rows] == [("x", "1"), ("y", "3"), ("z", "4")]
    text = merged.to_markdown()
    assert "Rows y, z measured again on d2 (commit b, load 0.1)" in text and "`new.json`" in text
    assert merged.machine["date"] == "d1"  # the machine table stays the full run's


def test_the_dashboard_row_times_every_aggregate_on_a_seeded_log():
    from bench.dashboard import dashboard

    row = dashboard(TOY)
    assert row.status == "measured" and row.result and row.met in (True, False)
    counts = row.details["counts"]
    assert counts["app"] + counts["imported"] + counts["starter"] == TOY.dashboard_rows
    assert 0 < counts["rated"] <= counts["ratings"]
    timings = row.details["aggregate_ms"]
    assert set(timings) == {"90_days", "30_days"} and len(timings["90_days"]) == 9
    assert all(t["median_ms"] > 0 and t["rows"] > 0 for t in timings["90_days"].values())
    assert set(row.details["query_plans"]) == set(timings["90_days"])
    assert row.details["page_load_ms"]["median_ms"] > 0
    # The migration's covering index serves every aggregate; the row also times them without it.
    assert all("ix_generations_dashboard" in " ".join(plan) for plan in row.details["query_plans"].values())
    assert set(row.details["without_covering_index"]["aggregate_ms_90_days"]) == set(timings["90_days"])

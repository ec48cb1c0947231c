"""The transformers backend on the real embedded model (the packaged GGUF, converted once), a tiny
seq2seq model built here, and switching backends in one process without growing memory."""

from __future__ import annotations

import gc
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from sqlalchemy import select

from core.drafting.complaint_reply import ComplaintRequest, build_prompt
from core.drafting.generation import GenerationRun
from core.models.backends import GenerationParams, ModelError
from core.models.backends.gguf import GgufConfig, embedded_model_path
from core.models.backends.hf import HfConfig, HfEngine, converted_dir, pick_device, pick_dtype
from core.models.model_slot import ModelSlot
from db.models import Generation

SPECIAL_MARKERS = ("<|im_start|>", "<|im_end|>", "<|endoftext|>")


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh models folder, so the first load really converts the GGUF."""
    folder = tmp_path_factory.mktemp("models")
    patch = pytest.MonkeyPatch()
    patch.setenv("HUAYU_MODELS_DIR", str(folder))
    yield folder
    patch.undo()


@pytest.fixture(scope="module")
def first_load(models_dir: Path) -> Iterator[tuple[HfEngine, float]]:
    """The embedded model on the hf backend, loaded (converted) once, and how long that took."""
    start = time.perf_counter()
    engine = HfEngine(HfConfig())
    seconds = time.perf_counter() - start
    yield engine, seconds
    engine.close()


@pytest.fixture
def hf_engine(first_load: tuple[HfEngine, float]) -> HfEngine:
    return first_load[0]


def complaint_prompt(text: str = "The roses I ordered for our anniversary were drooping."):
    return build_prompt(ComplaintRequest(complaint=text, product="24 red roses"), "Huayu Flowers")


def test_first_start_converts_the_gguf_and_later_starts_load_the_cache(first_load, models_dir, capsys):
    engine, first_seconds = first_load
    cache = converted_dir(embedded_model_path(), models_dir)
    assert (cache / "config.json").is_file() and (cache / "model.safetensors").is_file()
    assert (cache / "chat_template.jinja").is_file() or "chat_template" in (cache / "tokenizer_config.json").read_text()
    start = time.perf_counter()
    again = HfEngine(HfConfig())
    cached_seconds = time.perf_counter() - start
    try:
        assert again.model_id == engine.model_id == "SmolLM2-135M-Instruct.Q4_1"
        assert cached_seconds < first_seconds / 2
    finally:
        again.close()
    with capsys.disabled():
        print(f"\n[hf load: first (converts GGUF) {first_seconds:.1f} s, cached {cached_seconds:.1f} s]")


def test_reply_streams_and_is_logged_with_exact_token_counts(hf_engine, sessions):
    params = GenerationParams(temperature=0.0, max_new_tokens=40, seed=3)
    prompt = complaint_prompt()
    run = GenerationRun(prompt=prompt, model=hf_engine, params=params, sessions=sessions)
    chunks = list(run.stream())
    reply = "".join(chunks)
    assert len(chunks) > 3 and len(reply.split()) >= 5
    assert not any(marker in reply for marker in SPECIAL_MARKERS)
    expected_prompt_tokens = hf_engine.encode(prompt.messages)["input_ids"].shape[-1]
    generated = len(hf_engine.tokenizer(reply, add_special_tokens=False)["input_ids"])
    with sessions() as session:
        row = session.scalars(select(Generation)).one()
    assert row.output == reply and row.status == "ok"
    assert row.backend == "hf" and row.model_id == "SmolLM2-135M-Instruct.Q4_1"
    assert row.prompt_tokens == expected_prompt_tokens > 100
    assert 0 < row.completion_tokens <= 40
    assert abs(row.completion_tokens - generated) <= 2  # re-tokenizing text may merge a pair


def test_max_new_tokens_counts_new_tokens_only(hf_engine):
    params = GenerationParams(temperature=0.0, max_new_tokens=5)
    message = hf_engine.chat_model(params).invoke([("system", "Reply briefly."), ("human", "Tell me about tulips.")])
    assert message.usage_metadata["output_tokens"] == 5
    assert message.usage_metadata["input_tokens"] > 5
    assert message.response_metadata["finish_reason"] == "length"


def test_stop_sequences_end_the_reply_before_the_stop_text(hf_engine):
    params = GenerationParams(temperature=0.0, max_new_tokens=40)
    question = [("human", "Count from 1 to 10, separated by commas.")]
    free = hf_engine.chat_model(params).invoke(question).text
    assert "3" in free
    stopped = hf_engine.chat_model(params).invoke(question, stop=["3"])
    assert "3" not in stopped.text and free.startswith(stopped.text)
    assert stopped.response_metadata["finish_reason"] == "stop"


def test_chinese_text_survives_token_by_token_decoding(hf_engine):
    reply = hf_engine.chat_model(GenerationParams(temperature=0.0, max_new_tokens=30)).invoke(
        [("human", "请用中文说：你好，谢谢")]
    ).text
    assert "\ufffd" not in reply


def test_closing_the_stream_stops_generation_and_frees_the_model(hf_engine, sessions):
    params = GenerationParams(temperature=0.0, max_new_tokens=300)
    run = GenerationRun(prompt=complaint_prompt(), model=hf_engine, params=params, sessions=sessions)
    stream = run.stream()
    next(stream)
    start = time.perf_counter()
    stream.close()  # staff pressed stop
    assert time.perf_counter() - start < 5  # generation ended at the next token, not after 300
    assert not hf_engine.lock.locked()
    assert run.outcome is not None and run.outcome.status == "cancelled"
    after = hf_engine.chat_model(GenerationParams(temperature=0.0, max_new_tokens=3)).invoke([("human", "Hi")])
    assert after.usage_metadata["output_tokens"] >= 1


def test_two_threads_are_served_one_after_the_other(hf_engine):
    params = GenerationParams(temperature=0.0, max_new_tokens=8)
    spans: list[tuple[float, float]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            start = time.perf_counter()
            hf_engine.chat_model(params).invoke([("human", "Name a flower.")])
            spans.append((start, time.perf_counter()))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors and len(spans) == 2


def test_static_cache_path_gives_the_same_greedy_reply(hf_engine):
    # On CUDA the engine decodes with a static KV cache (then compiled). The cache itself runs on
    # the CPU too, so its sizing is checked here against the default cache.
    params = GenerationParams(temperature=0.0, max_new_tokens=12, repetition_penalty=1.0)
    question = [("human", "What do red roses mean?")]
    dynamic = hf_engine.chat_model(params).invoke(question).text
    hf_engine.static_cache = True
    try:
        static = hf_engine.chat_model(params).invoke(question).text
    finally:
        hf_engine.static_cache = False
    assert static == dynamic


def test_device_and_dtype_are_chosen_from_what_is_there():
    assert pick_device("auto", cuda=True, mps=True) == ("cuda", None)
    assert pick_device("auto", cuda=False, mps=True) == ("mps", None)
    assert pick_device("auto", cuda=False, mps=False) == ("cpu", None)
    device, notice = pick_device("cuda", cuda=False, mps=False)
    assert device == "cpu" and "No CUDA" in notice
    assert pick_dtype("cuda", "auto", cuda_bf16=True) == "bfloat16"
    assert pick_dtype("cuda", "auto", cuda_bf16=False) == "float16"
    assert pick_dtype("mps", "auto", cuda_bf16=False) == "float16"
    assert pick_dtype("cpu", "auto", cuda_bf16=False) == "float32"
    assert pick_dtype("cpu", "bfloat16", cuda_bf16=False) == "bfloat16"


def test_asking_for_cuda_without_one_runs_on_the_cpu_with_a_notice(first_load):
    engine = HfEngine(HfConfig(device="cuda"))
    try:
        info = engine.info()
        assert info.device.startswith("cpu") and info.context_size == 8192
        assert any("No CUDA" in notice for notice in info.notices)
    finally:
        engine.close()


@pytest.fixture(scope="module")
def tiny_seq2seq(first_load, models_dir: Path) -> Path:
    """A flan-t5-shaped encoder-decoder with random weights and the embedded tokenizer."""
    from transformers import AutoTokenizer, T5Config, T5ForConditionalGeneration

    folder = models_dir / "tiny-t5"
    config = T5Config(
        vocab_size=49152, d_model=32, d_kv=8, d_ff=64, num_layers=2, num_heads=4,
        decoder_start_token_id=0, pad_token_id=0, eos_token_id=1,
    )
    T5ForConditionalGeneration(config).save_pretrained(folder)
    tokenizer = AutoTokenizer.from_pretrained(converted_dir(embedded_model_path(), models_dir))
    tokenizer.chat_template = None  # like flan-t5: plain text in, plain text out
    tokenizer.save_pretrained(folder)
    (folder / "chat_template.jinja").unlink(missing_ok=True)
    return folder


def test_encoder_decoder_models_load_with_the_seq2seq_class(tiny_seq2seq):
    engine = HfEngine(HfConfig(model=str(tiny_seq2seq)))
    try:
        assert engine.is_encoder_decoder
        assert type(engine.model).__name__ == "T5ForConditionalGeneration"
        message = engine.chat_model(GenerationParams(temperature=0.0, max_new_tokens=6)).invoke(
            [("system", "Be kind."), ("human", "Translate: roses")]
        )
        assert 1 <= message.usage_metadata["output_tokens"] <= 6
        assert message.usage_metadata["input_tokens"] > 3
    finally:
        engine.close()


def test_models_needing_their_own_code_ask_for_the_switch(tmp_path):
    folder = tmp_path / "chatglm-like"
    folder.mkdir()
    (folder / "config.json").write_text(
        json.dumps(
            {
                "model_type": "chatglm",
                "auto_map": {"AutoConfig": "configuration_chatglm.ChatGLMConfig"},
            }
        )
    )
    started = time.perf_counter()
    with pytest.raises(ModelError, match="Trust remote code"):
        HfEngine(HfConfig(model=str(folder)))
    assert time.perf_counter() - started < 30  # never waits for an answer on the terminal


def test_missing_and_wrong_folders_say_what_to_do(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        HfEngine(HfConfig(model=str(tmp_path / "nope")))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="no config.json"):
        HfEngine(HfConfig(model=str(tmp_path / "empty")))
    legacy = tmp_path / "old.bin"
    legacy.write_bytes(b"tjgg" + bytes(64))
    with pytest.raises(ModelError, match="old GGML"):
        HfEngine(HfConfig(model=str(legacy)))


def rss() -> int:
    gc.collect()
    return psutil.Process().memory_info().rss


def test_switching_backends_back_and_forth_does_not_grow_memory(first_load, capsys):
    # Each switch unloads the old model (ModelSlot) and hands its memory back (malloc_trim).
    # Round one warms up what stays for the process (libraries, llama.cpp's and torch's
    # kernels); after that, RSS must stay flat.
    slot = ModelSlot()
    params = GenerationParams(temperature=0.0, max_new_tokens=4)
    readings: list[int] = []
    for _ in range(3):
        for backend_id, config in (("gguf", GgufConfig()), ("hf", HfConfig())):
            model = slot.get(backend_id, config)
            model.chat_model(params).invoke([("human", "Name a flower.")])
        readings.append(rss())
    slot.unload()
    assert slot.load_count == 6
    growth = readings[-1] - readings[0]
    with capsys.disabled():
        mib = [f"{r / 2**20:.0f}" for r in readings]
        print(f"\n[RSS after each gguf<->hf round (MiB): {', '.join(mib)}; growth {growth / 2**20:+.0f} MiB]")
    assert growth < 64 * 2**20

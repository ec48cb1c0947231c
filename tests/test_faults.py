"""Faults lose nothing: a bad model file, a backend failing mid-stream, staff pressing stop.

Each time: a clear message with the fix, the form keeps what was typed, the generation is logged
with status error or cancelled and the partial text, and the next try works.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import streamlit as st
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk
from sqlalchemy import select
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.testing.v1 import AppTest

from core.drafting.complaint_reply import ComplaintRequest, build_prompt
from core.drafting.generation import GenerationRun
from core.models.backends import GenerationParams, LoadedModel
from core.models.backends.gguf import embedded_model_path
from core.models.model_slot import ModelSlot
from db.models import Generation

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
COMPLAINT = "玫瑰第二天就谢了 — the roses wilted after one day 🌹"
SORRY_ABOUT_THE_ROSES = (
    "We are so sorry that your roses wilted after one day. Please send us a photo, and we will "
    "re-deliver fresh roses for free or refund you in full."
)


@pytest.fixture
def app(sessions):
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["ui.language"] = "en"
    at.session_state["sidebar.shop_model"] = ""  # a GGUF file, even when a shop model is the default
    yield at
    st.cache_resource.clear()


def draft(at: AppTest) -> AppTest:
    return next(b for b in at.button if b.label == "Draft reply").click().run()


def rows(sessions) -> list[Generation]:
    with sessions() as session:
        return list(session.scalars(select(Generation).order_by(Generation.id)))


def retry_succeeds(at: AppTest, sessions, monkeypatch, fake_model) -> None:
    """Press "Draft reply" again with a working model: a second, successful generation."""
    fake_model.enqueue([SORRY_ABOUT_THE_ROSES])
    monkeypatch.setattr(ModelSlot, "get", lambda self, backend_id, config: fake_model)
    draft(at)
    assert not at.exception
    assert any(SORRY_ABOUT_THE_ROSES in m.value.replace("\\", "") for m in at.markdown)
    last = rows(sessions)[-1]
    assert last.status == "ok" and last.inputs["complaint"] == COMPLAINT


@pytest.mark.parametrize(
    "content, fix",
    [
        (None, "Model file not found"),
        (b"GGUF" + os.urandom(4096), "could not load broken.gguf"),
        (b"lmgg" + os.urandom(4096), "old GGML file"),
        (b"<html>404 Not Found</html>", "not a GGUF model file"),
    ],
    ids=["missing", "corrupt", "ggml", "html-instead-of-model"],
)
def test_a_bad_model_file(app, sessions, fake_model, monkeypatch, tmp_path, content, fix):
    path = tmp_path / "broken.gguf"
    if content is not None:
        path.write_bytes(content)
    app.run()
    app.text_area(key="complaint.text").input(COMPLAINT)
    app.text_input(key="sidebar.model_path").input(str(path))  # the real loader, no patch
    draft(app)
    assert not app.exception
    message = app.error[0].value.replace("\\", "")
    assert fix in message and ("download" in message.lower() or "check the path" in message.lower())
    assert app.text_area(key="complaint.text").value == COMPLAINT
    (logged,) = rows(sessions)
    assert (logged.status, logged.output, logged.model_id) == ("error", "", "broken")
    assert fix in logged.error and logged.inputs["complaint"] == COMPLAINT
    retry_succeeds(app, sessions, monkeypatch, fake_model)


def test_a_backend_failing_mid_stream(app, sessions, fake_model, monkeypatch):
    fake_model.enqueue([ConnectionError("connection to the model server dropped")])
    monkeypatch.setattr(ModelSlot, "get", lambda self, backend_id, config: fake_model)
    app.run()
    app.text_area(key="complaint.text").input(COMPLAINT)
    draft(app)
    assert not app.exception
    assert "connection to the model server dropped" in app.error[0].value
    assert any(m.value.startswith("Partial") for m in app.markdown)  # what came is shown
    assert app.text_area(key="complaint.text").value == COMPLAINT
    (logged,) = rows(sessions)
    assert (logged.status, logged.output) == ("error", "Partial ")
    retry_succeeds(app, sessions, monkeypatch, fake_model)


class StopPressedChatModel(GenericFakeChatModel):
    """Streams a reply, and after the first words does what Streamlit's Stop button does."""

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        yield ChatGenerationChunk(message=AIMessageChunk(content="We are so sorry "))
        ctx = get_script_run_ctx()
        assert ctx is not None and ctx.script_requests is not None
        ctx.script_requests.request_stop()  # the next page update raises StopException
        for word in ("about ", "the ", "roses ", "and ", "will ", "replace ", "them."):
            yield ChatGenerationChunk(message=AIMessageChunk(content=word))


class StopPressedModel(LoadedModel):
    backend_id: ClassVar[str] = "fake"
    model_id = "stop-pressed"  # type: ignore[assignment]

    def chat_model(self, params: GenerationParams) -> BaseChatModel:
        return StopPressedChatModel(messages=iter([]))


def test_staff_pressing_stop(app, sessions, fake_model, monkeypatch):
    monkeypatch.setattr(ModelSlot, "get", lambda self, backend_id, config: StopPressedModel())
    app.run()
    app.text_area(key="complaint.text").input(COMPLAINT)
    draft(app)
    app.run()  # the page after the stop
    assert not app.exception
    assert app.text_area(key="complaint.text").value == COMPLAINT
    (logged,) = rows(sessions)
    print(f"\nstop pressed: kept {logged.output!r}")
    assert logged.status == "cancelled"
    assert logged.output.startswith("We are so sorry") and not logged.output.endswith("them.")
    retry_succeeds(app, sessions, monkeypatch, fake_model)


class InterruptedChatModel(GenericFakeChatModel):
    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        yield ChatGenerationChunk(message=AIMessageChunk(content="Partial "))
        raise KeyboardInterrupt  # Ctrl-C while `python -m core generate` streams


class InterruptedModel(StopPressedModel):
    def chat_model(self, params: GenerationParams) -> BaseChatModel:
        return InterruptedChatModel(messages=iter([]))


@pytest.mark.storage
def test_ctrl_c_in_the_terminal_is_logged_as_cancelled(sessions):
    prompt = build_prompt(ComplaintRequest(complaint=COMPLAINT), "Shop")
    run = GenerationRun(prompt, InterruptedModel(), GenerationParams(), sessions)
    with pytest.raises(KeyboardInterrupt):
        run.run()
    (logged,) = rows(sessions)
    assert (logged.status, logged.output) == ("cancelled", "Partial ")


class OpenAIServerModel(LoadedModel):
    """The embedded model behind llama.cpp's OpenAI-compatible server, through langchain-openai:
    the set-up of a shop chain's shared model server, shrunk to one test."""

    backend_id: ClassVar[str] = "openai-compatible"
    model_id = "smollm2-on-llama-server"  # type: ignore[assignment]

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def chat_model(self, params: GenerationParams) -> BaseChatModel:
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            base_url=self.base_url, api_key="sk-not-checked-by-llama-server", model="smollm2",
            temperature=params.temperature, max_completion_tokens=params.max_new_tokens,
            seed=params.seed, max_retries=0, timeout=120, stream_usage=True,
        )


def start_model_server(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            sys.executable, "-m", "llama_cpp.server", "--model", str(embedded_model_path()),
            "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "1",
        ],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=2).read()
            return server
        except OSError:
            assert server.poll() is None, "the model server did not start"
            time.sleep(0.5)
    server.kill()
    raise TimeoutError("the model server did not answer within 2 minutes")


def test_a_real_model_server_dying_mid_stream_then_a_retry(sessions):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    model = OpenAIServerModel(f"http://127.0.0.1:{port}/v1")
    prompt = build_prompt(ComplaintRequest(complaint=COMPLAINT), "Shop")
    server = start_model_server(port)
    try:
        run = GenerationRun(prompt, model, GenerationParams(max_new_tokens=300, seed=1), sessions)
        received: list[str] = []
        with pytest.raises(Exception) as failure:
            for text in run.stream():
                received.append(text)
                if len(received) == 3:
                    server.kill()  # the server crashes (or the network drops) mid-reply
        assert received  # it did fail in the middle, not before the first word
    finally:
        server.kill()
        server.wait()
    (logged,) = rows(sessions)
    print(f"\nserver killed mid-stream: kept {logged.output!r}, error {logged.error!r}")
    assert logged.status == "error"
    assert logged.output == "".join(received) and logged.output.strip()
    assert logged.error and type(failure.value).__name__ in repr(failure.value)

    server = start_model_server(port)  # back up: the retry works
    try:
        outcome = GenerationRun(prompt, model, GenerationParams(max_new_tokens=8, seed=1), sessions).run()
    finally:
        server.kill()
        server.wait()
    assert outcome.status == "ok" and outcome.text.strip()
    assert [row.status for row in rows(sessions)] == ["error", "ok"]

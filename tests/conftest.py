"""Shared fixtures. No test touches the real database: each gets its own SQLite file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from sqlalchemy.orm import Session, sessionmaker

from core.backends import GenerationParams, LoadedModel
from db.session import get_engine

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def isolated_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point `HUAYU_DATABASE_URL` at a fresh SQLite file for every test."""
    url = f"sqlite:///{tmp_path / 'huayu-test.db'}"
    monkeypatch.setenv("HUAYU_DATABASE_URL", url)
    yield url
    get_engine(url).dispose()


@pytest.fixture
def sessions(isolated_database: str) -> sessionmaker[Session]:
    """A session factory on the test's migrated database."""
    from core.runtime import sessions as open_sessions

    return open_sessions(isolated_database)


class RecordingFakeChatModel(GenericFakeChatModel):
    """LangChain's fake chat model, plus the messages it was sent and token usage at the end."""

    recorder: Any
    """The `FakeModel` whose `calls` receive each request's messages."""

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        self.recorder.calls.append(messages)
        words = 0
        for chunk in super()._stream(messages, stop, run_manager, **kwargs):
            words += bool(chunk.text.strip())
            yield chunk
        usage = {"input_tokens": 42, "output_tokens": words, "total_tokens": 42 + words}
        yield ChatGenerationChunk(message=AIMessageChunk(content="", usage_metadata=usage))


class FakeModel(LoadedModel):
    """A `LoadedModel` whose replies are queued with `enqueue`, like simonw/llm's MockModel."""

    backend_id: ClassVar[str] = "fake"

    def __init__(self) -> None:
        self.replies: list[str | Exception] = []
        self.calls: list[list[BaseMessage]] = []
        self.params: list[GenerationParams] = []

    @property
    def model_id(self) -> str:
        return "fake-model"

    def enqueue(self, replies: list[str | Exception]) -> None:
        self.replies.extend(replies)

    def chat_model(self, params: GenerationParams) -> BaseChatModel:
        self.params.append(params)
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            return _FailingChatModel(error=reply)
        return RecordingFakeChatModel(messages=iter([AIMessage(content=reply)]), recorder=self)


class _FailingChatModel(GenericFakeChatModel):
    error: Exception

    def __init__(self, error: Exception) -> None:
        super().__init__(messages=iter([]), error=error)

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        yield ChatGenerationChunk(message=AIMessageChunk(content="Partial "))
        raise self.error


@pytest.fixture
def fake_model() -> FakeModel:
    return FakeModel()


@pytest.fixture(scope="session")
def embedded_model() -> Iterator[LoadedModel]:
    """The real embedded SmolLM2 GGUF, loaded once for the whole test run."""
    from core.backends.gguf import GgufConfig, GgufEngine

    engine = GgufEngine(GgufConfig())
    yield engine
    engine.close()


def shared_jsonl(name: str) -> list[dict[str, Any]]:
    """Rows of a sample file in `../shared/data/`."""
    lines = (SHARED_DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture
def streamlit_app(
    monkeypatch: pytest.MonkeyPatch, fake_model: FakeModel, sessions: sessionmaker[Session]
) -> Iterator[Any]:
    """The whole app under `AppTest` in English, on the test's database, with `fake_model` as the
    model (run it once, then `switch_page("pages/x.py")` to test another page)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from core.model_slot import ModelSlot

    st.cache_resource.clear()  # a fresh model slot and database per test
    monkeypatch.setattr(ModelSlot, "get", lambda self, backend_id, config: fake_model)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["ui.language"] = "en"
    yield at
    st.cache_resource.clear()

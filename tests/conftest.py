"""Shared fixtures. No test touches the real database: each gets its own SQLite file."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from core.models.backends import GenerationParams, LoadedModel
from db.session import get_engine

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


POSTGRES_URL_VARIABLE = "HUAYU_TEST_POSTGRES_URL"
"""An admin URL (a role that may create databases), e.g.
postgresql+psycopg://huayu_test:huayu_test@127.0.0.1:5432/postgres; `.ci/run` sets it."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "storage: touches the database; runs on SQLite, and on PostgreSQL too when "
        f"{POSTGRES_URL_VARIABLE} is set",
    )


def database_backends() -> list[str]:
    """The databases storage tests run against here."""
    return ["sqlite", "postgres"] if os.environ.get(POSTGRES_URL_VARIABLE) else ["sqlite"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("storage"):
        metafunc.parametrize("database_backend", database_backends(), indirect=True)


@pytest.fixture
def database_backend(request: pytest.FixtureRequest) -> str:
    """`sqlite`, or `postgres` for the PostgreSQL pass of a storage test."""
    return str(getattr(request, "param", "sqlite"))


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A new, empty, UTF-8 database on the server of `admin_url`, dropped afterwards."""
    name = f"huayu_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.exec_driver_sql(
            f"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0"
        )
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            try:
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            except ProgrammingError:
                # FORCE may not end an autovacuum worker without pg_signal_backend (.ci/postgres.sh
                # grants it); a plain DROP asks autovacuum to stop and waits for it.
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        admin.dispose()


@pytest.fixture(autouse=True)
def isolated_database(
    database_backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """Point `HUAYU_DATABASE_URL` at a fresh database for every test: a SQLite file, or a new
    PostgreSQL database for the PostgreSQL pass of storage tests."""
    if database_backend == "postgres":
        with postgres_database(os.environ[POSTGRES_URL_VARIABLE]) as url:
            monkeypatch.setenv("HUAYU_DATABASE_URL", url)
            yield url
            get_engine(url).dispose()
        return
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
        self.last: str | Exception = ""

    @property
    def model_id(self) -> str:
        return "fake-model"

    def enqueue(self, replies: list[str | Exception]) -> None:
        self.replies.extend(replies)

    def chat_model(self, params: GenerationParams) -> BaseChatModel:
        self.params.append(params)
        # Out of replies, it says the last one again: a model that keeps making one mistake,
        # as the quality guard's retries meet it.
        reply = self.last = self.replies.pop(0) if self.replies else self.last
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
    from core.models.backends.gguf import GgufConfig, GgufEngine

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

    from core.models.model_slot import ModelSlot

    st.cache_resource.clear()  # a fresh model slot and database per test
    monkeypatch.setattr(ModelSlot, "get", lambda self, backend_id, config: fake_model)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["ui.language"] = "en"
    yield at
    st.cache_resource.clear()


@pytest.fixture
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with small costs, so tests that create users take milliseconds, not seconds.
    (One test in test_auth.py checks the real, default costs.)"""
    from argon2 import PasswordHasher

    monkeypatch.setattr(
        "core.accounts.auth.password_hasher",
        lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
    )


@pytest.fixture(autouse=True)
def navigation_mode_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest re-detects `pages/` as an old-style pages folder before every run, so each run
    after the first would execute a page file without app.py. A real server does that only until
    app.py first calls st.navigation; tests run in that steady state. (test_app_auth.py checks
    the first run, where the page guard sends the request through app.py.)"""
    from streamlit.runtime.pages_manager import PagesManager

    class NavigationPagesManager(PagesManager):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    monkeypatch.setattr("streamlit.testing.v1.app_test.PagesManager", NavigationPagesManager)


def make_tuned_folder(models_dir: Path, name: str, *, won: bool) -> Path:
    """A tuned model's folder as `core tune` leaves it (the adapter's bytes are not read here)."""
    from core.models.tuned import ADAPTER_SUFFIX, MANIFEST

    folder = models_dir / name
    folder.mkdir(parents=True)
    (folder / f"{name}{ADAPTER_SUFFIX}").write_bytes(b"GGUF" + bytes(64))
    manifest = {
        "name": name,
        "base": {"path": "embedded"},
        "data": {"train": 240, "validation": 24},
        "training": {
            "seconds": 3600,
            "tokens_per_second": 45.0,
            "train_loss": 1.2,
            "validation_loss": 1.3,
            "loss_curve": [{"step": 1, "loss": 2.0}, {"step": 2, "loss": 1.5}],
        },
        "evaluation": {
            "won": won,
            "cases": 72,
            "pass_rate": {"base": 0.5, "tuned": 0.625 if won else 0.4},
            "wins": 20 if won else 5,
            "ties": 40,
            "losses": 12 if won else 27,
        },
        "created_at": "2026-12-02T03:00:00+00:00",
    }
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    return folder

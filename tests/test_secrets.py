"""API keys never reach the database, logs, exports, error messages or the page.

Written against the backend contract: any `BackendConfig` field of type `SecretStr` is a secret.
The backend here is deliberately careless (its errors quote the key, as some client libraries'
do) to show that Huayu masks the key wherever text is stored or shown.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import streamlit as st
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk
from pydantic import BaseModel, Field, SecretStr
from sqlalchemy import inspect, text
from streamlit.testing.v1 import AppTest

from core.accounts.secrets import redact, secret_values
from core.drafting.complaint_reply import ComplaintRequest, build_prompt
from core.drafting.generation import GenerationRun
from core.history.feedback import save_rating
from core.models.backends import (
    REGISTRY,
    Backend,
    BackendConfig,
    GenerationParams,
    LoadedModel,
    ModelError,
)
from core.models.model_slot import ModelSlot
from db.session import get_engine

pytestmark = pytest.mark.storage

KEY = "sk-proj-4f9XyTESTKEYdoNotLeak0123456789"
APP = str(Path(__file__).resolve().parent.parent / "app.py")


class KeyedConfig(BackendConfig):
    """Like a hosted backend's config: the key comes from the environment, never typed in."""

    base_url: str = "https://api.example.invalid/v1"
    api_key: SecretStr = Field(default_factory=lambda: SecretStr(KEY))
    fail_on_load: bool = False


class CarelessChatModel(GenericFakeChatModel):
    key: str

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        yield ChatGenerationChunk(message=AIMessageChunk(content=f"Sorry! (debug: key={self.key}) "))
        raise ConnectionError(f"401 Unauthorized for https://api.example.invalid/v1?api_key={self.key}")


class KeyedModel(LoadedModel):
    backend_id: ClassVar[str] = "keyed"
    model_id = "keyed-model"  # type: ignore[assignment]

    def __init__(self, config: KeyedConfig) -> None:
        self.config = config

    def chat_model(self, params: GenerationParams) -> BaseChatModel:
        return CarelessChatModel(messages=iter([]), key=self.config.api_key.get_secret_value())


class KeyedBackend(Backend):
    id: ClassVar[str] = "keyed"
    label: ClassVar[str] = "Keyed test backend"
    config_type: ClassVar[type[BackendConfig]] = KeyedConfig

    def load(self, config: BackendConfig) -> KeyedModel:
        assert isinstance(config, KeyedConfig)
        if config.fail_on_load:
            raise ModelError(f"The server refused the key {config.api_key.get_secret_value()}.")
        return KeyedModel(config)


@pytest.fixture(autouse=True)
def keyed_backend(monkeypatch):
    monkeypatch.setitem(REGISTRY, "keyed", f"{__name__}:KeyedBackend")


def everything_stored(url: str) -> str:
    """Every value of every row of every table, as one text."""
    engine = get_engine(url)
    dump: list[str] = []
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            dump += [repr(tuple(row)) for row in connection.execute(text(f"SELECT * FROM {table}"))]
    return "\n".join(dump)


def test_secret_fields_are_found_and_masked():
    class Nested(BaseModel):
        token: SecretStr

    class Config(BackendConfig):
        api_key: SecretStr
        extra: list[Nested] = []  # noqa: RUF012 - pydantic copies field defaults per instance
        short: SecretStr = SecretStr("abc")  # too short to mask ordinary words

    config = Config(api_key=SecretStr(KEY), extra=[Nested(token=SecretStr("hf_nestedtoken123"))])
    assert secret_values(config) == {KEY, "hf_nestedtoken123"}
    assert redact(f"bad key {KEY}, also hf_nestedtoken123", secret_values(config)) == "bad key ***, also ***"
    for shown in (str(config), repr(config), config.model_dump_json(), str(config.model_dump())):
        assert KEY not in shown  # pydantic prints SecretStr as **********


def test_a_key_never_reaches_the_database_logs_or_errors(sessions, isolated_database, caplog):
    caplog.set_level(logging.DEBUG)
    slot = ModelSlot()
    with pytest.raises(ModelError) as refused:
        slot.get("keyed", KeyedConfig(fail_on_load=True))
    assert KEY not in str(refused.value) and "***" in str(refused.value)
    assert refused.value.__cause__ is None and refused.value.__context__ is None  # not chained
    assert KEY not in repr(refused.value)

    model = slot.get("keyed", KeyedConfig())
    prompt = build_prompt(ComplaintRequest(complaint="Roses wilted."), "Shop")
    run = GenerationRun(prompt, model, GenerationParams(seed=3), sessions, created_by="li")
    with pytest.raises(ConnectionError):
        run.run()
    outcome = run.outcome
    assert outcome is not None and outcome.status == "error"
    assert KEY not in (outcome.error or "") and KEY not in outcome.text
    assert "api_key=***" in (outcome.error or "")
    save_rating(sessions, outcome.generation_id, thumbs=-1, comment="leaked a key?")

    stored = everything_stored(isolated_database)
    assert "Roses wilted." in stored and "api_key=***" in stored  # the dump really has the rows
    assert KEY not in stored and KEY[8:24] not in stored
    assert KEY not in caplog.text


def test_a_key_never_reaches_the_page(sessions, monkeypatch):
    real_get = ModelSlot.get
    # The sidebar's choice is swapped for the keyed backend; loading still runs the real slot.
    monkeypatch.setattr(ModelSlot, "get", lambda self, backend_id, config: real_get(self, "keyed", KeyedConfig()))
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["ui.language"] = "en"
    at.run()
    at.text_area(key="complaint.text").input("Roses wilted.")
    next(b for b in at.button if b.label == "Draft reply").click().run()
    assert not at.exception
    page = "\n".join(str(element.value) for element in [*at.markdown, *at.error, *at.caption, *at.text_area])
    assert "401 Unauthorized" in page.replace("\\", "")
    assert KEY not in page.replace("\\", "")
    st.cache_resource.clear()

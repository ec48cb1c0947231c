"""LangChain's own standard tests (langchain-tests) for the chat models of the gguf and hf backends.

The integration suites run on the real embedded SmolLM2-135M-Instruct: on llama.cpp, and converted
once to a transformers checkpoint for hf. Greedy and a few tokens per reply, so they stay fast.

What the models do not do is declared below rather than faked, and the standard tests for it skip
themselves. They are small local text models:
- no tool calling or tool choice, hence no structured output (LangChain builds it on tools) and no
  agent loop; no JSON mode (`test_declared_gaps_are_real` checks these stay unimplemented);
- text only: no images, PDFs, audio or video, no image/PDF tool messages, no Anthropic-style blocks;
- no per-call `model=`: one loaded model answers every call (the override tests skip, and the unit
  test that wants the trace to name the overriding model is an expected failure, see below);
- not LangChain-serializable (`test_serdes`): the model holds a loaded engine, not a config;
- nothing read from the environment (`test_init_from_env`: no API key) and no HTTP to record
  (`test_stream_time` needs VCR cassettes).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_tests.integration_tests import ChatModelIntegrationTests
from langchain_tests.unit_tests import ChatModelUnitTests
from pydantic import BaseModel

from core.models.backends.gguf import GgufChatModel, GgufEngine
from core.models.backends.hf import HfChatModel, HfConfig, HfEngine

# The standard async tests are coroutines; anyio runs them (on asyncio) and leaves the rest alone.
pytestmark = pytest.mark.anyio

REPLY_TOKENS = 8
"""New tokens per reply in the integration suites: enough for a non-empty answer, and quick."""

NO_MODEL_OVERRIDE = (
    "A local chat model answers with the one model it has loaded, so a per-call `model=` is not "
    "honoured, and the trace names the model that really ran (declared: supports_model_override)."
)


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"  # only: LangChain's async path is asyncio's default executor


@pytest.fixture(scope="module")
def hf_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HfEngine]:
    """The embedded GGUF on the hf backend, converted once into a fresh models folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HUAYU_MODELS_DIR", str(tmp_path_factory.mktemp("models")))
        engine = HfEngine(HfConfig())
    yield engine
    engine.close()


class LocalChatModelDeclarations:
    """What both local chat models support; the suites read these instead of guessing."""

    engine: Any

    @property
    def has_tool_calling(self) -> bool:
        return False

    @property
    def has_tool_choice(self) -> bool:
        return False

    @property
    def has_structured_output(self) -> bool:
        return False

    @property
    def supports_json_mode(self) -> bool:
        return False

    @property
    def supports_image_inputs(self) -> bool:
        return False

    @property
    def supports_image_urls(self) -> bool:
        return False

    @property
    def supports_pdf_inputs(self) -> bool:
        return False

    @property
    def supports_audio_inputs(self) -> bool:
        return False

    @property
    def supports_video_inputs(self) -> bool:
        return False

    @property
    def supports_image_tool_message(self) -> bool:
        return False

    @property
    def supports_pdf_tool_message(self) -> bool:
        return False

    @property
    def supports_anthropic_inputs(self) -> bool:
        return False

    @property
    def returns_usage_metadata(self) -> bool:
        return True  # exact prompt and completion token counts, on the last chunk

    @property
    def supports_model_override(self) -> bool:
        return False  # see NO_MODEL_OVERRIDE


class GgufDeclarations(LocalChatModelDeclarations):
    @pytest.fixture(autouse=True)
    def _engine(self, embedded_model: GgufEngine) -> None:
        self.engine = embedded_model

    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return GgufChatModel

    # llama.cpp's JSON-schema grammar (GgufChatModel.with_structured_output).
    @property
    def has_structured_output(self) -> bool:
        return True

    @property
    def structured_output_kwargs(self) -> dict[str, Any]:
        return {"method": "json_schema"}

    @property
    def supports_json_mode(self) -> bool:
        # method="json_mode" holds the reply to any JSON object, but the standard test leaves
        # choosing the keys to the model, which the 135M model does not do.
        return False


class HfDeclarations(LocalChatModelDeclarations):
    @pytest.fixture(autouse=True)
    def _engine(self, hf_engine: HfEngine) -> None:
        self.engine = hf_engine

    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return HfChatModel


class UnitParams:
    # The standard unit tests add temperature, max_tokens and stop themselves.
    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"engine": self.engine}


class IntegrationParams:
    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"engine": self.engine, "temperature": 0.0, "max_tokens": REPLY_TOKENS}


class TestGgufChatModelUnit(UnitParams, GgufDeclarations, ChatModelUnitTests):
    @pytest.mark.xfail(reason=NO_MODEL_OVERRIDE, strict=True)
    def test_standard_params_model_override(self, model: BaseChatModel) -> None:
        super().test_standard_params_model_override(model)


class TestGgufChatModelIntegration(IntegrationParams, GgufDeclarations, ChatModelIntegrationTests):
    pass


class TestHfChatModelUnit(UnitParams, HfDeclarations, ChatModelUnitTests):
    @pytest.mark.xfail(reason=NO_MODEL_OVERRIDE, strict=True)
    def test_standard_params_model_override(self, model: BaseChatModel) -> None:
        super().test_standard_params_model_override(model)


class TestHfChatModelIntegration(IntegrationParams, HfDeclarations, ChatModelIntegrationTests):
    pass


def test_standard_params_reach_the_generation_settings(embedded_model: GgufEngine) -> None:
    # LangChain's `temperature` and `max_tokens` are Huayu's `params`; the trace shows what runs.
    model = GgufChatModel(engine=embedded_model, temperature=0.0, max_tokens=5, stop=["\n\n"])
    assert model.params.temperature == 0.0 and model.params.max_new_tokens == 5
    assert model._get_ls_params(stop=["Dear"]) == {
        "ls_provider": "llamacpp",
        "ls_model_name": "SmolLM2-135M-Instruct.Q4_1",
        "ls_model_type": "chat",
        "ls_temperature": 0.0,
        "ls_max_tokens": 5,
        "ls_stop": ["\n\n", "Dear"],
    }
    assert model.invoke("Tell me about tulips.").usage_metadata["output_tokens"] == 5


def test_declared_gaps_are_real(embedded_model: GgufEngine) -> None:
    # If one of these is implemented one day, its declaration above must change with it.
    class Joke(BaseModel):
        setup: str

    model = GgufChatModel(engine=embedded_model)
    with pytest.raises(NotImplementedError):
        model.bind_tools([Joke])
    assert model.with_structured_output(Joke, method="function_calling") is not None  # the grammar
    assert GgufChatModel.supports_json_schema and not HfChatModel.supports_json_schema  # no grammar on hf
    assert not GgufChatModel.is_lc_serializable() and not HfChatModel.is_lc_serializable()

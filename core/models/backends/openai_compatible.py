"""Any OpenAI-compatible chat API through langchain-openai's `ChatOpenAI`.

OpenAI itself, or a server of the shop's own: vLLM, Ollama, llama.cpp's server, or a private
deployment (a ChatGLM REST service behind an OpenAI-compatible adapter). "Loading" connects
nothing; the first request shows whether the URL, key and model are right, and its failures come
back as sentences from `core.models.backends.errors`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import urlparse

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_openai import ChatOpenAI
from pydantic import Field, SecretStr

from core.models.backends.base import (
    Backend,
    BackendConfig,
    GenerationParams,
    LoadedModel,
    ModelError,
    ModelInfo,
)
from core.models.backends.errors import Remote, guard_stream, translated

KEY_NAME = "OPENAI_API_KEY"
# Local servers rarely check the key, but the OpenAI client refuses to start without one.
NO_KEY = "no-key"


class OpenAIConfig(BackendConfig):
    """Which OpenAI-compatible server and model to use."""

    key_name: ClassVar[str] = KEY_NAME

    base_url: str = ""
    """The API's base URL, e.g. http://127.0.0.1:8000/v1 (vLLM); empty means OpenAI itself."""
    model: str = "gpt-4o-mini"
    """The model name the server knows (vLLM: the served model; Ollama: e.g. qwen2.5:7b)."""
    api_key: SecretStr | None = Field(None, exclude=True, repr=False)
    """The key; from OPENAI_API_KEY or secrets.toml, never shown or logged."""
    timeout_s: float = Field(120.0, gt=0)
    """Seconds to wait for the server before giving up."""
    max_retries: int = Field(2, ge=0, le=10)
    """Retries on 429, 5xx and refused connections, with backoff."""

    @property
    def is_openai(self) -> bool:
        """Whether this is OpenAI's own API, which rejects parameters it does not know."""
        host = urlparse(self.base_url).hostname or ""
        return not self.base_url or host == "openai.com" or host.endswith(".openai.com")

    def remote(self) -> Remote:
        where = "OpenAI's API" if not self.base_url else f"the server at {self.base_url}"
        return Remote(target=where, model=self.model, key_name=KEY_NAME, timeout_s=self.timeout_s)


class GuardedChatOpenAI(ChatOpenAI):
    """`ChatOpenAI` whose failures arrive as `ModelError` sentences with the fix."""

    remote: Remote = Field(exclude=True)
    """The server, named in error messages."""

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        chunks = super()._stream(messages, stop, run_manager, **kwargs)
        yield from guard_stream(chunks, self.remote)  # type: ignore[misc]

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        with translated(self.remote):
            return super()._generate(messages, stop, run_manager, **kwargs)


class OpenAIModel(LoadedModel):
    """A configured OpenAI-compatible endpoint; each request makes a cheap `ChatOpenAI`."""

    backend_id: ClassVar[str] = "openai"

    def __init__(self, config: OpenAIConfig) -> None:
        if config.is_openai and config.api_key is None:
            raise ModelError(
                f"No OpenAI API key. Set {KEY_NAME} in the environment or in "
                ".streamlit/secrets.toml, or enter the base URL of your own server."
            )
        if config.base_url and urlparse(config.base_url).scheme not in ("http", "https"):
            raise ModelError(
                f"{config.base_url!r} is not a URL. Enter it as http://host:port/v1."
            )
        self.config = config

    @property
    def model_id(self) -> str:
        return self.config.model

    def info(self) -> ModelInfo:
        return ModelInfo(device=self.config.base_url or "https://api.openai.com/v1")

    def chat_model(self, params: GenerationParams) -> BaseChatModel:
        config = self.config
        extra: dict[str, Any] = {}
        if not config.is_openai:
            # Servers other than OpenAI's read the older max_tokens, and their own names for the
            # repetition penalty (vLLM/TGI: repetition_penalty, llama.cpp/Ollama: repeat_penalty);
            # they ignore the ones they do not know.
            extra["max_tokens"] = params.max_new_tokens
            if params.repetition_penalty != 1.0:
                extra["repetition_penalty"] = params.repetition_penalty
                extra["repeat_penalty"] = params.repetition_penalty
        key = config.api_key.get_secret_value() if config.api_key else NO_KEY
        return GuardedChatOpenAI(
            model=config.model,
            base_url=config.base_url or None,
            api_key=SecretStr(key),
            temperature=params.temperature,
            top_p=params.top_p,
            max_tokens=params.max_new_tokens,  # sent as max_completion_tokens: new tokens only
            seed=params.seed,
            stream_usage=True,  # the last chunk carries token counts, logged with the draft
            timeout=config.timeout_s,
            max_retries=config.max_retries,
            extra_body=extra or None,
            remote=config.remote(),
        )


class OpenAIBackend(Backend):
    id: ClassVar[str] = "openai"
    label: ClassVar[str] = "OpenAI-compatible API"
    config_type: ClassVar[type[BackendConfig]] = OpenAIConfig

    def load(self, config: BackendConfig) -> OpenAIModel:
        assert isinstance(config, OpenAIConfig)
        return OpenAIModel(config)

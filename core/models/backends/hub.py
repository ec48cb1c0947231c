"""Models served by Hugging Face: Inference Providers, a dedicated Inference Endpoint, or any TGI.

`huggingface_hub.InferenceClient.chat_completion(stream=True)` does the talking. A model id goes to
the Hub's routing; a URL (an Inference Endpoint, a TGI or other OpenAI-compatible server) is called
directly. The token comes from HF_TOKEN or .streamlit/secrets.toml and is never shown or logged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.chat_models import generate_from_stream
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field, SecretStr

from core.models.backends.base import (
    Backend,
    BackendConfig,
    GenerationParams,
    LoadedModel,
    ModelError,
    ModelInfo,
)
from core.models.backends.errors import Remote, guard_stream

KEY_NAME = "HF_TOKEN"

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


class HubConfig(BackendConfig):
    """Which Hub model or endpoint to call."""

    key_name: ClassVar[str] = KEY_NAME

    model: str = "Qwen/Qwen2.5-7B-Instruct"
    """A Hub model id (routed to an inference provider) or an endpoint URL."""
    base_url: str = ""
    """An Inference Endpoint / TGI URL to send `model` to; empty calls the model id or URL itself."""
    token: SecretStr | None = Field(None, exclude=True, repr=False)
    """The Hugging Face token; from HF_TOKEN or secrets.toml, never shown or logged."""
    provider: str = ""
    """Inference provider for a model id ("" lets huggingface_hub choose)."""
    timeout_s: float = Field(120.0, gt=0)
    """Seconds to wait for the server before giving up."""

    @property
    def url(self) -> str:
        """Where requests go, in words for the sidebar and error messages."""
        if self.base_url:
            return self.base_url
        return self.model if self.model.startswith(("http://", "https://")) else "huggingface.co"

    def remote(self) -> Remote:
        if self.url == "huggingface.co":
            where = "the Hugging Face Hub"
        else:
            where = f"the endpoint at {self.url}"
        return Remote(target=where, model=self.model, key_name=KEY_NAME, timeout_s=self.timeout_s)


class HubChatModel(BaseChatModel):
    """LangChain chat model over `InferenceClient.chat_completion`, streamed, with token counts."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    config: HubConfig = Field(exclude=True)
    """Model/endpoint and token."""
    params: GenerationParams = Field(default_factory=GenerationParams)
    """Sampling settings for this request."""
    stop: list[str] = Field(default_factory=list)
    """Stop strings, sent to the server."""

    @property
    def _llm_type(self) -> str:
        return "huayu-hub"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": self.config.model, "base_url": self.config.base_url, **self.params.model_dump()}

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        events = self._events(messages, [*self.stop, *(stop or [])])
        usage: dict[str, int] | None = None
        finish_reason = None
        for event in guard_stream(events, self.config.remote()):
            if getattr(event, "usage", None):
                usage = {
                    "input_tokens": event.usage.prompt_tokens,
                    "output_tokens": event.usage.completion_tokens,
                    "total_tokens": event.usage.total_tokens,
                }
            for choice in event.choices or []:
                finish_reason = choice.finish_reason or finish_reason
                text = choice.delta.content if choice.delta else None
                if text:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
                    if run_manager:
                        run_manager.on_llm_new_token(text, chunk=chunk)
                    yield chunk
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                usage_metadata=usage,  # type: ignore[arg-type]
                response_metadata={"finish_reason": finish_reason, "model_name": self.config.model},
                chunk_position="last",
            )
        )

    def _events(self, messages: list[BaseMessage], stop: list[str]) -> Iterator[Any]:
        from huggingface_hub import InferenceClient

        config = self.config
        params = self.params
        chat = []
        for message in messages:
            role = _ROLES.get(message.type)
            if role is None:
                raise ValueError(f"Hub chat models take system, human and AI messages, not {message.type}")
            chat.append({"role": role, "content": message.text})
        client = InferenceClient(
            model=None if config.base_url else config.model,
            base_url=config.base_url or None,
            token=config.token.get_secret_value() if config.token else None,
            timeout=config.timeout_s,
            provider=config.provider or None,  # type: ignore[arg-type]
        )
        # Closing the client closes the streamed response, also when the reader stops early.
        with client:
            yield from client.chat_completion(
                chat,
                model=config.model if config.base_url else None,
                stream=True,
                max_tokens=params.max_new_tokens,
                temperature=params.temperature,
                top_p=params.top_p,
                seed=params.seed,
                stop=stop or None,
                stream_options={"include_usage": True},  # type: ignore[arg-type]
            )

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return generate_from_stream(self._stream(messages, stop, run_manager, **kwargs))


class HubModel(LoadedModel):
    """A Hub model or endpoint ready to be called; holds no connection between requests."""

    backend_id: ClassVar[str] = "hub"

    def __init__(self, config: HubConfig) -> None:
        if not config.model.strip() and not config.base_url:
            raise ModelError("Enter a Hub model id (e.g. Qwen/Qwen2.5-7B-Instruct) or an endpoint URL.")
        self.config = config

    @property
    def model_id(self) -> str:
        return self.config.model

    def info(self) -> ModelInfo:
        notices: tuple[str, ...] = ()
        if self.config.token is None and self.config.url == "huggingface.co":
            notices = (f"No Hugging Face token: set {KEY_NAME}; the Hub's inference API needs one.",)
        return ModelInfo(device=self.config.url, notices=notices)

    def chat_model(self, params: GenerationParams) -> HubChatModel:
        return HubChatModel(config=self.config, params=params)


class HubBackend(Backend):
    id: ClassVar[str] = "hub"
    label: ClassVar[str] = "Hugging Face Hub / Inference Endpoint"
    config_type: ClassVar[type[BackendConfig]] = HubConfig

    def load(self, config: BackendConfig) -> HubModel:
        assert isinstance(config, HubConfig)
        return HubModel(config)

"""The LangChain side shared by the backends that run a model in this process (gguf, hf).

Each such backend has an engine with a `model_id` and `stream(chat, params, stop, stats)`, which yields text and fills in
`GenerationStats`; `LocalChatModel` turns that into LangChain chunks, ending with the exact token
usage. It takes LangChain's standard `temperature` and `max_tokens` and names the model in traces,
so a backend's own chat model is only its names and identifying parameters.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams
from langchain_core.language_models.chat_models import generate_from_stream
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field, model_validator

from core.models.backends.base import GenerationParams


@dataclass
class GenerationStats:
    """What one decode cost, filled in as the stream runs."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str | None = None


_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def to_chat_dicts(messages: list[BaseMessage]) -> list[dict[str, str]]:
    """LangChain messages as the `{"role", "content"}` dicts chat templates take."""
    chat = []
    for message in messages:
        role = _ROLES.get(message.type)
        if role is None:
            raise ValueError(f"local chat models take system, human and AI messages, not {message.type}")
        chat.append({"role": role, "content": message.text})
    return chat


class LocalChatModel(BaseChatModel):
    """LangChain chat model over a shared, already-loaded engine; subclasses name it."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    engine: Any = Field(exclude=True)
    """The loaded model; shared by every request in the process."""
    params: GenerationParams = Field(default_factory=GenerationParams)
    """Sampling settings for this request."""
    stop: list[str] = Field(default_factory=list)
    """Extra stop strings; the model's end-of-turn token always stops."""

    ls_provider: ClassVar[str]
    """Who runs the model, as LangSmith and Langfuse traces name it."""

    @model_validator(mode="before")
    @classmethod
    def _standard_params(cls, values: Any) -> Any:
        """LangChain's standard `temperature` and `max_tokens` set the matching `params`."""
        if not isinstance(values, dict) or not {"temperature", "max_tokens"} & values.keys():
            return values
        values = dict(values)
        given = values.get("params") or {}
        params = given.model_dump() if isinstance(given, GenerationParams) else dict(given)
        for name, field in (("temperature", "temperature"), ("max_tokens", "max_new_tokens")):
            value = values.pop(name, None)
            if value is not None:
                params[field] = value
        values["params"] = params
        return values

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        # What really runs: the loaded model and `params`. A per-call `model=` or `temperature=`
        # is not honoured by `_stream`, so the trace must not report it either.
        ls_params = LangSmithParams(
            ls_provider=self.ls_provider,
            ls_model_name=self.engine.model_id,
            ls_model_type="chat",
            ls_temperature=self.params.temperature,
            ls_max_tokens=self.params.max_new_tokens,
        )
        if stops := [*self.stop, *(stop or [])]:
            ls_params["ls_stop"] = stops
        return ls_params

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        stats = GenerationStats()
        chat = to_chat_dicts(messages)
        for text in self.engine.stream(chat, self.params, [*self.stop, *(stop or [])], stats):
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
            if run_manager:
                run_manager.on_llm_new_token(text, chunk=chunk)
            yield chunk
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                usage_metadata={
                    "input_tokens": stats.prompt_tokens,
                    "output_tokens": stats.completion_tokens,
                    "total_tokens": stats.prompt_tokens + stats.completion_tokens,
                },
                response_metadata={
                    "finish_reason": stats.finish_reason,
                    "model_name": self.engine.model_id,
                },
                chunk_position="last",
            ),
        )

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return generate_from_stream(self._stream(messages, stop, run_manager, **kwargs))

"""The LangChain side shared by the backends that run a model in this process (gguf, hf).

Each such backend has an engine with a `model_id` and `stream(chat, params, stop, stats)`, which yields text and fills in
`GenerationStats`; `LocalChatModel` turns that into LangChain chunks, ending with the exact token
usage. It takes LangChain's standard `temperature` and `max_tokens` and names the model in traces,
so a backend's own chat model is only its names and identifying parameters. An engine whose
`stream` also takes `json_schema` (and constrains decoding to it) says so with
`supports_json_schema`, and gets LangChain's `with_structured_output`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, ClassVar, Literal

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams, LanguageModelInput
from langchain_core.language_models.chat_models import generate_from_stream
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.utils.function_calling import convert_to_json_schema
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.v1 import BaseModel as BaseModelV1

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
    supports_json_schema: ClassVar[bool] = False
    """Whether the engine's `stream` constrains decoding to a `json_schema` it is given."""

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
        stops = [*self.stop, *(stop or [])]
        schema = kwargs.get("json_schema")
        extra = {"json_schema": schema} if schema is not None else {}
        for text in self.engine.stream(chat, self.params, stops, stats, **extra):
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

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: Literal["json_schema", "function_calling", "json_mode"] = "json_schema",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """A runnable returning `schema`'s object (a Pydantic model, a TypedDict or a JSON
        schema), decoded under the schema's grammar so the reply is always valid JSON for it.

        `json_mode` asks only for some JSON object; `function_calling` decodes as `json_schema`
        does (these models make no tool calls). With `include_raw`, returns `{"raw",
        "parsed", "parsing_error"}` as LangChain's own chat models do. `strict` changes nothing:
        the grammar always holds the reply to the schema."""
        if not self.supports_json_schema:
            return super().with_structured_output(schema, include_raw=include_raw, **kwargs)
        if method == "function_calling":
            # These models make no tool calls; the grammar gives the same object, so LangChain
            # code that asks for function calling still gets it.
            method = "json_schema"
        if method not in ("json_schema", "json_mode"):
            raise ValueError(f"method must be json_schema, json_mode or function_calling, not {method!r}")
        if schema is None and method != "json_mode":
            raise ValueError("with_structured_output needs a schema unless method='json_mode'")
        if kwargs:
            raise ValueError(f"unsupported arguments: {sorted(kwargs)}")
        pydantic_schema = method != "json_mode" and isinstance(schema, type) and is_basemodel_subclass(schema)
        if method == "json_mode":
            json_schema: dict[str, Any] = {"type": "object"}
        elif pydantic_schema:
            json_schema = (
                schema.schema()  # type: ignore[union-attr]
                if issubclass(schema, BaseModelV1)  # type: ignore[arg-type]
                else schema.model_json_schema()  # type: ignore[union-attr]
            )
        else:
            json_schema = convert_to_json_schema(schema)
            if "properties" in json_schema and "required" not in json_schema:
                # A TypedDict's keys are all required unless marked otherwise.
                json_schema["required"] = list(json_schema["properties"])
        parser: Runnable[Any, Any] = (
            PydanticOutputParser(pydantic_object=schema)  # type: ignore[arg-type]
            if pydantic_schema
            else JsonOutputParser()
        )
        bound = self.bind(
            json_schema=json_schema,
            ls_structured_output_format={"kwargs": {"method": method}, "schema": schema},
        )
        if not include_raw:
            return bound | parser
        parsed = RunnablePassthrough.assign(
            parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
        ).with_fallbacks(
            [RunnablePassthrough.assign(parsed=lambda _: None)], exception_key="parsing_error"
        )
        return RunnableMap(raw=bound) | parsed

"""Running a prepared prompt through a model, timing it, and logging it however it ends."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from sqlalchemy.orm import Session, sessionmaker

from core.backends import GenerationParams, LoadedModel
from db.repository import GenerationRecord, log_generation


@dataclass(frozen=True)
class PreparedPrompt:
    """Filled-in messages plus what produced them: the task, the template and its inputs."""

    task: str
    template_id: str
    template_version: str
    inputs: dict[str, Any]
    messages: list[dict[str, str]]
    stop: tuple[str, ...] = ()
    """Text that never belongs in the reply (e.g. the prompt's delimiters): generation ends there."""
    parent_id: int | None = None
    """The draft this prompt rewrites, when it is a rewrite."""


@dataclass
class Outcome:
    """The result of one generation, as logged."""

    generation_id: int | None
    text: str
    status: str
    backend: str
    model_id: str
    error: str | None = None
    ttft_ms: float | None = None
    latency_ms: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    parent_id: int | None = None
    variant_group: str | None = None

    @property
    def tokens_per_second(self) -> float | None:
        """Decode speed: tokens after the first, over the time after the first token."""
        return tokens_per_second(self.ttft_ms, self.latency_ms, self.completion_tokens)


def tokens_per_second(
    ttft_ms: float | None, latency_ms: float | None, completion_tokens: int | None
) -> float | None:
    """Decode speed: tokens after the first, over the time after the first token."""
    if not completion_tokens or ttft_ms is None or latency_ms is None:
        return None
    decode_s = (latency_ms - ttft_ms) / 1000
    if completion_tokens < 2 or decode_s <= 0:
        return None
    return (completion_tokens - 1) / decode_s


_MESSAGE_TYPES = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}


def to_langchain(messages: list[dict[str, str]]) -> list[BaseMessage]:
    """Our stored `{"role", "content"}` messages as LangChain messages."""
    return [_MESSAGE_TYPES[m["role"]](content=m["content"]) for m in messages]


@dataclass
class GenerationRun:
    """One generation: iterate `stream()` for the text; `outcome` is set once it is logged.

    The log is written when the stream ends, fails, or is abandoned (the staff pressed stop), so
    nothing is lost: status is `ok`, `error` (with the partial text) or `cancelled`.
    """

    prompt: PreparedPrompt
    model: LoadedModel
    params: GenerationParams
    sessions: sessionmaker[Session]
    variant_group: str | None = None
    """Shared by drafts asked for together, so staff can pick one of them."""
    outcome: Outcome | None = field(default=None, init=False)

    def stream(self) -> Iterator[str]:
        chat_model = self.model.chat_model(self.params)
        parts: list[str] = []
        usage: dict[str, int] = {}
        status, error = "ok", None
        first: float | None = None
        start = time.perf_counter()
        try:
            for chunk in chat_model.stream(
                to_langchain(self.prompt.messages), stop=list(self.prompt.stop) or None
            ):
                if chunk.usage_metadata:
                    usage = dict(chunk.usage_metadata)
                text = chunk.text
                if text:
                    if first is None:
                        first = time.perf_counter()
                    parts.append(text)
                    yield text
        except GeneratorExit:
            status = "cancelled"
            raise
        except Exception as exc:
            status, error = "error", str(exc) or type(exc).__name__
            raise
        finally:
            end = time.perf_counter()
            self.outcome = self._log(
                text="".join(parts),
                status=status,
                error=error,
                ttft_ms=(first - start) * 1000 if first is not None else None,
                latency_ms=(end - start) * 1000,
                prompt_tokens=usage.get("input_tokens"),
                completion_tokens=usage.get("output_tokens"),
            )

    def run(self) -> Outcome:
        """Consume the whole stream (CLI, benchmarks) and return the logged outcome."""
        for _ in self.stream():
            pass
        assert self.outcome is not None
        return self.outcome

    def _log(self, **result: Any) -> Outcome:
        record = GenerationRecord(
            task=self.prompt.task,
            template_id=self.prompt.template_id,
            template_version=self.prompt.template_version,
            inputs=self.prompt.inputs,
            messages=self.prompt.messages,
            output=result["text"],
            backend=self.model.backend_id,
            model_id=self.model.model_id,
            params=self.params.model_dump(),
            latency_ms=result["latency_ms"],
            ttft_ms=result["ttft_ms"],
            prompt_tokens=result["prompt_tokens"],
            completion_tokens=result["completion_tokens"],
            status=result["status"],
            error=result["error"],
            parent_id=self.prompt.parent_id,
            variant_group=self.variant_group,
        )
        with self.sessions.begin() as session:
            generation_id = log_generation(session, record).id
        return Outcome(
            generation_id=generation_id,
            backend=record.backend,
            model_id=record.model_id,
            parent_id=record.parent_id,
            variant_group=record.variant_group,
            **result,
        )

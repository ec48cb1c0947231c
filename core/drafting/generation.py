"""Running a prepared prompt through a model, timing it, and logging it however it ends."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from sqlalchemy.orm import Session, sessionmaker

from core.accounts.secrets import redact
from core.drafting.grounding import NO_GROUNDING, Grounding
from core.models.backends import GenerationParams, LoadedModel
from core.quality.checks import Verdict
from core.text import InputError, remove_control_characters
from core.triage.labels import Triage
from db.repository import GenerationRecord, log_generation
from db.review import queue_for_review, review_reasons


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
    references: tuple[str, ...] = ()
    """Texts placed in the prompt that a draft may restate (the shop policy): the quality checks
    tell restating them from reciting them."""
    max_new_tokens: int | None = None
    """The most new tokens the task needs (the template says): a run takes the smaller of this
    and the settings' own limit, so a tiny model cannot ramble on past a reply's length."""
    grounding: Grounding = NO_GROUNDING
    """The past replies and knowledge passages placed in the prompt, logged with the draft."""
    triage: Triage | None = None
    """The complaint's category, sentiment and urgency, logged with the draft."""

    @property
    def source(self) -> str:
        """The staff's text the draft answers: the complaint, the bouquet details, or the draft
        a rewrite rewrites."""
        for key in ("draft", "complaint", "details"):
            if self.inputs.get(key):
                return str(self.inputs[key])
        return ""

    @property
    def language(self) -> str:
        """The reply language asked for (the template's own otherwise)."""
        return str(self.inputs.get("language") or self.template_id.rsplit(".", 1)[-1])


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
    checks: list[dict[str, str]] | None = None
    """The quality checks it failed (None when it was not checked: stopped, failed, unguarded)."""
    retry_of: int | None = None
    attempts: int = 1
    """Drafts written for the request this one answers, itself included (the guard's retries)."""
    grounding: Grounding = NO_GROUNDING
    """The past replies and knowledge passages its prompt used."""

    @property
    def hard_failures(self) -> list[dict[str, str]]:
        """The failed checks that keep it from being shown as a finished draft."""
        return [c for c in self.checks or [] if c["severity"] == "hard"]

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


# Tokens a chat template adds around each message (role markers, separators); generous.
MESSAGE_OVERHEAD_TOKENS = 8


class ContextOverflow(InputError):
    """The prompt plus the reply would not fit in the model's context: nothing was generated."""

    def __init__(self, prompt_tokens: int, reply_tokens: int, context_size: int) -> None:
        self.prompt_tokens = prompt_tokens
        self.reply_tokens = reply_tokens
        self.context_size = context_size
        self.excess_tokens = prompt_tokens + reply_tokens - context_size
        super().__init__(
            f"The text is too long for this model: the prompt takes about {prompt_tokens} tokens "
            f"and the reply up to {reply_tokens}, but the model holds {context_size}. Shorten the "
            f"customer's text by about {self.excess_tokens} tokens, lower the maximum new tokens, "
            "or choose a model with a larger context."
        )


def check_context(prompt: PreparedPrompt, model: LoadedModel, params: GenerationParams) -> int | None:
    """The prompt's size in the model's tokens; `ContextOverflow` if prompt and reply won't fit.

    Returns None (and checks nothing) when the model does not know its context size.
    """
    size = model.context_size
    if size is None:
        return None
    prompt_tokens = sum(
        model.count_tokens(message["content"]) + MESSAGE_OVERHEAD_TOKENS
        for message in prompt.messages
    )
    if prompt_tokens + params.max_new_tokens > size:
        raise ContextOverflow(prompt_tokens, params.max_new_tokens, size)
    return prompt_tokens


_MESSAGE_TYPES = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}


def to_langchain(messages: list[dict[str, str]]) -> list[BaseMessage]:
    """Our stored `{"role", "content"}` messages as LangChain messages."""
    return [_MESSAGE_TYPES[m["role"]](content=m["content"]) for m in messages]


@dataclass
class GenerationRun:
    """One generation: iterate `stream()` for the text; `outcome` is set once it is logged.

    The log is written when the stream ends, fails, or is abandoned (the staff pressed stop), so
    nothing is lost: status is `ok`, `error` (with the partial text) or `cancelled`. A prompt too
    long for the model raises `ContextOverflow` before anything runs or is logged.
    """

    prompt: PreparedPrompt
    model: LoadedModel
    params: GenerationParams
    sessions: sessionmaker[Session]
    variant_group: str | None = None
    """Shared by drafts asked for together, so staff can pick one of them."""
    created_by: str | None = None
    """The logged-in user who asked for it (None in local mode and from the CLI)."""
    judge: Callable[[str], Verdict] | None = None
    """Checks a finished draft before it is logged: one that fails a hard check is logged as
    `rejected` (see `core.quality.guard`, which also retries)."""
    retry_of: int | None = None
    """The first attempt of the request this run retries, when a guard rejected it."""
    outcome: Outcome | None = field(default=None, init=False)
    logged: threading.Event = field(default_factory=threading.Event, init=False)
    """Set once `outcome` is logged, whichever thread closed the stream."""
    _stream: Generator[str] | None = field(default=None, init=False)
    _started: bool = field(default=False, init=False)

    def stream(self) -> Iterator[str]:
        """The reply's text as it is generated; the run is logged when the stream ends."""
        self._stream = self._generate()
        return self._stream

    def close(self) -> None:
        """Abandon the run (staff pressed Stop): its stream logs the partial text as cancelled.

        A generator closed before its first `next()` never runs its body, so its own `finally`
        cannot log it; a run stopped that early is logged here, still as cancelled.
        """
        if self._stream is not None:
            self._stream.close()
        if self._started or self.outcome is not None:
            return
        self.outcome = self._log(
            text="",
            status="cancelled",
            error=None,
            ttft_ms=None,
            latency_ms=0.0,
            prompt_tokens=None,
            completion_tokens=None,
        )
        self.logged.set()

    def __post_init__(self) -> None:
        cap = self.prompt.max_new_tokens
        if cap is not None and cap < self.params.max_new_tokens:
            self.params = self.params.model_copy(update={"max_new_tokens": cap})

    def _generate(self) -> Generator[str]:
        self._started = True
        check_context(self.prompt, self.model, self.params)
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
        except BaseException:
            # Ctrl-C in the CLI, Streamlit's stop raised inside the stream: stopped, not failed.
            status = "cancelled"
            raise
        finally:
            end = time.perf_counter()
            text, checks = "".join(parts), None
            if status == "ok" and self.judge is not None:
                verdict = self.judge(text)
                checks = verdict.failures
                status = "ok" if verdict.usable else "rejected"
            self.outcome = self._log(
                text=text,
                checks=checks,
                status=status,
                error=error,
                ttft_ms=(first - start) * 1000 if first is not None else None,
                latency_ms=(end - start) * 1000,
                prompt_tokens=usage.get("input_tokens"),
                completion_tokens=usage.get("output_tokens"),
            )
            self.logged.set()

    def run(self) -> Outcome:
        """Consume the whole stream (CLI, benchmarks) and return the logged outcome."""
        for _ in self.stream():
            pass
        assert self.outcome is not None
        return self.outcome

    def _log(self, **result: Any) -> Outcome:
        # Stored as it came, except what a database refuses (NUL) and any API key a client echoed.
        result["text"] = redact(remove_control_characters(result["text"]), self.model.secrets)
        if result["error"] is not None:
            result["error"] = redact(remove_control_characters(result["error"]), self.model.secrets)
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
            created_by=self.created_by,
            checks=result.get("checks"),
            retry_of=self.retry_of,
            grounding=self.prompt.grounding.logged(),
            **triage_columns(self.prompt.triage),
        )
        with self.sessions.begin() as session:
            generation = log_generation(session, record)
            generation_id = generation.id
            if reasons := review_reasons(generation):
                queue_for_review(session, generation_id, reasons)
        return Outcome(
            generation_id=generation_id,
            backend=record.backend,
            model_id=record.model_id,
            parent_id=record.parent_id,
            variant_group=record.variant_group,
            retry_of=record.retry_of,
            grounding=self.prompt.grounding,
            **result,
        )


def triage_columns(triage: Triage | None) -> dict[str, Any]:
    """The generation's triage columns for `triage` (none when the request was not triaged)."""
    if triage is None:
        return {}
    return {**triage.labels(), "triage": triage.logged()}


class UnloadedModel(LoadedModel):
    """Stands in for a model that failed to load, so the attempt is logged like any run."""

    backend_id: ClassVar[str] = ""

    def __init__(self, backend_id: str, model_id: str) -> None:
        self.backend_id = backend_id  # type: ignore[misc]  # per instance: whichever failed
        self._model_id = model_id

    @property
    def model_id(self) -> str:
        return self._model_id

    def chat_model(self, params: GenerationParams) -> BaseChatModel:
        raise RuntimeError("an unloaded model cannot generate")


def log_failed_start(
    prompt: PreparedPrompt,
    *,
    backend: str,
    model_id: str,
    params: GenerationParams,
    sessions: sessionmaker[Session],
    error: str,
    created_by: str | None = None,
) -> Outcome:
    """Log a generation whose model would not load, with status `error`: the attempt and the
    customer's text are kept like any other draft."""
    run = GenerationRun(
        prompt=prompt,
        model=UnloadedModel(backend, model_id),
        params=params,
        sessions=sessions,
        created_by=created_by,
    )
    run.outcome = run._log(
        text="", status="error", error=error, ttft_ms=None, latency_ms=None,
        prompt_tokens=None, completion_tokens=None,
    )
    return run.outcome

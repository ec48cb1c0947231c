"""Hugging Face transformers models: a local folder, a Hub id, or a GGUF file converted once.

The device is picked automatically (CUDA, then Apple's MPS, then the CPU) and so is the dtype
(bfloat16 on CUDA that supports it, float16 on MPS, float32 on the CPU). The model class comes
from the model's config, so causal LMs (Llama, Qwen, ChatGLM) and encoder-decoders (flan-t5) both
load. Decoding runs `generate` in a worker thread and streams its token ids back through a queue,
so token counts are exact, stop strings work, and a closed stream stops the generation.

Out of the box this runs the embedded SmolLM2 GGUF: transformers dequantizes it once into a normal
checkpoint under the models folder (`converted/`), and later starts load that in about a second.
"""

from __future__ import annotations

import gc
import hashlib
import queue
import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field

from core.models.backends.base import (
    Backend,
    BackendConfig,
    GenerationParams,
    LoadedModel,
    ModelError,
    ModelInfo,
)
from core.models.backends.errors import HUB_UNREACHABLE, Remote, translate, translated
from core.models.backends.gguf import check_gguf_file, embedded_model_path
from core.models.backends.local_chat import GenerationStats, LocalChatModel
from core.models.backends.stops import StopFilter

Device = Literal["auto", "cuda", "mps", "cpu"]
DType = Literal["auto", "float32", "bfloat16", "float16"]

# Static KV caches are sized in these steps, so that a longer prompt rarely forces torch.compile
# to build a new graph (transformers keeps the largest size it has seen).
STATIC_CACHE_STEP = 1024


class HfConfig(BackendConfig):
    """Which transformers model to load, where, and how."""

    model: str = ""
    """A model folder, a .gguf file (converted once), or a Hub id; empty means the embedded model."""
    device: Device = "auto"
    """auto picks CUDA, then MPS, then the CPU; asking for a missing one falls back to the CPU."""
    dtype: DType = "auto"
    """auto: bfloat16 on CUDA that supports it, float16 on MPS, float32 on the CPU."""
    trust_remote_code: bool = False
    """Run Python code that ships with the model (ChatGLM needs it). Only for authors you trust."""
    compile: bool = True
    """On CUDA, decode with a static KV cache and torch.compile (several times faster at batch 1)."""


def pick_device(requested: Device, *, cuda: bool, mps: bool) -> tuple[str, str | None]:
    """The device to use and, when the requested one is missing, a notice saying so."""
    if requested == "auto":
        return ("cuda" if cuda else "mps" if mps else "cpu"), None
    if requested == "cuda" and not cuda:
        return "cpu", (
            "No CUDA GPU is available (no NVIDIA GPU, or a CPU-only torch), so the model runs on "
            "the CPU instead. On a Mac choose 'mps' or 'auto'."
        )
    if requested == "mps" and not mps:
        return "cpu", "Apple's MPS is not available here, so the model runs on the CPU instead."
    return requested, None


def pick_dtype(device: str, requested: DType, *, cuda_bf16: bool) -> str:
    """The dtype name for `device`: what was asked for, or the fastest safe one."""
    if requested != "auto":
        return requested
    if device == "cuda":
        return "bfloat16" if cuda_bf16 else "float16"
    if device == "mps":
        return "float16"
    return "float32"


def converted_dir(gguf_path: Path, models_dir: Path) -> Path:
    """Where the transformers checkpoint converted from `gguf_path` lives (or will)."""
    stat = gguf_path.stat()
    # Size and modification time change whenever the file is replaced or downloaded again.
    fingerprint = hashlib.sha256(f"{gguf_path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return models_dir / "converted" / f"{gguf_path.stem}-{fingerprint.hexdigest()[:10]}"


def convert_gguf(gguf_path: Path, target: Path) -> Path:
    """Dequantize a GGUF file into a transformers checkpoint at `target` (once; atomic)."""
    if (target / "config.json").is_file():
        return target
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    check_gguf_file(gguf_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        source, name = str(gguf_path.parent), gguf_path.name
        try:
            tokenizer = AutoTokenizer.from_pretrained(source, gguf_file=name)
            model = AutoModelForCausalLM.from_pretrained(
                source, gguf_file=name, quantization_config=GgufConfig(dequantize=True)
            )
        except (ValueError, RuntimeError, KeyError) as error:
            raise ModelError(
                f"transformers cannot convert {gguf_path.name}: {error}. Its architecture may not be "
                "supported by transformers' GGUF reader; use the GGUF backend for this file."
            ) from error
        model.save_pretrained(work)
        tokenizer.save_pretrained(work)
        del model
        try:
            work.rename(target)
        except OSError:
            if not (target / "config.json").is_file():  # not another process finishing first
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


class _Failure:
    """An exception raised in the generate thread, carried to the reader."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


_END = object()


class HfEngine(LoadedModel):
    """A loaded transformers model, its tokenizer, and the lock that serialises generation."""

    backend_id: ClassVar[str] = "hf"

    def __init__(self, config: HfConfig) -> None:
        try:
            import torch
            import transformers
        except ImportError as error:
            raise ModelError("transformers/torch are not installed. Run `make run`.") from error
        from core.settings import shop_settings

        self.lock = threading.Lock()
        self.notices: list[str] = []
        source, self._model_id = self._resolve(config, shop_settings().models_dir)
        mps = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
        self.device, notice = pick_device(config.device, cuda=torch.cuda.is_available(), mps=mps)
        if notice:
            self.notices.append(notice)
        cuda_bf16 = self.device == "cuda" and torch.cuda.is_bf16_supported()
        self.dtype = pick_dtype(self.device, config.dtype, cuda_bf16=cuda_bf16)
        if config.trust_remote_code:
            self.notices.append("This model runs its own Python code (trust_remote_code is on).")
        remote = Remote(
            target="the Hugging Face Hub", model=source, key_name="HF_TOKEN", unreachable_fix=HUB_UNREACHABLE
        )
        with translated(remote):
            self._load(transformers, torch, source, config)
        self.static_cache = self.device == "cuda" and config.compile
        if self.static_cache:
            self._warm_up()

    def _resolve(self, config: HfConfig, models_dir: Path) -> tuple[str, str]:
        """The path or Hub id to load, and the model's short name."""
        if not config.model.strip():
            gguf = embedded_model_path()
            return str(convert_gguf(gguf, converted_dir(gguf, models_dir))), gguf.stem
        path = Path(config.model).expanduser()
        if path.suffix.lower() == ".gguf" or path.is_file():
            check_gguf_file(path)
            return str(convert_gguf(path, converted_dir(path, models_dir))), path.stem
        if path.is_dir():
            if not (path / "config.json").is_file():
                raise ModelError(
                    f"{path} has no config.json, so it is not a transformers model folder. Point "
                    "at the folder that holds config.json and the weights (*.safetensors)."
                )
            return str(path), path.name
        if path.is_absolute() or config.model.startswith((".", "~")) or config.model.count("/") > 1:
            raise ModelError(
                f"Model folder not found: {path}. Check the path, or enter a Hub id such as "
                "HuggingFaceTB/SmolLM2-360M-Instruct."
            )
        return config.model, config.model  # a Hub id: transformers downloads it (HF_ENDPOINT works)

    def _load(self, transformers: Any, torch: Any, source: str, config: HfConfig) -> None:
        trust = config.trust_remote_code  # always explicit: None would ask on the terminal
        try:
            hf_config = transformers.AutoConfig.from_pretrained(source, trust_remote_code=trust)
        except ValueError as error:
            if "trust_remote_code" in str(error):
                raise ModelError(
                    f"{self._model_id} runs its own Python code (as ChatGLM does). Tick 'Trust "
                    "remote code' in the sidebar only if you trust the model's authors."
                ) from error
            raise ModelError(f"{self._model_id} is not a model transformers can read: {error}") from error
        self.is_encoder_decoder = bool(getattr(hf_config, "is_encoder_decoder", False))
        model_class = (
            transformers.AutoModelForSeq2SeqLM
            if self.is_encoder_decoder
            else transformers.AutoModelForCausalLM
        )
        try:
            self.tokenizer = transformers.AutoTokenizer.from_pretrained(source, trust_remote_code=trust)
            self.model = model_class.from_pretrained(
                source,
                dtype=getattr(torch, self.dtype),
                device_map=self.device,
                trust_remote_code=trust,
            )
        except ValueError as error:
            if "Unrecognized configuration class" in str(error):
                raise ModelError(
                    f"{self._model_id} is a {type(hf_config).__name__} model, which does not generate "
                    "text (not a causal or seq2seq language model). Choose a chat/instruct model."
                ) from error
            raise
        self.model.eval()
        text_config = hf_config.get_text_config() if hasattr(hf_config, "get_text_config") else hf_config
        window = getattr(text_config, "max_position_embeddings", None) or getattr(
            text_config, "n_positions", None
        )
        tokenizer_limit = getattr(self.tokenizer, "model_max_length", 0) or 0
        self.context_size = int(window or (tokenizer_limit if tokenizer_limit < 1_000_000 else 2048))
        if not self.tokenizer.chat_template and not self.is_encoder_decoder:
            raise ModelError(
                f"{self._model_id} has no chat template, so it is not a chat (instruct) model. Pick "
                "an '-Instruct' or '-Chat' model."
            )
        eos = self.model.generation_config.eos_token_id
        if eos is None:
            eos = self.tokenizer.eos_token_id
        self.eos_ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])

    def _warm_up(self) -> None:
        """Compile the decoding step now, so the first draft is not the one that waits for it."""
        stats = GenerationStats()
        warm = GenerationParams(temperature=0.0, max_new_tokens=4, repetition_penalty=1.0)
        for _ in self.stream([{"role": "user", "content": "Hello"}], warm, (), stats):
            pass

    @property
    def model_id(self) -> str:
        return self._model_id

    def info(self) -> ModelInfo:
        device = self.device
        if self.device == "cuda":
            import torch

            device = f"cuda:{torch.cuda.current_device()} ({torch.cuda.get_device_name()})"
        extra = ", static cache + torch.compile" if self.static_cache else ""
        return ModelInfo(
            device=f"{device}, {self.dtype}{extra}",
            context_size=self.context_size,
            notices=tuple(self.notices),
        )

    def count_tokens(self, text: str) -> int:
        """Tokens `text` takes in this model's tokenizer."""
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def chat_model(self, params: GenerationParams) -> HfChatModel:
        return HfChatModel(engine=self, params=params)

    def close(self) -> None:
        with self.lock:
            self.model = None
            self.tokenizer = None
        gc.collect()
        if self.device == "cuda":
            import torch

            torch.cuda.empty_cache()
        from core.models.hardware import return_freed_memory

        return_freed_memory()

    def encode(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        """Token ids of the conversation as the model expects it, ready for `generate`."""
        if self.tokenizer.chat_template:
            try:
                encoded = self.tokenizer.apply_chat_template(
                    messages, add_generation_prompt=True, return_dict=True, return_tensors="pt"
                )
            except Exception as error:  # jinja2's TemplateError; jinja2 is not imported here
                if "system" not in str(error).lower() or messages[0]["role"] != "system":
                    raise
                # Some templates (Gemma, Mistral) refuse a system turn: fold it into the first user turn.
                system, first, *rest = messages
                merged = {"role": "user", "content": f"{system['content']}\n\n{first['content']}"}
                return self.encode([merged, *rest])
        else:  # seq2seq models such as flan-t5 take plain text
            encoded = self.tokenizer("\n\n".join(m["content"] for m in messages), return_tensors="pt")
        return {key: value.to(self.model.device) for key, value in encoded.items()}

    def stream(
        self,
        messages: list[dict[str, str]],
        params: GenerationParams,
        stop: Sequence[str] = (),
        stats: GenerationStats | None = None,
    ) -> Iterator[str]:
        """Yield the reply's text as it is generated; holds the lock until done or closed."""
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList
        from transformers.generation.streamers import BaseStreamer

        stats = stats if stats is not None else GenerationStats()
        with self.lock:
            if self.model is None:
                raise ModelError("The model was unloaded. Load it again from the sidebar.")
            inputs = self.encode(messages)
            prompt_tokens = int(inputs["input_ids"].shape[-1])
            stats.prompt_tokens = prompt_tokens
            room = self.context_size - (0 if self.is_encoder_decoder else prompt_tokens)
            if room <= 0:
                raise ModelError(
                    f"The prompt takes {prompt_tokens} tokens but the model's context holds "
                    f"{self.context_size}. Shorten the text or choose a model with a larger context."
                )
            limit = min(params.max_new_tokens, room)
            tokens: queue.Queue[object] = queue.Queue()
            cancel = threading.Event()

            class TokenQueue(BaseStreamer):
                """Sends each new token id to the reader; the first call carries the prompt."""

                def __init__(self) -> None:
                    self.started = False

                def put(self, value: Any) -> None:
                    if not self.started:
                        self.started = True
                        return
                    for token in value.reshape(-1).tolist():
                        tokens.put(token)

                def end(self) -> None:
                    tokens.put(_END)

            class Cancelled(StoppingCriteria):
                """Ends generation once the reader has stopped reading (stop string or closed)."""

                def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
                    done = cancel.is_set()
                    return torch.full((input_ids.shape[0],), done, dtype=torch.bool, device=input_ids.device)

            options: dict[str, Any] = {
                **inputs,
                "max_new_tokens": limit,  # new tokens only; never max_length (which counts the prompt)
                "streamer": TokenQueue(),
                "stopping_criteria": StoppingCriteriaList([Cancelled()]),
                "pad_token_id": self.tokenizer.pad_token_id
                if self.tokenizer.pad_token_id is not None
                else next(iter(self.eos_ids), None),
                "repetition_penalty": params.repetition_penalty,
            }
            if params.temperature > 0:
                options.update(do_sample=True, temperature=params.temperature, top_p=params.top_p)
            else:
                options.update(do_sample=False, temperature=None, top_p=None, top_k=None)
            if self.static_cache:
                needed = prompt_tokens + limit
                steps = -(-needed // STATIC_CACHE_STEP)
                options.update(
                    cache_implementation="static",
                    max_cache_len=min(steps * STATIC_CACHE_STEP, self.context_size + limit),
                )
            if params.seed is not None:
                torch.manual_seed(params.seed)

            def work() -> None:
                try:
                    self.model.generate(**options)  # runs under no_grad itself
                except BaseException as error:  # noqa: BLE001 - handed to the reader, which raises it
                    tokens.put(_Failure(error))
                    tokens.put(_END)

            worker = threading.Thread(target=work, name="huayu-hf-generate", daemon=True)
            worker.start()
            try:
                yield from self._decode(tokens, limit, stop, stats)
            finally:
                cancel.set()
                worker.join()

    def _decode(
        self, tokens: queue.Queue[object], limit: int, stop: Sequence[str], stats: GenerationStats
    ) -> Iterator[str]:
        stops = StopFilter(stop)
        ids: list[int] = []
        shown = ""
        stats.finish_reason = "length"
        while True:
            item = tokens.get()
            if item is _END:
                break
            if isinstance(item, _Failure):
                friendly = translate(item.error, Remote(target=f"the {self.device} device", model=self._model_id))
                if friendly is None:
                    raise item.error
                raise friendly from item.error
            assert isinstance(item, int)
            if item in self.eos_ids:
                stats.finish_reason = "stop"
                break
            stats.completion_tokens += 1
            ids.append(item)
            text = self.tokenizer.decode(ids, skip_special_tokens=True)
            if text.endswith("\ufffd"):
                continue  # the rest of a multi-byte character is in the next token
            safe = stops.feed(text[len(shown) :])
            shown = text
            if safe:
                yield safe
            if stops.stopped:
                stats.finish_reason = "stop"
                return
            if stats.completion_tokens >= limit:
                break
        rest = stops.flush()
        if rest:
            yield rest


class HfChatModel(LocalChatModel):
    """LangChain chat model over a shared, already-loaded `HfEngine`."""

    engine: HfEngine = Field(exclude=True)
    """The loaded model; shared by every request in the process."""

    ls_provider: ClassVar[str] = "huggingface"

    @property
    def _llm_type(self) -> str:
        return "huayu-hf"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": self.engine.model_id, **self.params.model_dump()}


class HfBackend(Backend):
    id: ClassVar[str] = "hf"
    label: ClassVar[str] = "Transformers (HF pipeline)"
    config_type: ClassVar[type[BackendConfig]] = HfConfig

    def load(self, config: BackendConfig) -> HfEngine:
        assert isinstance(config, HfConfig)
        return HfEngine(config)


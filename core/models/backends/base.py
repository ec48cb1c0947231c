"""The small contract every backend module fulfils.

A backend turns a typed, hashable config into a `LoadedModel` (the expensive part: weights in memory
or a client to a server), and a `LoadedModel` hands out cheap LangChain chat models with
per-request generation settings. Loading happens once per process, in `core.models.model_slot`.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, ConfigDict, Field


class GenerationParams(BaseModel):
    """Sampling settings for one request; the same names on every backend."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    temperature: float = Field(0.3, ge=0.0, le=2.0)
    """0 is greedy; higher is more varied."""
    top_p: float = Field(0.9, gt=0.0, le=1.0)
    """Nucleus sampling: keep the smallest token set whose probability reaches this."""
    max_new_tokens: int = Field(320, ge=1, le=8192)
    """New tokens to generate, never counting the prompt (the lesson's max_length mix-up)."""
    repetition_penalty: float = Field(1.1, ge=1.0, le=2.0)
    """Above 1 discourages repeating the same words."""
    seed: int | None = None
    """Fix for reproducible drafts; None draws a new seed each time."""


class BackendConfig(BaseModel):
    """Base of each backend's config: frozen, so it can key the process's model cache."""

    model_config = ConfigDict(frozen=True, extra="forbid", protected_namespaces=())


@dataclass(frozen=True)
class ModelInfo:
    """What the sidebar and the CLI show about a loaded model."""

    device: str = ""
    """Where it runs: "cpu", "cuda:0 (NVIDIA H100)", "GPU, 31 layers", or the server's URL."""
    context_size: int | None = None
    """Context window in tokens, when the backend knows it."""
    notices: tuple[str, ...] = ()
    """Things the user should know, e.g. "no CUDA, running on the CPU instead"."""


class LoadedModel(ABC):
    """A model ready to answer: what `Backend.load` returns and the model slot keeps."""

    backend_id: ClassVar[str]

    @property
    @abstractmethod
    def model_id(self) -> str:
        """A short, stable name of the model for logs and the sidebar."""

    @abstractmethod
    def chat_model(self, params: GenerationParams) -> BaseChatModel:
        """A LangChain chat model over this loaded model; cheap to create per request."""

    secrets: frozenset[str] = frozenset()
    """Secret values of the config it was loaded from (API keys), masked in logs and messages.

    `ModelSlot` fills it in from the config's `SecretStr` fields; backends need do nothing."""

    languages: frozenset[str] | None = None
    """Reply languages the model writes, when its files say so (GGUF basename); None leaves it
    to `core.models.languages` to look the family up by the model id."""

    context_size: int | None = None
    """Tokens the model's context holds (prompt plus reply); None when unknown (a server).
    Backends set it, or override it with a property (gguf)."""

    def count_tokens(self, text: str) -> int:
        """Tokens `text` takes. Backends with a tokenizer override this; the default estimate
        errs high: one token per CJK character or emoji, one per 3 other characters."""
        wide = len(_WIDE_CHARACTER.findall(text))
        return wide + -(-(len(text) - wide) // 3)
    def info(self) -> ModelInfo:
        """Device, context size and notices; backends that know more override this."""
        return ModelInfo()

    def close(self) -> None:
        """Free what the model holds (RAM, GPU memory, connections)."""


# CJK ideographs, kana, hangul, full-width forms and emoji: about one token each or more.
_WIDE_CHARACTER = re.compile(
    "[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U0001f000-\U0001faff\U00020000-\U0003ffff]"
)


class Backend(ABC):
    """One way of running a model. A new backend is one module with one subclass of this."""

    id: ClassVar[str]
    label: ClassVar[str]
    config_type: ClassVar[type[BackendConfig]]

    @abstractmethod
    def load(self, config: BackendConfig) -> LoadedModel:
        """Load the model (or connect to it). Raises `ModelError` with a fix for user errors."""


class ModelError(Exception):
    """A problem the shop can fix (missing file, wrong key…); the message says how."""

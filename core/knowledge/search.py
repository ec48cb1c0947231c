"""Finding the knowledge passages for one request, within a token budget."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.drafting.grounding import Passage
from core.knowledge.files import Section, all_sections, knowledge_dir, knowledge_files
from core.retrieval.embeddings import LocalEmbeddings, make_embeddings
from core.retrieval.vectors import top_indices

MIN_SIMILARITY = 0.25
"""Below this (cosine, USE m3, which scores a question against a whole section low) a section
is about something else: better no passage than a wrong one."""
DEFAULT_BUDGET = 320
MAX_PASSAGES = 2
_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[A-Za-z0-9]+")


def approx_tokens(text: str) -> int:
    """A tokenizer-free estimate that errs long: ~1.4 tokens an English word, ~1.5 a Chinese character."""
    return int(len(_WORD.findall(text)) * 1.4 + len(_CJK.findall(text)) * 1.5) + 1


@dataclass
class _Embedded:
    signature: tuple[tuple[str, float, int], ...]
    sections: list[Section]
    matrix: np.ndarray


@dataclass
class KnowledgeBase:
    """The knowledge folder's sections and their vectors, re-embedded when a file changes."""

    embeddings: LocalEmbeddings = field(default_factory=make_embeddings)
    directory: Path | None = None
    _cache: dict[str, _Embedded] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def _root(self) -> Path:
        return self.directory or knowledge_dir()

    def _embedded(self, language: str) -> _Embedded:
        files = knowledge_files(language, self._root())
        signature = tuple((p.name, p.stat().st_mtime, p.stat().st_size) for p in files)
        with self._lock:
            cached = self._cache.get(language)
            if cached is None or cached.signature != signature:
                found = all_sections(language, self._root())
                vectors = self.embeddings.vectors([f"{s.heading}\n{s.text}" for s in found])
                cached = self._cache[language] = _Embedded(signature, found, vectors)
            return cached

    def sections(self, language: str) -> list[Section]:
        return self._embedded(language).sections

    def find(self, text: str, language: str, budget: int = DEFAULT_BUDGET) -> list[Passage]:
        """The sections of `language` most like `text`, best first, at most MAX_PASSAGES and
        `budget` estimated tokens in all; none below MIN_SIMILARITY."""
        if budget <= 0 or not text.strip():
            return []
        embedded = self._embedded(language)
        if not embedded.sections:
            return []
        scores = embedded.matrix @ self.embeddings.vectors([text], query=True)[0]
        passages: list[Passage] = []
        spent = 0
        for index in top_indices(scores, 8):
            section, score = embedded.sections[int(index)], float(scores[index])
            cost = approx_tokens(section.text)
            if score < MIN_SIMILARITY or len(passages) == MAX_PASSAGES:
                break
            if spent + cost <= budget:
                passages.append(Passage(section.source, section.heading, section.text, score))
                spent += cost
        return passages

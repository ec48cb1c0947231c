"""Grounding a request before its prompt is built: past replies to imitate (`core.examples`) and
the shop's knowledge (`core.knowledge`), both found with the same local embedding model."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from core.drafting.grounding import Grounding
from core.examples.selection import ExampleFinder
from core.knowledge.search import DEFAULT_BUDGET, KnowledgeBase
from core.retrieval.embeddings import LocalEmbeddings, make_embeddings


@dataclass
class Grounder:
    """Examples and knowledge for one database; the app keeps one per process (the embedding
    model loads once), the CLI one per command."""

    examples: ExampleFinder
    knowledge: KnowledgeBase

    def ground(
        self,
        task: str,
        text: str,
        language: str,
        *,
        few_shot: int,
        knowledge: bool,
        budget: int = DEFAULT_BUDGET,
        category: str | None = None,
    ) -> Grounding:
        """The `few_shot` best past replies (those of the same triage `category` preferred) and,
        if `knowledge`, the passages for one request."""
        return Grounding(
            examples=tuple(self.examples.find(task, text, language, few_shot, category)),
            passages=tuple(self.knowledge.find(text, language, budget)) if knowledge else (),
        )


def make_grounder(
    sessions: sessionmaker[Session], embeddings: LocalEmbeddings | None = None
) -> Grounder:
    """A grounder on `sessions` whose examples and knowledge share one embedding model."""
    shared = embeddings or make_embeddings()
    return Grounder(ExampleFinder(sessions, shared), KnowledgeBase(shared))


__all__ = ["Grounder", "Grounding", "make_grounder"]

"""The process's triage: one classifier, refitted when staff have corrected more labels."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from langchain_core.language_models import BaseChatModel
from sqlalchemy.orm import Session, sessionmaker

from core.triage.classifier import TriageClassifier
from core.triage.examples import LabelledMessage, shipped_examples, staff_corrections
from core.triage.labels import Triage
from core.triage.structured import classify_with_model, combine
from db.triage import correction_count


@dataclass
class Triager:
    """Labels complaints with a classifier fitted on the shipped examples and, when a database
    is given, the shop's own corrections (refitted when their number changes)."""

    sessions: sessionmaker[Session] | None = None
    _classifier: TriageClassifier | None = field(default=None, init=False)
    _corrections: int = field(default=-1, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def classifier(self) -> TriageClassifier:
        """The classifier, refitted first if staff corrected labels since it was fitted."""
        with self._lock:
            corrections: list[LabelledMessage] = []
            count = 0
            if self.sessions is not None:
                with self.sessions() as session:
                    count = correction_count(session)
                    if count != self._corrections:
                        corrections = staff_corrections(session)
            if self._classifier is None or count != self._corrections:
                self._classifier = TriageClassifier(examples=[*shipped_examples(), *corrections])
                self._corrections = count
            return self._classifier

    def triage(self, text: str) -> Triage:
        """The category, sentiment and urgency of one customer message."""
        return self.classifier().predict([text])[0]

    def label(
        self,
        texts: Sequence[str],
        languages: Sequence[str],
        *,
        method: str = "classifier",
        chat_model: BaseChatModel | None = None,
    ) -> list[Triage]:
        """Labels for several messages by `method`: `classifier`, `model` (the chat model's
        structured output) or `combined` (the chat model picks among the classifier's top
        categories when the classifier is unsure)."""
        if method == "classifier":
            return self.classifier().predict(texts)
        if chat_model is None:
            raise ValueError(f"triage by {method} needs a chat model")
        if method == "model":
            return [classify_with_model(chat_model, t, lang) for t, lang in zip(texts, languages, strict=True)]
        if method == "combined":
            return [
                combine(self.classifier(), chat_model, t, lang)
                for t, lang in zip(texts, languages, strict=True)
            ]
        raise ValueError(f"unknown triage method {method!r}")

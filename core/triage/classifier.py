"""Labelling a message with a linear SVM over its character and word n-grams.

Character n-grams catch the words that name a problem in either language without a word
segmenter ("wilted", "蔫了", "扣了两次"), word pairs catch English phrases ("wrong colour",
"too late"). One linear SVM per label, fitted on the labelled examples in a few seconds when first
needed. Chosen by five-fold cross-validation on the examples, never on the evaluation set; the
sentence embeddings and nearest neighbours scored lower there (QUALITY.md, "Triage").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from core.triage.examples import LabelledMessage
from core.triage.labels import FIELDS, Triage

STAFF_WEIGHT = 3.0
"""A staff correction counts as much as three shipped examples: it is the shop's own customer."""
REGULARISATION = 1.0
"""The SVM's C: larger fits the examples more closely."""


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


@dataclass
class TriageClassifier:
    """One linear SVM per label over character and word n-grams, fitted on `examples`."""

    examples: Sequence[LabelledMessage]
    regularisation: float = REGULARISATION
    _features: list[TfidfVectorizer] = field(init=False, default_factory=list)
    _models: dict[str, LinearSVC] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        if not self.examples:
            raise ValueError("triage needs labelled examples to learn from")
        texts = [e.text for e in self.examples]
        self._features = [
            TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, min_df=2),
            TfidfVectorizer(
                analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"
            ),
        ]
        for vectorizer in self._features:
            vectorizer.fit(texts)
        features = self._matrix(texts)
        weights = np.array([STAFF_WEIGHT if e.origin == "staff" else 1.0 for e in self.examples])
        for name in FIELDS:
            rows = [i for i, e in enumerate(self.examples) if getattr(e, name)]
            labels = [getattr(self.examples[i], name) for i in rows]
            if len(set(labels)) < 2:
                raise ValueError(f"triage needs examples of at least two {name} labels")
            model = LinearSVC(C=self.regularisation)
            model.fit(features[rows], labels, sample_weight=weights[rows])
            self._models[name] = model

    def _matrix(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return sparse.hstack([v.transform(texts) for v in self._features], format="csr")

    def scores(self, texts: Sequence[str]) -> dict[str, tuple[list[str], np.ndarray]]:
        """Per label: its classes and, per text, a softmax of the SVM's margins — a ranking
        score that sums to 1, not a calibrated probability."""
        features = self._matrix(texts)
        found = {}
        for name, model in self._models.items():
            margins = model.decision_function(features)
            if margins.ndim == 1:  # two classes: one margin, positive for classes_[1]
                margins = np.stack([-margins, margins], axis=1)
            found[name] = (list(model.classes_), _softmax(margins * 4.0))
        return found

    def predict(self, texts: Sequence[str]) -> list[Triage]:
        """The best labels of each text, with their scores."""
        found = self.scores(texts)
        results = []
        for row in range(len(texts)):
            chosen: dict[str, str] = {}
            confidence: dict[str, float] = {}
            for name in FIELDS:
                classes, scores = found[name]
                best = int(np.argmax(scores[row]))
                chosen[name] = classes[best]
                confidence[name] = float(scores[row][best])
            results.append(Triage(**chosen, method="classifier", confidence=confidence))
        return results

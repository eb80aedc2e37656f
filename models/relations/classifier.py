"""A logistic regression over candidate entity pairs (fit/predict on plain spans).

scikit-learn fits it; scoring needs only its weights. A fitted classifier is kept and saved as a
:class:`LinearScorer` — one weight per feature string and an intercept, the exact sigmoid of the
fitted model — so that loading a pipeline never imports scikit-learn (1.4 s of every worker's
start-up) and a candidate's score is a sum over its dozen features instead of a sparse matrix.
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from xxgk.models.relations.candidates import (
    Candidate,
    RelationSettings,
    Span,
    candidates,
    load_relation_settings,
)


@dataclass(frozen=True)
class RelationExample:
    """One document for training: its text, its entities (sorted) and the gold relation triples."""

    text: str
    spans: list[Span]
    gold: frozenset[tuple[int, int, str]]


@dataclass(frozen=True)
class PredictedRelation:
    head: int
    tail: int
    label: str
    score: float


@dataclass(frozen=True)
class LinearScorer:
    """P(related) = sigmoid(intercept + Σ weight of each present feature); features are binary."""

    weights: dict[str, float]
    intercept: float

    @classmethod
    def from_fitted(cls, vectorizer: Any, model: Any) -> LinearScorer:
        """The weights of a fitted DictVectorizer + binary LogisticRegression."""
        coef = model.coef_[0]
        return cls({name: float(coef[i]) for name, i in vectorizer.vocabulary_.items() if coef[i]},
                   float(model.intercept_[0]))

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.intercept + sum(self.weights.get(name, 0.0) * value for name, value in features.items())
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


@cache
def _rules():
    from xxgk.models.rules import RulesModel

    return RulesModel()


class RelationClassifier:
    """Logistic regression over sparse binary features; threshold and decoding from settings."""

    def __init__(self, settings: RelationSettings | None = None, threshold: float | None = None):
        self.settings = settings or load_relation_settings()
        self.threshold = self.settings.classifier["threshold"] if threshold is None else threshold
        self.scorer: LinearScorer | None = None

    def candidates(self, text: str, spans: list[Span]) -> list[Candidate]:
        """Candidates with their features; with ``rule_votes`` on, each also says whether the
        rules baseline links that pair (stacking, as the NER does with the rules' entity tags)."""
        cands = candidates(text, spans, settings=self.settings)
        if self.settings.classifier.get("rule_votes") and cands:
            votes = set(_rules().relations(text, spans))
            for cand in cands:
                cand.features[f"{cand.label}|rules={(cand.head, cand.tail, cand.label) in votes}"] = 1.0
        return cands

    def fit(self, examples: Iterable[RelationExample]) -> RelationClassifier:
        feats, ys = [], []
        for ex in examples:
            for cand in self.candidates(ex.text, ex.spans):
                feats.append(cand.features)
                ys.append((cand.head, cand.tail, cand.label) in ex.gold)
        if len(set(ys)) < 2:
            raise ValueError("relation training data needs both positive and negative candidates")
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        cfg = self.settings.classifier
        vectorizer = DictVectorizer()
        model = LogisticRegression(C=cfg["C"], max_iter=cfg["max_iter"], random_state=cfg["seed"],
                                   class_weight="balanced")
        model.fit(vectorizer.fit_transform(feats), np.array(ys))
        self.scorer = LinearScorer.from_fitted(vectorizer, model)
        return self

    def score(self, text: str, spans: list[Span]) -> list[tuple[Candidate, float]]:
        return self.score_many([(text, spans)])[0]

    def score_many(self, docs: Iterable[tuple[str, list[Span]]]) -> list[list[tuple[Candidate, float]]]:
        """Scored candidates per document."""
        if self.scorer is None:
            raise RuntimeError("relation classifier is not fitted")
        probability = self.scorer.probability
        return [[(cand, probability(cand.features)) for cand in self.candidates(text, spans)] for text, spans in docs]

    def predict(self, text: str, spans: list[Span], threshold: float | None = None) -> list[PredictedRelation]:
        return self.predict_many([(text, spans)], threshold)[0]

    def predict_many(self, docs: Iterable[tuple[str, list[Span]]],
                     threshold: float | None = None) -> list[list[PredictedRelation]]:
        cut = self.threshold if threshold is None else threshold
        return [decode(scored, cut, self.settings.single_tail) for scored in self.score_many(docs)]

    def tune_threshold(self, examples: list[RelationExample]) -> tuple[float, float]:
        """Set the threshold maximising micro F1 on (dev) examples; return (threshold, f1)."""
        scored = [(ex, self.score(ex.text, ex.spans)) for ex in examples]
        best = (self.threshold, -1.0)
        for threshold in np.arange(0.05, 0.96, 0.05):
            tp = fp = fn = 0
            for ex, pairs in scored:
                pred = {(p.head, p.tail, p.label) for p in decode(pairs, threshold, self.settings.single_tail)}
                tp += len(pred & ex.gold)
                fp += len(pred - ex.gold)
                fn += len(ex.gold - pred)
            f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
            if f1 > best[1]:
                best = (round(float(threshold), 2), f1)
        self.threshold = best[0]
        return best

    def to_bytes(self) -> bytes:
        """Plain data only (the weights, not scikit-learn objects)."""
        if self.scorer is None:
            raise RuntimeError("relation classifier is not fitted")
        return pickle.dumps({"weights": self.scorer.weights, "intercept": self.scorer.intercept,
                             "threshold": self.threshold})

    def from_bytes(self, data: bytes) -> RelationClassifier:
        """Also reads the pickles of earlier pipelines, which held the fitted scikit-learn objects."""
        state = pickle.loads(data)
        if "pipeline" in state:
            pipeline = state["pipeline"]
            self.scorer = LinearScorer.from_fitted(pipeline.named_steps["vec"], pipeline.named_steps["lr"])
        else:
            self.scorer = LinearScorer(state["weights"], state["intercept"])
        self.threshold = state["threshold"]
        return self


def decode(
    scored: list[tuple[Candidate, float]], threshold: float, single_tail: frozenset[str]
) -> list[PredictedRelation]:
    """Keep candidates above threshold; for single-tail relations only the best per head."""
    best: dict[tuple[int, str], tuple[Candidate, float]] = {}
    out = []
    for cand, prob in scored:
        if prob < threshold:
            continue
        if cand.label in single_tail:
            key = (cand.head, cand.label)
            if key not in best or prob > best[key][1]:
                best[key] = (cand, prob)
        else:
            out.append(PredictedRelation(cand.head, cand.tail, cand.label, prob))
    out.extend(PredictedRelation(c.head, c.tail, c.label, p) for c, p in best.values())
    return sorted(out, key=lambda r: (r.head, r.tail, r.label))

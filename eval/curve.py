"""Learning curve: train on growing, nested, seeded subsets of the train split; score each model
on dev; tell from the last step's gain (with its paired-bootstrap interval) whether more
annotated data still helps.

The trainer and the model loader are parameters (the CLI passes ``xxgk.models``' real ones,
tests a tiny fake), so this module never imports a model library.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from xxgk.corpus import Corpus
from xxgk.eval.bootstrap import resample_weights
from xxgk.eval.compare import f1_deltas
from xxgk.eval.config import EvalConfig
from xxgk.eval.scoring import Scores, score
from xxgk.eval.summary import FAMILIES, bootstrap_info, summarise_tally
from xxgk.eval.systems import LoadModel, run_model
from xxgk.records import AnnotatedDoc


class TrainModel(Protocol):
    def __call__(self, train_docs: list[AnnotatedDoc], dev_docs: list[AnnotatedDoc], corpus: Corpus,
                 output_dir: Path, *, config: Path | None = None, seed: int | None = None) -> Path: ...


@dataclass(frozen=True)
class CurveStep:
    fraction: float
    train_docs: int
    model_dir: Path
    scores: Scores


def nested_subsets(docs: Sequence[AnnotatedDoc], fractions: Sequence[float],
                   seed: int) -> list[list[AnnotatedDoc]]:
    """Subsets of ``docs`` for increasing fractions, each containing the previous one.

    One seeded permutation is cut at each size, so a step differs from the one before only by
    the added documents, not by a different draw.
    """
    order = np.random.default_rng(seed).permutation(len(docs))
    shuffled = [docs[i] for i in order]
    return [shuffled[:max(1, round(f * len(docs)))] for f in sorted(fractions)]


def learning_curve(train_docs: Sequence[AnnotatedDoc], dev_docs: Sequence[AnnotatedDoc], corpus: Corpus,
                   output_dir: Path, *, train_model: TrainModel, load_model: LoadModel, config: EvalConfig,
                   train_config: Path | None = None, seed: int = 0,
                   progress: Callable[[str], None] | None = None) -> list[CurveStep]:
    """Train and score one model per fraction of ``config.curve_fractions``."""
    if not train_docs or not dev_docs:
        raise ValueError("a learning curve needs train and dev documents")
    steps = []
    subsets = nested_subsets(train_docs, config.curve_fractions, config.curve_seed)
    for fraction, subset in zip(config.curve_fractions, subsets, strict=True):
        if progress:
            progress(f"training on {len(subset)} of {len(train_docs)} train documents ({fraction:.0%})")
        step_dir = output_dir / f"{round(fraction * 100):03d}pct"
        model_dir = train_model(list(subset), list(dev_docs), corpus, step_dir,
                                config=train_config, seed=seed)
        pairing = run_model(load_model(str(model_dir)), dev_docs, corpus)
        steps.append(CurveStep(fraction, len(subset), model_dir, score(pairing.pairs, corpus, config)))
    return steps


def verdict(low: float, high: float) -> str:
    if low > 0:
        return "still rising"
    if high < 0:
        return "falling"
    return "no clear gain"


def curve_summary(steps: Sequence[CurveStep], config: EvalConfig) -> dict[str, Any]:
    """Figures of every step, the gain of each step over the one before, and a verdict per family
    from the last gain of its strict micro F1."""
    weights = resample_weights(len(steps[0].scores.doc_ids), config.resamples, config.seed)
    gains = []
    for before, after in pairwise(steps):
        for d in f1_deltas(before.scores, after.scores, weights, config.level):
            if d["variant"] == "strict" and d["scope"] == "micro":
                gains.append({"from": before.fraction, "to": after.fraction, **d})
    last = {g["family"]: g for g in gains if g["from"] == steps[-2].fraction} if len(steps) > 1 else {}
    return {
        "dev_docs": len(steps[0].scores.doc_ids),
        "steps": [
            {"fraction": s.fraction, "train_docs": s.train_docs, "model_dir": str(s.model_dir),
             **{f: summarise_tally(getattr(s.scores, f), weights, config.level) for f in FAMILIES}}
            for s in steps
        ],
        "gains": gains,
        "verdict": {family: {"last_gain": g["delta"], "ci": g["ci"], "p_value": g["p_value"],
                             "verdict": verdict(*g["ci"])} for family, g in last.items()},
        "bootstrap": bootstrap_info(config),
    }

"""Turn :class:`Scores` into plain figures: counts, precision, recall, F1, bootstrap intervals.

The result is a JSON-ready dict, the one thing the terminal table, ``--json`` and the reports
are made from. Shape (``FIG`` = counts of :data:`FIELDS`, ``possible``, ``actual``,
``precision``, ``recall``, ``f1`` and, for summed figures, ``ci``: {metric: [low, high]})::

    {"docs": n, "entities": {mode: {"micro": FIG, "macro": {...}, "labels": {label: FIG}}},
     "relations": {variant: {...same...}}, "documents": [{doc_id, entities: {mode: FIG},
     relations: {variant: FIG}}], "confusion": {...}, "errors": [...], "bootstrap": {...}}

Macro figures are the unweighted means over the labels that occur (in gold or predictions),
as nervaluate reports only those labels; they carry no interval.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from xxgk.eval.bootstrap import interval, resample_weights, resampled_totals
from xxgk.eval.config import EvalConfig
from xxgk.eval.matching import FIELDS
from xxgk.eval.metrics import Tally, actual, possible, prf
from xxgk.eval.scoring import Scores

METRICS = ("precision", "recall", "f1")
F1 = METRICS.index("f1")
FAMILIES = ("entities", "relations")


def _num(x: Any) -> float:
    """Full precision: a figure here must equal a reference implementation's, not a rounded copy."""
    return float(x)


def figure(counts: np.ndarray, ci: np.ndarray | None = None) -> dict[str, Any]:
    """One figure from its counts ``(FIELDS,)``; ``ci`` is ``(2, METRICS)`` when known."""
    out: dict[str, Any] = {name: int(v) for name, v in zip(FIELDS, counts, strict=True)}
    out["possible"], out["actual"] = int(possible(counts)), int(actual(counts))
    out.update({m: _num(v) for m, v in zip(METRICS, prf(counts), strict=True)})
    if ci is not None:
        out["ci"] = {m: [_num(ci[0, i]), _num(ci[1, i])] if not np.isnan(ci[:, i]).any() else None
                     for i, m in enumerate(METRICS)}
    return out


def bootstrap_prf(tally: Tally, weights: np.ndarray) -> np.ndarray:
    """Resampled precision, recall, F1: ``(resamples, variants, scopes, METRICS)``.

    A resample that drew no document with the label (nothing in gold, nothing predicted) has no
    F1 at all, not an F1 of 0: it is NaN and left out of the interval.
    """
    totals = resampled_totals(tally.counts, weights)
    out = np.stack(prf(totals), axis=-1)
    out[(possible(totals) + actual(totals)) == 0] = np.nan
    return out


def summarise_tally(tally: Tally, weights: np.ndarray, level: float) -> dict[str, Any]:
    totals = tally.total()
    point = np.stack(prf(totals), axis=-1)  # (variants, scopes, METRICS)
    ci = interval(bootstrap_prf(tally, weights), level)  # (2, variants, scopes, METRICS)
    occurs = (possible(totals) + actual(totals)) > 0  # (variants, scopes)
    out: dict[str, Any] = {}
    for v, variant in enumerate(tally.variants):
        used = [s for s in range(1, len(tally.scopes)) if occurs[v, s]]
        means = point[v, used].mean(axis=0) if used else np.zeros(len(METRICS))
        macro = {m: _num(x) for m, x in zip(METRICS, means, strict=True)}
        out[variant] = {
            "micro": figure(totals[v, 0], ci[:, v, 0]),
            "macro": {**macro, "labels": [tally.scopes[s] for s in used]},
            "labels": {tally.scopes[s]: figure(totals[v, s], ci[:, v, s])
                       for s in range(1, len(tally.scopes))},
        }
    return out


def documents(scores: Scores) -> list[dict[str, Any]]:
    """Micro figures of each document (no intervals)."""
    families = (("entities", scores.entities), ("relations", scores.relations))
    return [
        {"doc_id": doc_id,
         **{name: {m: figure(t.counts[i, v, 0]) for v, m in enumerate(t.variants)} for name, t in families}}
        for i, doc_id in enumerate(scores.doc_ids)
    ]


def bootstrap_info(config: EvalConfig) -> dict[str, Any]:
    return {"unit": "document", "resamples": config.resamples, "seed": config.seed, "level": config.level,
            "interval": "percentile"}


def summarise(scores: Scores, config: EvalConfig) -> dict[str, Any]:
    weights = resample_weights(len(scores.doc_ids), config.resamples, config.seed)
    return {
        "docs": len(scores.doc_ids),
        "entities": summarise_tally(scores.entities, weights, config.level),
        "relations": summarise_tally(scores.relations, weights, config.level),
        "documents": documents(scores),
        "confusion": {"labels": list(scores.confusion_labels), "matrix": scores.confusion.tolist(),
                      "rows": "gold", "columns": "predicted"},
        "errors": [e.to_dict() for e in scores.errors],
        "bootstrap": bootstrap_info(config),
    }

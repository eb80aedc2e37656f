"""Compare systems scored on the same documents: figures side by side, F1 deltas against the
first system with paired-bootstrap intervals and p-values, and the documents that differ most."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from xxgk.eval.bootstrap import paired_delta, resample_weights
from xxgk.eval.config import EvalConfig
from xxgk.eval.data import EvalInputError
from xxgk.eval.metrics import actual, possible, prf
from xxgk.eval.scoring import Scores
from xxgk.eval.summary import F1, FAMILIES, bootstrap_info, bootstrap_prf, summarise_tally


def _common_variants(scores: Sequence[Scores], family: str) -> list[str]:
    first = getattr(scores[0], family).variants
    return [v for v in first if all(v in getattr(s, family).variants for s in scores)]


def f1_deltas(base: Scores, other: Scores, weights: np.ndarray, level: float,
              min_docs: int = 2) -> list[dict[str, Any]]:
    """F1 delta (other − base) of every variant and scope both have, on the same resamples.

    A scope found in fewer than ``min_docs`` documents (in gold or either output) gets no interval
    and no p-value: resampling one document only repeats it, which would look like certainty.
    """
    out = []
    for family in FAMILIES:
        tb, to = getattr(base, family), getattr(other, family)
        boot_b, boot_o = bootstrap_prf(tb, weights), bootstrap_prf(to, weights)
        point_b, point_o = prf(tb.total())[F1], prf(to.total())[F1]
        for variant in _common_variants([base, other], family):
            vb, vo = tb.variants.index(variant), to.variants.index(variant)
            for s, scope in enumerate(tb.scopes):
                test = paired_delta(point_o[vo, s] - point_b[vb, s],
                                    boot_o[:, vo, s, F1] - boot_b[:, vb, s, F1], level)
                docs = int(np.count_nonzero(_occurs(tb.counts[:, vb, s]) | _occurs(to.counts[:, vo, s])))
                tested = docs >= min_docs
                out.append({
                    "family": family, "variant": variant, "scope": scope, "metric": "f1",
                    "baseline": float(point_b[vb, s]), "value": float(point_o[vo, s]),
                    "delta": float(test.delta), "docs": docs,
                    "ci": [float(test.low), float(test.high)] if tested else None,
                    "p_value": float(test.p_value) if tested else None,
                })
    return out


def _occurs(per_doc: np.ndarray) -> np.ndarray:
    """Per document: does the scope have any gold or predicted item (counts ``(docs, FIELDS)``)."""
    return (possible(per_doc) + actual(per_doc)) > 0


def doc_f1(scores: Scores, family: str, variant: str = "strict") -> np.ndarray:
    """Micro F1 of each document in one variant."""
    tally = getattr(scores, family)
    return prf(tally.counts[:, tally.variants.index(variant), 0])[F1]


def most_different(base: Scores, other: Scores, top: int) -> list[dict[str, Any]]:
    """Documents ranked by the absolute change of strict entity F1, then of strict relation F1."""
    ent = doc_f1(other, "entities") - doc_f1(base, "entities")
    rel = doc_f1(other, "relations") - doc_f1(base, "relations")
    order = sorted(range(len(base.doc_ids)), key=lambda i: (-abs(ent[i]), -abs(rel[i]), base.doc_ids[i]))
    return [
        {"doc_id": base.doc_ids[i], "entities_f1_delta": float(ent[i]),
         "relations_f1_delta": float(rel[i])}
        for i in order[:top] if ent[i] or rel[i]
    ]


def compare(systems: Sequence[tuple[str, Scores]], config: EvalConfig) -> dict[str, Any]:
    """Everything a comparison reports, as plain data; the first system is the baseline."""
    if len(systems) < 2:
        raise EvalInputError("compare needs at least two systems")
    names = [name for name, _ in systems]
    if len(set(names)) != len(names):
        raise EvalInputError(f"two systems have the same name: {names}")
    base = systems[0][1]
    for name, s in systems[1:]:
        if s.doc_ids != base.doc_ids:
            raise EvalInputError(f"{name} was scored on other documents than {names[0]}")
    weights = resample_weights(len(base.doc_ids), config.resamples, config.seed)
    return {
        "systems": names,
        "baseline": names[0],
        "docs": len(base.doc_ids),
        "figures": {
            name: {family: summarise_tally(getattr(s, family), weights, config.level) for family in FAMILIES}
            for name, s in systems
        },
        "deltas": {name: f1_deltas(base, s, weights, config.level) for name, s in systems[1:]},
        "documents": {name: most_different(base, s, config.top_documents) for name, s in systems[1:]},
        "bootstrap": bootstrap_info(config),
    }

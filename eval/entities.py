"""Entity scores of one document: counts in the four modes per label and overall, and the
gold-vs-predicted label confusion over overlapping spans.

As in nervaluate, the overall (micro) counts come from matching all entities at once and each
label's counts from matching only that label's entities, so a span with the wrong label is one
``incorrect`` overall but a ``spurious`` for its predicted label and a ``missed`` for its gold one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from xxgk.eval.matching import FIELDS, MODES, Span, boundary_distance, match, overlaps, shared_chars
from xxgk.records import AnnotatedDoc


def entity_spans(doc: AnnotatedDoc) -> list[Span]:
    """The document's entities as spans in a canonical order (start, end, label), so that
    nervaluate's order-dependent matching does not depend on the order of a file."""
    return sorted(Span(e.start, e.end, e.label) for e in doc.entities)


def entity_counts(gold: Sequence[Span], pred: Sequence[Span], labels: Sequence[str],
                  min_percent: float) -> np.ndarray:
    """Counts of shape ``(len(MODES), 1 + len(labels), len(FIELDS))``; scope 0 is micro."""
    out = np.zeros((len(MODES), 1 + len(labels), len(FIELDS)), dtype=np.int64)
    for m, mode in enumerate(MODES):
        out[m, 0] = match(gold, pred, mode, min_percent).counts()
        for s, label in enumerate(labels, 1):
            gold_l = [g for g in gold if g.label == label]
            pred_l = [p for p in pred if p.label == label]
            if gold_l or pred_l:
                out[m, s] = match(gold_l, pred_l, mode, min_percent).counts()
    return out


def confusion(gold: Sequence[Span], pred: Sequence[Span], labels: Sequence[str],
              min_percent: float) -> np.ndarray:
    """Matrix ``(gold label, predicted label)`` with a last row and column for "none".

    Gold and predicted spans are paired one to one, the pairs sharing most characters first
    (then closest boundaries, then text order); an unpaired gold span counts in the "none"
    column, an unpaired prediction in the "none" row.
    """
    index = {label: i for i, label in enumerate(labels)}
    none = len(labels)
    candidates = sorted(
        (-shared_chars(p, g), boundary_distance(p, g), gi, pi)
        for gi, g in enumerate(gold) for pi, p in enumerate(pred) if overlaps(p, g, min_percent)
    )
    out = np.zeros((none + 1, none + 1), dtype=np.int64)
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    for _, _, gi, pi in candidates:
        if gi not in used_gold and pi not in used_pred:
            used_gold.add(gi)
            used_pred.add(pi)
            out[index[gold[gi].label], index[pred[pi].label]] += 1
    for gi, g in enumerate(gold):
        if gi not in used_gold:
            out[index[g.label], none] += 1
    for pi, p in enumerate(pred):
        if pi not in used_pred:
            out[none, index[p.label]] += 1
    return out

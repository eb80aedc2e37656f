"""Relation scores of one document, strict and relaxed.

A relation is compared through the spans of its two arguments, never their ids (ids are local
to a file). ``strict``: both argument spans identical, same label, same direction. ``relaxed``:
same label and direction, each predicted argument overlapping the gold one (the overlap test of
the entity modes). Matching is one to one: identical arcs are paired first, then, in relaxed
mode, each remaining prediction takes the free gold arc with the closest argument boundaries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from xxgk.eval.matching import FIELDS, Span, boundary_distance, overlaps
from xxgk.eval.metrics import CORRECT, MISSED, SPURIOUS
from xxgk.records import AnnotatedDoc

VARIANTS = ("strict", "relaxed")
#: Extra variant: relations predicted with the gold entities given (no entity errors possible).
GOLD_ENTITIES = "strict_gold_entities"


@dataclass(frozen=True, order=True)
class Arc:
    head: Span
    tail: Span
    label: str

    def key(self) -> tuple[int, int, int, int, str]:
        """What strict matching compares (argument labels are the entity scores' business)."""
        return self.head.start, self.head.end, self.tail.start, self.tail.end, self.label


@dataclass(frozen=True)
class ArcMatch:
    pairs: tuple[tuple[int, int], ...]  # (prediction index, gold index)
    spurious: tuple[int, ...]
    missed: tuple[int, ...]


def doc_arcs(doc: AnnotatedDoc) -> list[Arc]:
    """The document's relations with their argument spans, in a canonical order."""
    by_id = doc.entity_by_id()
    arcs = []
    for rel in doc.relations:
        head, tail = by_id[rel.head], by_id[rel.tail]
        arcs.append(Arc(Span(head.start, head.end, head.label), Span(tail.start, tail.end, tail.label),
                        rel.label))
    return sorted(arcs)


def loosely_equal(pred: Arc, gold: Arc, min_percent: float) -> bool:
    """The relaxed test: same label and direction, both arguments overlapping."""
    return (pred.label == gold.label and overlaps(pred.head, gold.head, min_percent)
            and overlaps(pred.tail, gold.tail, min_percent))


def match_arcs(gold: Sequence[Arc], pred: Sequence[Arc], *, relaxed: bool, min_percent: float) -> ArcMatch:
    consumed: set[int] = set()
    paired: dict[int, int] = {}
    for pi, p in enumerate(pred):
        gi = next((gi for gi, g in enumerate(gold) if gi not in consumed and g.key() == p.key()), None)
        if gi is not None:
            consumed.add(gi)
            paired[pi] = gi
    if relaxed:
        for pi, p in enumerate(pred):
            if pi in paired:
                continue
            best = min(
                ((boundary_distance(p.head, g.head) + boundary_distance(p.tail, g.tail), gi)
                 for gi, g in enumerate(gold) if gi not in consumed and loosely_equal(p, g, min_percent)),
                default=None,
            )
            if best is not None:
                consumed.add(best[1])
                paired[pi] = best[1]
    return ArcMatch(
        pairs=tuple(sorted(paired.items())),
        spurious=tuple(pi for pi in range(len(pred)) if pi not in paired),
        missed=tuple(gi for gi in range(len(gold)) if gi not in consumed),
    )


def arc_counts(gold: Sequence[Arc], pred: Sequence[Arc], labels: Sequence[str], *, relaxed: bool,
               min_percent: float) -> np.ndarray:
    """Counts of shape ``(1 + len(labels), len(FIELDS))``; scope 0 is micro, the sum of the labels
    (matching never pairs different labels, so the two agree)."""
    index = {label: i for i, label in enumerate(labels, 1)}
    out = np.zeros((1 + len(labels), len(FIELDS)), dtype=np.int64)
    result = match_arcs(gold, pred, relaxed=relaxed, min_percent=min_percent)
    for pi, _ in result.pairs:
        out[index[pred[pi].label], CORRECT] += 1
    for pi in result.spurious:
        out[index[pred[pi].label], SPURIOUS] += 1
    for gi in result.missed:
        out[index[gold[gi].label], MISSED] += 1
    out[0] = out[1:].sum(axis=0)
    return out

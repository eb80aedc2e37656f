"""Span matching in the four SemEval-2013 modes, with nervaluate 1.2.1's per-prediction rules,
exact matches first.

Matching is one to one and runs in two rounds:

1. **Exact matches.** Each prediction (in order) takes the first free gold span that it matches
   exactly for the mode: same span and label for ``strict`` and ``type``, same span for ``exact``
   and ``partial``. These are ``correct``.
2. **The rest, as nervaluate does it.** Each remaining prediction is compared with the gold spans
   still free, in order, and the first it is consistent with is consumed:

   - ``strict`` / ``exact``: the first overlapping gold span → incorrect.
   - ``partial``: the first overlapping gold span → partial.
   - ``type`` (nervaluate's ``ent_type``): among the overlapping gold spans of the same label the
     one with the closest boundaries → correct; else the first overlapping gold span → incorrect.

A prediction that consumes nothing is spurious; a gold span never consumed is missed. Offsets are
stand-off ones (``end`` exclusive); nervaluate's are inclusive, which changes nothing below.

**Where this differs from nervaluate, on purpose.** nervaluate does round 2 only, over the
predictions in the order given: an earlier prediction that merely overlaps a gold span consumes it,
and a later prediction matching that span exactly is then counted spurious (gold DATE [39, 45);
predictions CHANNEL [37, 40) and DATE [39, 45): nervaluate counts one incorrect and one spurious).
Round 1 gives every exact match its credit whatever the order. The result equals nervaluate's when
nervaluate is handed the predictions of round 1 first (``tests/test_eval_differential.py`` checks
exactly that on random documents).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MODES = ("strict", "exact", "partial", "type")

#: Counts of one match, in this order everywhere (arrays end with an axis of these).
FIELDS = ("correct", "incorrect", "partial", "missed", "spurious")


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int
    label: str


@dataclass(frozen=True)
class Outcome:
    """What one prediction (index into the predictions) became, and the gold span it consumed."""

    pred: int
    kind: str  # "correct" | "incorrect" | "partial" | "spurious"
    gold: int | None


@dataclass(frozen=True)
class MatchResult:
    outcomes: tuple[Outcome, ...]
    missed: tuple[int, ...]

    def counts(self) -> np.ndarray:
        """Counts in :data:`FIELDS` order."""
        kinds = [o.kind for o in self.outcomes]
        return np.array([
            kinds.count("correct"), kinds.count("incorrect"), kinds.count("partial"),
            len(self.missed), kinds.count("spurious"),
        ], dtype=np.int64)


def shared_chars(a: Span, b: Span) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def overlaps(pred: Span, gold: Span, min_percent: float) -> bool:
    """nervaluate's test: the shared characters are at least ``min_percent`` % of the gold span."""
    shared = shared_chars(pred, gold)
    return shared > 0 and shared / (gold.end - gold.start) * 100.0 >= min_percent


def boundary_distance(a: Span, b: Span) -> int:
    return abs(a.start - b.start) + abs(a.end - b.end)


def _same_span(a: Span, b: Span) -> bool:
    return a.start == b.start and a.end == b.end


Free = list[tuple[int, Span]]  # (index, span) of the gold spans not consumed yet


def _first_exact(pred: Span, free: Free, mode: str, min_percent: float) -> tuple[int | None, str]:
    fallback = None
    for g_idx, gold in free:
        if _same_span(pred, gold) and (mode != "strict" or pred.label == gold.label):
            return g_idx, "correct"
        if fallback is None and overlaps(pred, gold, min_percent):
            fallback = g_idx
    if fallback is None:
        return None, "spurious"
    return fallback, "partial" if mode == "partial" else "incorrect"


def _closest_same_label(pred: Span, free: Free, min_percent: float) -> tuple[int | None, str]:
    best, best_distance, fallback = None, 0, None
    for g_idx, gold in free:
        if not overlaps(pred, gold, min_percent):
            continue
        if pred.label == gold.label:
            distance = boundary_distance(pred, gold)
            if best is None or distance < best_distance:
                best, best_distance = g_idx, distance
        elif fallback is None:
            fallback = g_idx
    if best is not None:
        return best, "correct"
    if fallback is not None:
        return fallback, "incorrect"
    return None, "spurious"


def exact_pairs(gold: Sequence[Span], pred: Sequence[Span], mode: str) -> dict[int, int]:
    """Round 1: prediction index → gold index of the one-to-one exact matches of ``mode``."""
    with_label = mode in ("strict", "type")
    free: dict[tuple[int, int, str], list[int]] = {}
    for g_idx, g in enumerate(gold):
        free.setdefault((g.start, g.end, g.label if with_label else ""), []).append(g_idx)
    pairs = {}
    for p_idx, p in enumerate(pred):
        candidates = free.get((p.start, p.end, p.label if with_label else ""))
        if candidates:
            pairs[p_idx] = candidates.pop(0)
    return pairs


def match(gold: Sequence[Span], pred: Sequence[Span], mode: str, min_percent: float = 1.0) -> MatchResult:
    """Match predictions to gold spans in one mode: exact matches first, then nervaluate's greedy
    rules over the rest (see the module docstring); ties follow the order of both lists."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {MODES}")
    exact = exact_pairs(gold, pred, mode)
    consumed: set[int] = set(exact.values())
    outcomes = []
    for p_idx, span in enumerate(pred):
        if p_idx in exact:
            outcomes.append(Outcome(p_idx, "correct", exact[p_idx]))
            continue
        free = [(g_idx, g) for g_idx, g in enumerate(gold) if g_idx not in consumed]
        if mode == "type":
            g_idx, kind = _closest_same_label(span, free, min_percent)
        else:
            g_idx, kind = _first_exact(span, free, mode, min_percent)
        if g_idx is not None:
            consumed.add(g_idx)
        outcomes.append(Outcome(p_idx, kind, g_idx))
    missed = tuple(g_idx for g_idx in range(len(gold)) if g_idx not in consumed)
    return MatchResult(tuple(outcomes), missed)

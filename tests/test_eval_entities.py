"""Entity matching in the four modes: hand-computed cases (agreement with nervaluate on random
documents: tests/test_eval_differential.py)."""

from __future__ import annotations

import numpy as np
import pytest

from xxgk.eval.entities import confusion, entity_counts
from xxgk.eval.matching import FIELDS, MODES, Span, match
from xxgk.eval.metrics import prf

LABELS = ("ORG", "DATE", "CHANNEL")


def counts(gold: list[Span], pred: list[Span], mode: str, min_percent: float = 1.0) -> dict[str, int]:
    return dict(zip(FIELDS, match(gold, pred, mode, min_percent).counts().tolist(), strict=True))


def expect(**nonzero: int) -> dict[str, int]:
    return {f: nonzero.get(f, 0) for f in FIELDS}


# The six SemEval-2013 scenarios (gold ORG [0, 4)), hand-computed.
SCENARIOS = {
    "exact match": ([Span(0, 4, "ORG")], {"strict": "correct", "exact": "correct", "partial": "correct",
                                           "type": "correct"}),
    "spurious": ([Span(10, 12, "ORG")], {m: "spurious" for m in MODES}),
    "wrong label, same span": ([Span(0, 4, "DATE")], {"strict": "incorrect", "exact": "correct",
                                                      "partial": "correct", "type": "incorrect"}),
    "same label, overlap": ([Span(1, 4, "ORG")], {"strict": "incorrect", "exact": "incorrect",
                                                   "partial": "partial", "type": "correct"}),
    "wrong label, overlap": ([Span(2, 6, "DATE")], {"strict": "incorrect", "exact": "incorrect",
                                                     "partial": "partial", "type": "incorrect"}),
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_semeval_scenarios(name: str) -> None:
    gold = [Span(0, 4, "ORG")]
    pred, expected = SCENARIOS[name]
    for mode in MODES:
        got = counts(gold, pred, mode)
        kind = expected[mode]
        assert got[kind] == 1, (name, mode, got)
        assert got["missed"] == (1 if kind == "spurious" else 0)
        assert sum(got.values()) == (2 if kind == "spurious" else 1)


def test_missed_and_no_predictions() -> None:
    gold = [Span(0, 4, "ORG"), Span(5, 9, "DATE"), Span(10, 12, "ORG")]
    for mode in MODES:
        got = counts(gold, [], mode)
        assert got == expect(missed=3)
    p, r, f = prf(match(gold, [], "strict").counts())
    assert (p, r, f) == (0.0, 0.0, 0.0)


def test_empty_document_scores_zero_without_error() -> None:
    out = entity_counts([], [], LABELS, 1.0)
    assert out.shape == (len(MODES), 1 + len(LABELS), len(FIELDS)) and not out.any()
    assert [float(x) for x in prf(out[0, 0])] == [0.0, 0.0, 0.0]


def test_duplicate_prediction_counts_once_then_spurious() -> None:
    gold = [Span(0, 4, "ORG")]
    pred = [Span(0, 4, "ORG"), Span(0, 4, "ORG")]
    got = counts(gold, pred, "strict")
    assert got == expect(correct=1, spurious=1)
    p, r, f = (float(x) for x in prf(match(gold, pred, "strict").counts()))
    assert (p, r) == (0.5, 1.0) and f == pytest.approx(2 / 3)


def test_partial_overlap_of_two_gold_spans() -> None:
    """One prediction straddling two gold spans consumes the first (or, in type mode, the one with
    the closest boundaries; here a tie, so the first); the other is missed."""
    gold = [Span(0, 4, "ORG"), Span(5, 9, "ORG")]
    pred = [Span(2, 7, "ORG")]
    assert counts(gold, pred, "strict") == expect(incorrect=1, missed=1)
    assert counts(gold, pred, "partial") == expect(partial=1, missed=1)
    assert counts(gold, pred, "type") == expect(correct=1, missed=1)
    p, r, _ = prf(match(gold, pred, "partial").counts())
    assert (float(p), float(r)) == (0.5, 0.25)  # (correct + ½ partial) / actual, / possible
    # type mode prefers the closer gold span when there is one
    assert match(gold, [Span(4, 9, "ORG")], "type").outcomes[0].gold == 1


def test_per_label_counts_differ_from_micro_as_in_nervaluate() -> None:
    """A wrong label is one `incorrect` overall, but `spurious` for its label, `missed` for the gold one."""
    out = entity_counts([Span(0, 4, "ORG")], [Span(0, 4, "DATE")], LABELS, 1.0)
    strict = dict(zip(("micro", *LABELS), out[MODES.index("strict")].tolist(), strict=True))
    assert strict["micro"] == [0, 1, 0, 0, 0]
    assert strict["ORG"] == [0, 0, 0, 1, 0]
    assert strict["DATE"] == [0, 0, 0, 0, 1]
    assert strict["CHANNEL"] == [0, 0, 0, 0, 0]


def test_min_overlap_is_a_share_of_the_gold_span() -> None:
    long_gold = [Span(0, 200, "ORG")]
    one_char = [Span(199, 203, "ORG")]  # shares 1 of 200 gold characters: 0.5% < 1%
    assert counts(long_gold, one_char, "partial")["spurious"] == 1
    assert counts(long_gold, [Span(197, 203, "ORG")], "partial")["partial"] == 1  # 3 of 200: 1.5%
    assert counts([Span(0, 4, "ORG")], [Span(3, 9, "ORG")], "partial", min_percent=50.0)["spurious"] == 1


def test_an_exact_match_keeps_its_gold_span_against_an_earlier_overlapping_prediction() -> None:
    """Gold DATE [39, 45); predictions CHANNEL [37, 40) then DATE [39, 45): the exact DATE is
    correct in every mode and the CHANNEL, left with no free gold span, spurious."""
    gold = [Span(39, 45, "DATE")]
    pred = [Span(37, 40, "CHANNEL"), Span(39, 45, "DATE")]
    for mode in MODES:
        assert counts(gold, pred, mode) == expect(correct=1, spurious=1), mode
        assert match(gold, pred, mode).outcomes[1].gold == 0
    # same span, other label: exact in `exact`/`partial`, not in `strict`/`type`
    pred = [Span(37, 40, "CHANNEL"), Span(39, 45, "ORG")]
    assert counts(gold, pred, "exact") == expect(correct=1, spurious=1)
    assert counts(gold, pred, "strict") == expect(incorrect=1, spurious=1)


def test_confusion_pairs_overlapping_spans_one_to_one() -> None:
    gold = [Span(0, 4, "ORG"), Span(5, 9, "DATE"), Span(20, 22, "CHANNEL")]
    pred = [Span(0, 4, "ORG"), Span(6, 9, "CHANNEL"), Span(6, 8, "DATE"), Span(30, 31, "ORG")]
    m = confusion(gold, pred, LABELS, 1.0)
    idx = {label: i for i, label in enumerate((*LABELS, "none"))}
    assert m[idx["ORG"], idx["ORG"]] == 1
    assert m[idx["DATE"], idx["CHANNEL"]] == 1  # shares 3 characters, more than the DATE prediction's 2
    assert m[idx["none"], idx["DATE"]] == 1  # left over once the gold DATE is taken
    assert m[idx["CHANNEL"], idx["none"]] == 1
    assert m[idx["none"], idx["ORG"]] == 1
    assert m.sum() == 5 and m[idx["none"], idx["none"]] == 0
    assert np.array_equal(m.sum(axis=1)[:-1], [1, 1, 1])  # every gold span counted once

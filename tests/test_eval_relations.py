"""Relations strict and relaxed, and the error list (with causes and context), on hand-made texts."""

from __future__ import annotations

from test_eval_fixtures import TEXTS, doc

from xxgk.eval.errors import context, entity_errors, relation_errors
from xxgk.eval.matching import FIELDS, Span
from xxgk.eval.relations import arc_counts, doc_arcs, match_arcs
from xxgk.schema import load_schema

T = TEXTS["d1"]  # 2020年，本局通过政府网站发布信息120条，通过微博发布信息30条。
REL_LABELS = load_schema().relation_labels
GOLD = doc("d1", T, [("CHANNEL", "政府网站"), ("ITEM", "信息"), ("QUANTITY", "120条")],
           [(2, "COUNT_OF", 1), (2, "VIA", 0)])


def counts(gold_doc, pred_doc, relaxed: bool) -> dict[str, dict[str, int]]:
    out = arc_counts(doc_arcs(gold_doc), doc_arcs(pred_doc), REL_LABELS, relaxed=relaxed, min_percent=1.0)
    scopes = ("micro", *REL_LABELS)
    return {scope: dict(zip(FIELDS, row, strict=True))
            for scope, row in zip(scopes, out.tolist(), strict=True)}


def test_identical_relations_are_correct_in_both_variants() -> None:
    for relaxed in (False, True):
        micro = counts(GOLD, GOLD, relaxed)["micro"]
        assert (micro["correct"], micro["missed"], micro["spurious"]) == (2, 0, 0)


def test_reversed_relation_is_wrong_even_relaxed() -> None:
    pred = doc("d1", T, [("CHANNEL", "政府网站"), ("ITEM", "信息"), ("QUANTITY", "120条")],
               [(1, "COUNT_OF", 2), (2, "VIA", 0)])
    for relaxed in (False, True):
        c = counts(GOLD, pred, relaxed)
        assert (c["COUNT_OF"]["correct"], c["COUNT_OF"]["missed"], c["COUNT_OF"]["spurious"]) == (0, 1, 1)
        assert c["VIA"]["correct"] == 1
    errors = relation_errors("d1", doc_arcs(GOLD), doc_arcs(pred), [], [], T, min_percent=1.0, width=20)
    assert {(e.error, e.label, e.cause) for e in errors} == {("FP", "COUNT_OF", "reversed"),
                                                             ("FN", "COUNT_OF", "reversed")}


def test_argument_boundaries_count_only_when_relaxed() -> None:
    # the predicted QUANTITY is "20条" instead of "120条": arguments overlap
    pred = doc("d1", T, [("CHANNEL", "政府网站"), ("ITEM", "信息"), ("QUANTITY", "20条")],
               [(2, "COUNT_OF", 1), (2, "VIA", 0)])
    strict, relaxed = counts(GOLD, pred, False)["micro"], counts(GOLD, pred, True)["micro"]
    assert (strict["correct"], strict["missed"], strict["spurious"]) == (0, 2, 2)
    assert (relaxed["correct"], relaxed["missed"], relaxed["spurious"]) == (2, 0, 0)
    causes = {e.cause for e in relation_errors("d1", doc_arcs(GOLD), doc_arcs(pred), [], [], T,
                                               min_percent=1.0, width=20)}
    assert causes == {"argument boundary"}


def test_wrong_arguments_and_wrong_label() -> None:
    # VIA to the wrong channel (微博), and the COUNT_OF given the label VIA
    pred = doc("d1", T, [("CHANNEL", "政府网站"), ("ITEM", "信息"), ("QUANTITY", "120条"),
                         ("CHANNEL", "微博")], [(2, "VIA", 1), (2, "VIA", 3)])
    c = counts(GOLD, pred, True)
    assert c["micro"] == {"correct": 0, "incorrect": 0, "partial": 0, "missed": 2, "spurious": 2}
    assert c["VIA"]["spurious"] == 2 and c["VIA"]["missed"] == 1 and c["COUNT_OF"]["missed"] == 1
    gold_spans = [Span(e.start, e.end, e.label) for e in GOLD.entities]
    pred_spans = [Span(e.start, e.end, e.label) for e in pred.entities]
    errors = relation_errors("d1", doc_arcs(GOLD), doc_arcs(pred), gold_spans, pred_spans, T,
                             min_percent=1.0, width=20)
    causes = {(e.error, e.label, e.text, e.cause) for e in errors}
    assert ("FP", "VIA", "120条 → 信息", "label: gold COUNT_OF") in causes
    assert ("FN", "COUNT_OF", "120条 → 信息", "label: predicted VIA") in causes
    assert ("FP", "VIA", "120条 → 微博", "argument not gold") in causes
    assert ("FN", "VIA", "120条 → 政府网站", "missed") in causes


def test_duplicate_relation_is_one_hit_and_one_false_positive() -> None:
    pred = doc("d1", T, [("CHANNEL", "政府网站"), ("ITEM", "信息"), ("QUANTITY", "120条")],
               [(2, "COUNT_OF", 1), (2, "COUNT_OF", 1), (2, "VIA", 0)])
    c = counts(GOLD, pred, False)["COUNT_OF"]
    assert (c["correct"], c["spurious"]) == (1, 1)
    (error,) = relation_errors("d1", doc_arcs(GOLD), doc_arcs(pred), [], [], T, min_percent=1.0, width=20)
    assert (error.error, error.cause) == ("FP", "duplicate")


def test_relations_are_compared_by_span_not_by_entity_id() -> None:
    renamed = doc("d1", T, [("QUANTITY", "120条"), ("ITEM", "信息"), ("CHANNEL", "政府网站")],
                  [(0, "COUNT_OF", 1), (0, "VIA", 2)])
    assert match_arcs(doc_arcs(GOLD), doc_arcs(renamed), relaxed=False, min_percent=1.0).missed == ()


def test_context_marks_the_span_with_twenty_characters_each_side() -> None:
    text = "一二三四五六七八九十" * 3 + "目标" + "甲乙丙丁戊己庚辛壬癸" * 3
    start = text.index("目标")
    got = context(text, [Span(start, start + 2, "ORG")], 20)
    assert got == text[start - 20:start] + "⟦目标⟧" + text[start + 2:start + 22]
    assert context("a\nb目标c", [Span(3, 5, "ORG")], 20) == "a↵b⟦目标⟧c"  # line breaks shown, ends clipped


def test_entity_errors_name_their_cause() -> None:
    # 2020年 DATE labelled ORG; 政府网站 cut short; 信息 (16, 18) missed; "30条" spurious
    gold = [Span(0, 5, "DATE"), Span(10, 14, "CHANNEL"), Span(16, 18, "ITEM")]
    start = T.index("30条")
    pred = [Span(0, 5, "ORG"), Span(10, 13, "CHANNEL"), Span(start, start + 3, "QUANTITY")]
    errors = entity_errors("d1", gold, pred, T, min_percent=1.0, width=5)
    got = {(e.error, e.label, e.cause) for e in errors}
    assert got == {
        ("FP", "ORG", "label: gold DATE"), ("FN", "DATE", "label: predicted ORG"),
        ("FP", "CHANNEL", "boundary: gold CHANNEL '政府网站'"),
        ("FN", "CHANNEL", "boundary: predicted CHANNEL '政府网'"),
        ("FP", "QUANTITY", "spurious"), ("FN", "ITEM", "missed"),
    }
    fp = next(e for e in errors if e.label == "QUANTITY")
    assert (fp.text, fp.context) == ("30条", T[start - 5:start] + "⟦30条⟧" + T[start + 3:start + 8])
    (twice,) = entity_errors("d1", gold[:1], gold[:1] * 2, T, min_percent=1.0, width=5)
    assert (twice.error, twice.cause) == ("FP", "gold already matched")


def test_relaxed_an_identical_arc_keeps_its_gold_arc_against_an_earlier_overlapping_one() -> None:
    """Predicted COUNT_OF 20条→信息 (arguments overlap the gold ones) comes first in text order and
    COUNT_OF 120条→信息 is identical to gold: the identical one is the match, the other spurious."""
    pred = doc("d1", T, [("ITEM", "信息"), ("QUANTITY", "120条")], [(1, "COUNT_OF", 0)])
    shifted = doc_arcs(doc("d1", T, [("ITEM", "信息"), ("QUANTITY", "20条")], [(1, "COUNT_OF", 0)]))
    gold, exact = doc_arcs(GOLD), doc_arcs(pred)
    count_of = [a for a in gold if a.label == "COUNT_OF"]
    result = match_arcs(count_of, shifted + exact, relaxed=True, min_percent=1.0)
    assert result.pairs == ((1, 0),) and result.spurious == (0,)

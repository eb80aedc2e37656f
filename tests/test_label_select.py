"""Active-learning selection: least-confident documents first, and a seeded random control."""

from __future__ import annotations

import pytest

from xxgk.annotation.select import confidence, most_uncertain, random_docs
from xxgk.records import AnnotatedDoc, Entity, Relation


def doc(doc_id: str, *scores: float | None, relation: float | None = None) -> AnnotatedDoc:
    entities = [Entity(f"e{i}", i, i + 1, "DATE", "x", score=s) for i, s in enumerate(scores)]
    relations = [Relation("e0", "e1", "COUNT_OF", relation)] if relation is not None else []
    return AnnotatedDoc(doc_id, "0" * 64, entities, relations)


def test_confidence_is_the_mean_of_entity_and_relation_scores():
    assert confidence(doc("a", 0.9, 0.5, None, relation=0.4)) == pytest.approx(0.6)
    assert confidence(doc("b", None)) is None
    assert confidence(doc("c")) is None


def test_most_uncertain_takes_the_lowest_mean_first():
    preds = [doc("a", 0.9, 0.9), doc("b", 0.2, 0.99), doc("c", 0.5, 0.6), doc("d"), doc("e", 0.55)]
    # b has the lowest single score but a higher mean than c and e
    assert most_uncertain(preds, 3) == ["c", "e", "b"]
    assert most_uncertain(preds, 10)[-1] == "d", "unscored documents come last"


def test_relation_scores_rank_when_entities_have_none():
    preds = [doc("a", None, None, relation=0.95), doc("b", None, None, relation=0.51)]
    assert most_uncertain(preds, 1) == ["b"]


def test_a_model_without_scores_cannot_rank():
    with pytest.raises(ValueError, match="no scores"):
        most_uncertain([doc("a", None), doc("b")], 1)


def test_random_is_seeded_and_ignores_order():
    pool = [f"{i:03d}" for i in range(50)]
    first = random_docs(pool, 5, seed=7)
    assert first == random_docs(list(reversed(pool)), 5, seed=7)
    assert first != random_docs(pool, 5, seed=8)
    assert len(set(first)) == 5 and set(first) <= set(pool)
    assert random_docs(pool[:3], 10, seed=7) == pool[:3]

"""The bootstrap: seeded, equal to rescoring resampled documents, intervals around the point
estimate; paired deltas and their p-values; the comparison of two systems."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_eval_fixtures import TEXTS, config, doc, gold_docs, write_corpus, write_jsonl

from xxgk.eval.api import GoldSpec, run_compare, run_eval
from xxgk.eval.bootstrap import paired_delta, resample_weights, resampled_totals
from xxgk.eval.data import EvalInputError, pair_docs
from xxgk.eval.scoring import score
from xxgk.records import AnnotatedDoc


def some_predictions() -> list[AnnotatedDoc]:
    """Partly right: d1 misses 微博 and labels 2020年 ORG; d2 finds only the names; d3 one commitment."""
    d1, d2, d3 = TEXTS["d1"], TEXTS["d2"], TEXTS["d3"]
    return [
        doc("d1", d1, [("ORG", "2020年"), ("CHANNEL", "政府网站"), ("ITEM", "信息"), ("QUANTITY", "120条"),
                       ("ITEM", "信息", 2), ("QUANTITY", "30条")], [(3, "COUNT_OF", 2), (5, "COUNT_OF", 4)]),
        doc("d2", d2, [("PERSON", "张三"), ("PERSON", "李四"), ("ORG", "领导")]),
        doc("d3", d3, [("COMMITMENT", "完善公开目录"), ("DATE", "2021年")], [(0, "DUE", 1)]),
    ]


@pytest.fixture
def files(tmp_path: Path) -> GoldSpec:
    corpus = write_corpus(tmp_path)
    write_jsonl(tmp_path / "some.jsonl", some_predictions())
    write_jsonl(tmp_path / "perfect.jsonl", gold_docs())
    return GoldSpec(write_jsonl(tmp_path / "gold.jsonl", gold_docs()), corpus.root)


def test_weights_are_seeded_and_sum_to_the_document_count() -> None:
    a, b = resample_weights(5, 1000, seed=3), resample_weights(5, 1000, seed=3)
    assert np.array_equal(a, b) and a.shape == (1000, 5)
    assert (a.sum(axis=1) == 5).all()
    assert not np.array_equal(a, resample_weights(5, 1000, seed=4))


def test_resampled_counts_equal_rescoring_the_resampled_documents(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path)
    pairs = pair_docs(gold_docs(), some_predictions()).pairs
    scores = score(pairs, corpus, config())
    weights = resample_weights(len(pairs), 20, seed=0)
    totals = resampled_totals(scores.entities.counts, weights)
    rel_totals = resampled_totals(scores.relations.counts, weights)
    for row, w in enumerate(weights):
        drawn = [pair for pair, k in zip(pairs, w, strict=True) for _ in range(k)]
        rescored = score(drawn, corpus, config())
        assert np.array_equal(totals[row], rescored.entities.total())
        assert np.array_equal(rel_totals[row], rescored.relations.total())


def test_eval_is_deterministic_and_intervals_contain_the_point(files: GoldSpec) -> None:
    pred = files.gold.parent / "some.jsonl"
    first, again = run_eval(files, config(), pred=pred), run_eval(files, config(), pred=pred)
    assert first == again
    assert first["bootstrap"]["resamples"] >= 1000
    figures = [first[family][variant]["micro"] for family in ("entities", "relations")
               for variant in first[family]]
    for fig in figures:
        for metric in ("precision", "recall", "f1"):
            low, high = fig["ci"][metric]
            assert low <= fig[metric] <= high, (fig, metric)
    assert any(fig["ci"]["f1"][0] < fig["ci"]["f1"][1] for fig in figures)  # not degenerate


def test_paired_delta_p_value() -> None:
    same = paired_delta(0.0, np.zeros(1000), 0.95)
    assert (same.low, same.high, same.p_value) == (0.0, 0.0, 1.0)
    better = paired_delta(0.3, np.full(999, 0.3), 0.95)
    assert better.p_value == pytest.approx(2 / 1000)  # the smallest p that 999 resamples can give
    # 1 delta ≤ 0, 3 ≥ 0 of 4: p = 2 · min(1 + 1, 1 + 3) / (1 + 4)
    assert paired_delta(1.0, np.array([-1.0, 1.0, 2.0, 3.0]), 0.95).p_value == pytest.approx(0.8)


def test_compare_deltas_and_documents(files: GoldSpec) -> None:
    folder = files.gold.parent
    result = run_compare([str(folder / "some.jsonl"), str(folder / "perfect.jsonl")], files, config(),
                         load_model=lambda name: pytest.fail(f"no model should be loaded, got {name}"))
    some, perfect = result["systems"]
    assert result["baseline"] == some
    deltas = {(d["family"], d["variant"], d["scope"]): d for d in result["deltas"][perfect]}
    micro = deltas[("entities", "strict", "micro")]
    assert micro["value"] == 1.0 and micro["delta"] == pytest.approx(1.0 - micro["baseline"], abs=1e-6)
    assert micro["ci"][0] > 0 and micro["p_value"] < 0.05
    person = deltas[("entities", "strict", "PERSON")]
    # Both find both names, but PERSON occurs in one document only: resampling it would only repeat
    # it, so there is no interval and no p-value rather than a false certainty.
    assert person["delta"] == 0.0 and person["docs"] == 1 and person["p_value"] is None and person["ci"] is None
    assert micro["docs"] == 3
    assert [d["doc_id"] for d in result["documents"][perfect]][:1] == ["d2"]  # F1 0.4 → 1: the largest change
    assert "d4" not in [d["doc_id"] for d in result["documents"][perfect]]  # no change, not listed
    with pytest.raises(EvalInputError, match="same name"):
        run_compare([str(folder / "some.jsonl")] * 2, files, config(), load_model=lambda name: None)


def test_resamples_without_the_label_are_left_out_of_its_interval(files: GoldSpec) -> None:
    """PERSON occurs in one document only and is always right: its F1 interval is [1, 1], not
    [0, 1] (a resample that drew no document with a PERSON has no PERSON F1, not an F1 of 0)."""
    gold = files.gold
    result = run_eval(files, config(), pred=gold)
    person = result["entities"]["strict"]["labels"]["PERSON"]
    assert person["f1"] == 1.0 and person["ci"]["f1"] == [1.0, 1.0]

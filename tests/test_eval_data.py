"""Inputs: splits, unknown documents, text mismatches, tolerated and fatal prediction problems,
and whole-run scoring of the hand-made corpus (micro vs macro)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_eval_fixtures import TEXTS, config, doc, gold_docs, write_corpus, write_jsonl

from xxgk.eval.api import GoldSpec, run_eval
from xxgk.eval.data import EvalInputError, load_gold, load_predictions, pair_docs
from xxgk.records import AnnotatedDoc, Entity
from xxgk.standoff import StandoffError


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    corpus = write_corpus(tmp_path)
    return write_jsonl(tmp_path / "gold.jsonl", gold_docs()), corpus.root


def score_pred(tmp_path: Path, gold: Path, corpus: Path, pred_docs: list[AnnotatedDoc], **kw: object) -> dict:
    pred = write_jsonl(tmp_path / "pred.jsonl", pred_docs)
    return run_eval(GoldSpec(gold, corpus), config(), pred=pred, **kw)


def test_perfect_predictions_score_one(tmp_path: Path, setup: tuple[Path, Path]) -> None:
    result = score_pred(tmp_path, *setup, gold_docs())
    for mode, block in result["entities"].items():
        assert block["micro"]["f1"] == 1.0, mode
        assert block["micro"]["ci"]["f1"] == [1.0, 1.0]
    assert result["relations"]["strict"]["micro"]["correct"] == 10
    assert result["errors"] == []
    empty = next(d for d in result["documents"] if d["doc_id"] == "d4")
    assert empty["entities"]["strict"]["f1"] == 0.0 and empty["entities"]["strict"]["possible"] == 0


def test_no_predictions_and_missing_documents(tmp_path: Path, setup: tuple[Path, Path]) -> None:
    preds = [AnnotatedDoc(d.doc_id, d.text_sha256) for d in gold_docs()[:2]]  # d3, d4 absent
    result = score_pred(tmp_path, *setup, preds)
    micro = result["entities"]["strict"]["micro"]
    assert (micro["correct"], micro["missed"], micro["actual"], micro["f1"]) == (0, 17, 0, 0.0)
    assert result["missing_predictions"] == ["d3", "d4"]
    assert len([e for e in result["errors"] if e["error"] == "FN"]) == 17 + 10


def test_micro_and_macro(tmp_path: Path, setup: tuple[Path, Path]) -> None:
    """d1 perfect (7 entities of QUANTITY, ITEM, CHANNEL, DATE), nothing predicted elsewhere.

    Per label: QUANTITY, ITEM, CHANNEL have F1 1; DATE 1 of 2 found (P 1, R 1/2, F1 2/3);
    PERSON, POSITION, ORG, COMMITMENT 0. Micro: 7 of 17 found, P 1, R 7/17, F1 14/24.
    Macro over the 8 labels that occur: (3 + 2/3) / 8.
    """
    gold = gold_docs()
    preds = [gold[0], *(AnnotatedDoc(d.doc_id, d.text_sha256) for d in gold[1:])]
    strict = score_pred(tmp_path, *setup, preds)["entities"]["strict"]
    assert strict["micro"]["f1"] == pytest.approx(14 / 24, abs=1e-6)
    assert strict["labels"]["DATE"]["f1"] == pytest.approx(2 / 3, abs=1e-6)
    assert strict["macro"]["f1"] == pytest.approx(11 / 24, abs=1e-6)
    assert len(strict["macro"]["labels"]) == 8


def test_macro_leaves_out_labels_that_never_occur(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path, {"x": TEXTS["d1"]})
    date_and_item = doc("x", TEXTS["d1"], [("DATE", "2020年"), ("ITEM", "信息")])
    gold = write_jsonl(tmp_path / "gold.jsonl", [date_and_item])
    only_date = doc("x", TEXTS["d1"], [("DATE", "2020年")])
    pred = write_jsonl(tmp_path / "pred.jsonl", [only_date])
    strict = run_eval(GoldSpec(gold, corpus.root), config(), pred=pred)["entities"]["strict"]
    assert strict["macro"]["labels"] == ["ITEM", "DATE"]
    assert strict["macro"]["f1"] == pytest.approx(0.5)  # (0 + 1) / 2, not / 8
    assert strict["micro"]["f1"] == pytest.approx(2 / 3, abs=1e-6)


def test_unknown_documents_are_an_error_unless_ignored(tmp_path: Path, setup: tuple[Path, Path]) -> None:
    gold, corpus = setup
    stray = doc("d9", "别的文本", [])  # not in gold (and not in the corpus)
    with pytest.raises(EvalInputError, match=r"not in the gold set: d9.*--ignore-unknown"):
        score_pred(tmp_path, gold, corpus, [*gold_docs(), stray])
    result = score_pred(tmp_path, gold, corpus, [*gold_docs(), stray], ignore_unknown=True)
    assert result["ignored_unknown"] == ["d9"]
    assert result["entities"]["strict"]["micro"]["f1"] == 1.0


def test_text_mismatch_names_the_document(tmp_path: Path, setup: tuple[Path, Path]) -> None:
    preds = gold_docs()
    preds[1] = doc("d2", TEXTS["d2"] + "另一版本", [("PERSON", "张三")])
    with pytest.raises(EvalInputError, match=r"different texts .* 1 document\(s\): d2$"):
        score_pred(tmp_path, *setup, preds)
    with pytest.raises(EvalInputError, match="d2"):
        pair_docs(gold_docs(), [preds[1]])


def test_rule_breaking_predictions_are_scored_unscorable_ones_rejected(tmp_path: Path,
                                                                       setup: tuple[Path, Path]) -> None:
    gold, corpus = setup
    t = TEXTS["d1"]
    # a duplicate span, and a span ending on punctuation: against the rules, but scorable
    rule_breaking = doc("d1", t, [("CHANNEL", "政府网站"), ("CHANNEL", "政府网站"), ("QUANTITY", "120条，")])
    micro = score_pred(tmp_path, gold, corpus, [rule_breaking])["entities"]["strict"]["micro"]
    assert (micro["correct"], micro["incorrect"], micro["spurious"], micro["missed"]) == (1, 1, 1, 15)
    bad_slice = AnnotatedDoc("d1", gold_docs()[0].text_sha256, [Entity("e0", 0, 4, "DATE", "不对的")])
    with pytest.raises(StandoffError, match="slice"):
        score_pred(tmp_path, gold, corpus, [bad_slice])
    bad_label = doc("d1", t, [("PLACE", "政府网站")])
    with pytest.raises(StandoffError, match="unknown entity label"):
        score_pred(tmp_path, gold, corpus, [bad_label])


def test_split_selects_documents_and_drops_predictions_outside_it(tmp_path: Path,
                                                                  setup: tuple[Path, Path]) -> None:
    gold, corpus = setup
    splits = tmp_path / "splits.json"
    splits.write_text(json.dumps({"train": ["d1", "d2"], "dev": ["d3"], "test": ["d4", "d3"]}))
    loaded = load_gold(gold, write_corpus(tmp_path), split="test", splits_path=splits)
    assert [d.doc_id for d in loaded.docs] == ["d3", "d4"]
    assert loaded.outside_split == {"d1", "d2"}
    pairing = load_predictions(write_jsonl(tmp_path / "p.jsonl", gold_docs()), write_corpus(tmp_path), loaded)
    assert [p.gold.doc_id for p in pairing.pairs] == ["d3", "d4"] and pairing.ignored == []
    result = run_eval(GoldSpec(gold, corpus, "test", splits), config(), pred=tmp_path / "p.jsonl")
    assert (result["docs"], result["split"]) == (2, "test")
    splits.write_text(json.dumps({"test": ["d3", "d7"]}))
    with pytest.raises(EvalInputError, match="d7"):
        load_gold(gold, write_corpus(tmp_path), split="test", splits_path=splits)
    with pytest.raises(EvalInputError, match="no split 'dev'"):
        load_gold(gold, write_corpus(tmp_path), split="dev", splits_path=splits)

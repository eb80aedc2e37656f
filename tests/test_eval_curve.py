"""Scoring a model (a fake one), with and without gold entities; the learning curve with a fake
trainer; and the harness never importing spaCy or the models package."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable, Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from test_eval_fixtures import config, gold_docs, write_corpus, write_jsonl

from xxgk.corpus import Corpus
from xxgk.eval.api import GoldSpec, run_curve, run_eval
from xxgk.eval.curve import nested_subsets, verdict
from xxgk.eval.report import write_report
from xxgk.eval.views import curve_blocks
from xxgk.records import AnnotatedDoc

GOLD = {d.doc_id: d for d in gold_docs()}


class FakeModel:
    """Finds the first ``share`` of each document's gold entities, and the gold relations between
    them; given gold entities it finds every gold relation."""

    supports_gold_entities = True

    def __init__(self, name: str, share: float):
        self.name, self.share = name, share

    def predict(self, items: Iterable[tuple[str, str]]) -> Iterator[AnnotatedDoc]:
        for doc_id, _text in items:
            gold = GOLD[doc_id]
            kept = gold.entities[:round(self.share * len(gold.entities))]
            ids = {e.id for e in kept}
            rels = [r for r in gold.relations if r.head in ids and r.tail in ids]
            yield AnnotatedDoc(doc_id, gold.text_sha256, kept, rels)

    def predict_relations(self, doc: AnnotatedDoc, text: str) -> AnnotatedDoc:
        return AnnotatedDoc(doc.doc_id, doc.text_sha256, doc.entities, GOLD[doc.doc_id].relations)


def fake_train(calls: list) -> object:
    def train(train_docs: list[AnnotatedDoc], dev_docs: list[AnnotatedDoc], corpus: Corpus,
              output_dir: Path, *, config: Path | None = None, seed: int = 0) -> Path:
        calls.append(([d.doc_id for d in train_docs], [d.doc_id for d in dev_docs], config, seed))
        output_dir.mkdir(parents=True)
        (output_dir / "meta.json").write_text(json.dumps({"train_docs": len(train_docs)}))
        return output_dir
    return train


def fake_load(path: str) -> FakeModel:
    meta = json.loads((Path(path) / "meta.json").read_text())
    return FakeModel(Path(path).name, meta["train_docs"] / 4)


def test_model_scores_with_and_without_gold_entities(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path)
    spec = GoldSpec(write_jsonl(tmp_path / "gold.jsonl", gold_docs()), corpus.root)
    result = run_eval(spec, config(), model="half", load_model=lambda name: FakeModel(name, 0.5))
    rels = result["relations"]
    assert result["system"] == "half"
    assert set(rels) == {"strict", "relaxed", "strict_gold_entities"}
    assert rels["strict_gold_entities"]["micro"]["f1"] == 1.0  # the relation step itself is perfect
    assert rels["strict"]["micro"]["f1"] < 1.0  # end to end, the missing entities cost relations


def test_nested_subsets_grow_and_are_seeded() -> None:
    docs = gold_docs()
    subsets = nested_subsets(docs, (0.25, 0.5, 0.75, 1.0), seed=0)
    assert [len(s) for s in subsets] == [1, 2, 3, 4]
    for small, big in pairwise(subsets):
        assert big[:len(small)] == small
    assert subsets == nested_subsets(docs, (0.25, 0.5, 0.75, 1.0), seed=0)


def test_learning_curve_with_a_fake_trainer(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path)
    splits = tmp_path / "splits.json"
    splits.write_text(json.dumps({"train": ["d1", "d2", "d3", "d4"], "dev": ["d1", "d2", "d3"], "test": []}))
    spec = GoldSpec(write_jsonl(tmp_path / "gold.jsonl", gold_docs()), corpus.root, splits=splits)
    calls: list = []
    cfg = tmp_path / "train.cfg"
    result = run_curve(spec, tmp_path / "runs", config(), train_model=fake_train(calls), load_model=fake_load,
                       train_config=cfg, seed=5)
    assert [len(c[0]) for c in calls] == [1, 2, 3, 4]
    assert all(c[1] == ["d1", "d2", "d3"] and c[2] == cfg and c[3] == 5 for c in calls)
    f1 = [s["entities"]["strict"]["micro"]["f1"] for s in result["steps"]]
    assert f1 == sorted(f1) and f1[-1] == 1.0
    assert [s["model_dir"] for s in result["steps"]][-1].endswith("100pct")
    assert {g["family"] for g in result["gains"]} == {"entities", "relations"} and len(result["gains"]) == 6
    last = result["verdict"]["entities"]
    assert last["last_gain"] == pytest.approx(f1[-1] - f1[-2], abs=1e-6)
    assert last["verdict"] == verdict(*last["ci"])
    written = write_report(tmp_path / "report", "curve", curve_blocks(result, plots=True))
    assert [p.name for p in written] == ["curve.png", "report.md", "report.html"]
    assert "Verdict" in (tmp_path / "report" / "report.md").read_text(encoding="utf-8")


def test_verdict() -> None:
    assert verdict(0.01, 0.05) == "still rising"
    assert verdict(-0.01, 0.05) == "no clear gain"
    assert verdict(-0.05, -0.01) == "falling"


def test_harness_never_imports_spacy_or_the_models() -> None:
    code = (
        "import sys, pkgutil, importlib, xxgk.eval\n"
        "for m in pkgutil.iter_modules(xxgk.eval.__path__): importlib.import_module('xxgk.eval.' + m.name)\n"
        "bad = [m for m in sys.modules if m == 'spacy' or m.startswith(('spacy.', 'xxgk.models'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

"""Cross-validation: folds of whole agencies, and every document predicted by a model that did not
train (or pick its dev) on it; the ``train+dev`` split union the comparison scores over."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from test_eval_fixtures import gold_docs, write_corpus

from xxgk.corpus import Corpus
from xxgk.eval.crossval import agency_folds, crossval_predict
from xxgk.eval.data import EvalInputError, read_split
from xxgk.records import AnnotatedDoc


def _docs(n: int) -> list[AnnotatedDoc]:
    return [AnnotatedDoc(f"d{i}", "0" * 64) for i in range(n)]


def test_folds_keep_an_agency_together_and_are_seeded() -> None:
    docs = _docs(7)
    manifest = {"d0": {"agency": "A"}, "d1": {"agency": "A"}, "d2": {"agency": "A"}, "d3": {"agency": "B"},
                "d4": {"agency": "C"}, "d5": {"agency": None}}  # d5, d6: no agency, each its own group
    folds = agency_folds(docs, manifest, 3, seed=0)
    ids = [{d.doc_id for d in fold} for fold in folds]
    assert sorted(i for fold in ids for i in fold) == [d.doc_id for d in docs]
    assert any({"d0", "d1", "d2"} <= fold for fold in ids)
    assert all(fold for fold in ids)
    assert folds == agency_folds(docs, manifest, 3, seed=0)
    assert any(agency_folds(docs, manifest, 3, seed=s) != folds for s in range(1, 6))
    with pytest.raises(ValueError, match="3 ≤ k ≤ 7"):
        agency_folds(docs, manifest, 8, seed=0)


class _Remembering:
    """A fake model that knows what it trained on and refuses to predict those documents."""

    supports_gold_entities = False

    def __init__(self, path: str):
        meta = json.loads((Path(path) / "meta.json").read_text())
        self.name, self.seen = Path(path).name, set(meta["train"]) | set(meta["dev"])

    def predict(self, items: Iterable[tuple[str, str]]) -> Iterator[AnnotatedDoc]:
        for doc_id, _ in items:
            assert doc_id not in self.seen, f"{self.name} trained on {doc_id}"
            yield AnnotatedDoc(doc_id, "0" * 64, extra={"by": self.name})


def test_every_document_is_predicted_once_by_a_model_that_never_saw_it(tmp_path: Path) -> None:
    corpus: Corpus = write_corpus(tmp_path)
    docs = gold_docs()
    extra = [AnnotatedDoc("synthetic-1", "0" * 64)]
    calls = []

    def train(train_docs, dev_docs, corpus, output_dir, *, config=None, seed=None) -> Path:
        calls.append(([d.doc_id for d in train_docs], [d.doc_id for d in dev_docs], seed))
        output_dir.mkdir(parents=True)
        meta = {"train": [d.doc_id for d in train_docs], "dev": [d.doc_id for d in dev_docs]}
        (output_dir / "meta.json").write_text(json.dumps(meta))
        return output_dir

    preds = crossval_predict(docs, corpus, tmp_path / "runs", k=3, fold_seed=0, train_model=train,
                             load_model=_Remembering, extra_train=extra, seed=5)
    assert [p.doc_id for p in preds] == [d.doc_id for d in docs]
    assert len({p.extra["by"] for p in preds}) == 3
    assert all("synthetic-1" in train_ids and seed == 5 for train_ids, _, seed in calls)
    assert all(not set(train_ids) & set(dev_ids) for train_ids, dev_ids, _ in calls)


def test_an_interrupted_run_resumes_and_retrains_only_what_changed(tmp_path: Path) -> None:
    corpus: Corpus = write_corpus(tmp_path)
    docs = gold_docs()
    config = tmp_path / "a.cfg"
    config.write_text("[x]\nwidth = 1\n")
    trained: list[str] = []
    killed: list[bool] = []

    def train(train_docs, dev_docs, corpus, output_dir, *, config=None, seed=None) -> Path:
        trained.append(output_dir.name)
        if output_dir.name == "fold-2" and not killed:
            killed.append(True)
            raise MemoryError("killed")  # the first run dies while training fold 2
        (output_dir / "model").mkdir(parents=True, exist_ok=True)
        meta = {"train": [d.doc_id for d in train_docs], "dev": [d.doc_id for d in dev_docs]}
        (output_dir / "model" / "meta.json").write_text(json.dumps(meta))
        return output_dir / "model"

    def run(docs: list[AnnotatedDoc], seed: int = 5) -> list[AnnotatedDoc]:
        return crossval_predict(docs, corpus, tmp_path / "runs", k=3, fold_seed=0, train_model=train,
                                load_model=_Remembering, train_config=config, seed=seed)

    with pytest.raises(MemoryError):
        run(docs)
    assert not (tmp_path / "runs" / "fold-2" / "fold.json").exists()
    trained.clear()
    first = run(docs)
    assert trained == ["fold-2", "fold-3"]  # fold 1 reused
    trained.clear()
    assert [p.to_dict() for p in run(docs)] == [p.to_dict() for p in first] and trained == []

    changed = docs[0].to_dict()
    changed["entities"] = changed["entities"][:-1]
    trained.clear()
    run([AnnotatedDoc.from_dict(changed), *docs[1:]])
    assert len(trained) == 2  # the two folds that train or pick their dev on the changed document
    trained.clear()
    config.write_text("[x]\nwidth = 2\n")
    run(docs)
    assert trained == ["fold-1", "fold-2", "fold-3"]


def test_split_union(tmp_path: Path) -> None:
    path = tmp_path / "splits.json"
    path.write_text(json.dumps({"train": ["a", "b"], "dev": ["c"], "test": ["d"]}))
    assert read_split(path, "train+dev") == ["a", "b", "c"]
    with pytest.raises(EvalInputError, match="no split 'tset'"):
        read_split(path, "train+tset")

"""Cross-validated predictions: every train and dev document predicted by a model that never saw it.

Twenty dev reports cannot tell two configs apart by a couple of F1 points; the test split must
not be used to choose. Cross-validation over the train and dev documents (never test) gives
every one of them an out-of-fold prediction, so ``xxgk compare`` can pair two configs over about
a hundred documents. Folds are groups of agencies (a report and the same office's report of
another year land in the same fold, as the fixed splits do). For fold ``i``: fold ``i`` is
predicted, fold ``i + 1`` is the dev set the trainer needs (spaCy's model selection, the
relation threshold), the others train — with ``extra_train`` (the synthetic text) added.

A fold takes a quarter of an hour on two cores, so an interrupted run resumes: each trained fold
leaves ``fold.json`` beside its model, a fingerprint of what trained it (the training and dev
documents with their annotations, the config file's bytes, the seed). A later run with the same
fingerprint loads that model instead of training it again; any difference trains afresh. Code and
the other files a trainer reads are not in it: after changing them, use a new output folder.

The trainer and the model loader are parameters, as in :mod:`xxgk.eval.curve`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from xxgk.atomic import atomic_path
from xxgk.corpus import Corpus
from xxgk.eval.curve import TrainModel
from xxgk.eval.systems import LoadModel
from xxgk.records import AnnotatedDoc


def agency_folds(docs: Sequence[AnnotatedDoc], manifest: Mapping[str, Mapping[str, Any]], k: int,
                 seed: int) -> list[list[AnnotatedDoc]]:
    """``k`` folds of whole agencies (a document without one is its own group): the groups in a
    seeded random order, each put into the fold with the fewest documents so far."""
    if k < 3 or k > len(docs):
        raise ValueError(f"cross-validation needs 3 ≤ k ≤ {len(docs)} documents, not k = {k}")
    groups: dict[str, list[AnnotatedDoc]] = {}
    for doc in docs:
        groups.setdefault(manifest.get(doc.doc_id, {}).get("agency") or doc.doc_id, []).append(doc)
    names = sorted(groups)
    folds: list[list[AnnotatedDoc]] = [[] for _ in range(k)]
    for i in np.random.default_rng(seed).permutation(len(names)):
        min(folds, key=len).extend(groups[names[i]])
    return folds


def crossval_predict(docs: Sequence[AnnotatedDoc], corpus: Corpus, output_dir: Path, *, k: int, fold_seed: int,
                     train_model: TrainModel, load_model: LoadModel, extra_train: Sequence[AnnotatedDoc] = (),
                     train_config: Path | None = None, seed: int | None = None,
                     progress: Callable[[str], None] | None = None) -> list[AnnotatedDoc]:
    """One out-of-fold prediction per document of ``docs``, in the order of ``docs``."""
    folds = agency_folds(docs, corpus.manifest, k, fold_seed)
    predicted: dict[str, AnnotatedDoc] = {}
    for i, held in enumerate(folds):
        dev = folds[(i + 1) % k]
        train = [d for j, fold in enumerate(folds) if j not in (i, (i + 1) % k) for d in fold]
        if progress:
            progress(f"fold {i + 1}/{k}: training on {len(train)} documents (+{len(extra_train)} extra), "
                     f"dev {len(dev)}, predicting {len(held)}")
        fold_dir, training = output_dir / f"fold-{i + 1}", train + list(extra_train)
        fingerprint = fold_fingerprint(training, dev, train_config, seed)
        model_dir = trained_fold(fold_dir, fingerprint)
        if model_dir is not None:
            if progress:
                progress(f"fold {i + 1}/{k}: reusing {model_dir} (same documents, config and seed)")
        else:
            model_dir = train_model(training, dev, corpus, fold_dir, config=train_config, seed=seed)
            with atomic_path(fold_dir / FOLD_RECORD) as tmp:  # written last: an interrupted fold has none
                tmp.write_text(json.dumps({"fingerprint": fingerprint,
                                           "model": str(Path(model_dir).relative_to(fold_dir))}), encoding="utf-8")
        model = load_model(str(model_dir))
        predicted.update((p.doc_id, p) for p in model.predict((d.doc_id, corpus.text(d.doc_id)) for d in held))
    return [predicted[d.doc_id] for d in docs]


FOLD_RECORD = "fold.json"


def fold_fingerprint(train: Sequence[AnnotatedDoc], dev: Sequence[AnnotatedDoc], config: Path | None,
                     seed: int | None) -> str:
    """SHA-256 over everything that decides a fold's model: its documents (annotations included),
    the config file's bytes (``None``: the trainer's default) and the seed."""
    digest = hashlib.sha256()
    for part, docs in (("train", train), ("dev", dev)):
        digest.update(part.encode())
        for doc in sorted(docs, key=lambda d: d.doc_id):
            digest.update(json.dumps(doc.to_dict(), ensure_ascii=False, sort_keys=True).encode())
    digest.update(b"config" + (config.read_bytes() if config is not None else b"default"))
    digest.update(f"seed={seed}".encode())
    return digest.hexdigest()


def trained_fold(fold_dir: Path, fingerprint: str) -> Path | None:
    """The model a previous run trained for this fold, if it was trained on the same fingerprint."""
    try:
        record = json.loads((fold_dir / FOLD_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    model_dir = fold_dir / str(record.get("model", ""))
    if record.get("fingerprint") != fingerprint or model_dir == fold_dir or not model_dir.is_dir():
        return None
    return model_dir


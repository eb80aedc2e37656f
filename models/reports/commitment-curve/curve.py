"""COMMITMENT learning curve by cross-validation over train + dev (models/README.md).

The clause CRF of ``configs/crf.cfg`` alone (prose units, the rules' votes, the synthetic passages
always in training), 5 folds of whole agencies as in ``xxgk eval cv``; each fold's model is trained
on a seeded fraction of the other four folds' reports and tags the held-out fold. Out-of-fold
strict precision, recall and F1 over all train + dev reports, so ~230 gold commitments score each
point instead of dev's 32. Run from the repository root:
``python models/reports/commitment-curve/curve.py ../shared/corpus > models/reports/commitment-curve/curve.jsonl``.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
from pathlib import Path

from xxgk.annotation.splits import read_splits
from xxgk.corpus import Corpus
from xxgk.eval.crossval import agency_folds
from xxgk.models.ner.commitments import CommitmentTagger
from xxgk.models.ner.docs import units
from xxgk.models.ner.features import rule_entities
from xxgk.records import AnnotatedDoc
from xxgk.standoff import load_docs

FRACTIONS = (0.25, 0.5, 0.75, 1.0)
SEEDS = (0, 1, 2)
Example = tuple[str, list[tuple[int, int]], tuple[tuple[int, int], ...]]


def votes(text: str) -> tuple[tuple[int, int], ...]:
    """The rules baseline's commitments: the clause CRF's vote feature, as in the pipeline."""
    return tuple((s.start, s.end) for s in rule_entities(text) if s.label == "COMMITMENT")


def examples(doc: AnnotatedDoc, corpus: Corpus) -> list[Example]:
    """One (prose stretch, its commitments, the rules' votes) per unit of the report."""
    text, out = corpus.text(doc.doc_id), []
    for start, end in units(text, "prose"):
        unit = text[start:end]
        spans = [(e.start - start, e.end - start) for e in doc.entities
                 if e.label == "COMMITMENT" and e.start >= start and e.end <= end]
        out.append((unit, spans, votes(unit)))
    return out


def predicted(tagger: CommitmentTagger, text: str) -> set[tuple[int, int]]:
    spans = set()
    for start, end in units(text, "prose"):
        unit = text[start:end]
        spans |= {(a + start, b + start) for a, b in tagger.spans(unit, votes(unit))}
    return spans


def main(corpus_dir: str) -> None:
    corpus, synthetic = Corpus(Path(corpus_dir)), Corpus(Path("annotation/synthetic/corpus"))
    splits = read_splits(Path("annotation/splits.json"))
    wanted = set(splits["train"]) | set(splits["dev"])
    docs = [d for f in sorted(Path("annotation/gold").glob("*.jsonl")) for d in load_docs(f, corpus)
            if d.doc_id in wanted]
    extra = [x for f in sorted(Path("annotation/synthetic").glob("*.jsonl"))
             for d in load_docs(f, synthetic) for x in examples(d, synthetic)]
    folds = agency_folds(docs, corpus.manifest, 5, 0)
    cache = {d.doc_id: examples(d, corpus) for d in docs}
    with tempfile.TemporaryDirectory() as tmp:
        for fraction in FRACTIONS:
            for seed in SEEDS if fraction < 1 else SEEDS[:1]:
                tp = fp = fn = trained = with_commitments = 0
                for i, held in enumerate(folds):
                    pool = [d for j, fold in enumerate(folds) if j != i for d in fold]
                    train = random.Random(seed).sample(pool, round(fraction * len(pool)))
                    trained += len(train)
                    with_commitments += sum(any(e.label == "COMMITMENT" for e in d.entities) for d in train)
                    tagger = CommitmentTagger()
                    tagger.fit([x for d in train for x in cache[d.doc_id]] + extra, Path(tmp) / f"{i}.crfsuite")
                    for doc in held:
                        gold = {(e.start, e.end) for e in doc.entities if e.label == "COMMITMENT"}
                        pred = predicted(tagger, corpus.text(doc.doc_id))
                        tp, fp, fn = tp + len(gold & pred), fp + len(pred - gold), fn + len(gold - pred)
                precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
                f1 = 2 * precision * recall / max(1e-9, precision + recall)
                print(json.dumps({"fraction": fraction, "seed": seed, "train_reports": trained / 5,
                                  "train_reports_with_commitments": with_commitments / 5,
                                  "tp": tp, "fp": fp, "fn": fn, "precision": round(precision, 4),
                                  "recall": round(recall, 4), "f1": round(f1, 4)}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus")

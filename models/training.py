"""Train a pipeline: spaCy NER via ``spacy train`` (config system), then the relation classifier.

``train_model`` is the one function behind ``xxgk train`` and the learning curve. Seeded and
deterministic for a given config, data and machine.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.cli.train import train as spacy_train
from spacy.util import load_config
from thinc.api import Config

from xxgk.annotation.splits import read_splits
from xxgk.corpus import Corpus, CorpusUnion
from xxgk.models.relation_classifier import RelationClassifier, RelationExample
from xxgk.models.relation_features import Span
from xxgk.models.spacy_docs import write_docbin
from xxgk.records import AnnotatedDoc
from xxgk.schema import config_path
from xxgk.standoff import load_docs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingData:
    """The split's documents, the marked synthetic ones (train only), and the texts of both."""

    train: list[AnnotatedDoc]
    dev: list[AnnotatedDoc]
    synthetic: list[AnnotatedDoc]
    corpus: CorpusUnion


def load_training_data(
    gold: Path, corpus: Path, splits: Path, synthetic: Path | None, synthetic_corpus: Path
) -> TrainingData:
    """Validated gold cut by the fixed splits (test is never loaded), plus synthetic text if given."""
    corp = Corpus(corpus)
    docs = {d.doc_id: d for d in load_docs(gold, corp)}
    split_ids = read_splits(splits)
    parts, extra = [corp], []
    if synthetic is not None and synthetic.exists():
        syn_corpus = Corpus(synthetic_corpus)
        extra = load_docs(synthetic, syn_corpus)
        parts.append(syn_corpus)
    return TrainingData(
        train=[docs[i] for i in split_ids["train"] if i in docs],
        dev=[docs[i] for i in split_ids["dev"] if i in docs],
        synthetic=extra,
        corpus=CorpusUnion(parts),
    )


def training_unit(config: Config) -> str:
    """The ``[xxgk] unit`` of a pipeline config: what NER trains and predicts on."""
    return config.get("xxgk", {}).get("unit", "paragraph")


def span_labels(config: Config) -> tuple[str, ...]:
    """The ``[xxgk] span_labels`` of a pipeline config: labels a spancat predicts instead of NER."""
    return tuple(config.get("xxgk", {}).get("span_labels", ()))


def relation_example(doc: AnnotatedDoc, text: str) -> RelationExample:
    """A document's gold entities (sorted) and relations as index triples."""
    ents = sorted(doc.entities, key=lambda e: (e.start, e.end))
    index = {e.id: i for i, e in enumerate(ents)}
    spans = [Span(e.start, e.end, e.label, e.text) for e in ents]
    gold = frozenset((index[r.head], index[r.tail], r.label) for r in doc.relations)
    return RelationExample(text, spans, gold)


def train_relations(
    train_docs: list[AnnotatedDoc], dev_docs: list[AnnotatedDoc], corpus: Corpus
) -> tuple[RelationClassifier, dict[str, float]]:
    """Fit on train gold entities; tune the threshold on dev gold entities."""
    train = [relation_example(d, corpus.text(d.doc_id)) for d in train_docs]
    dev = [relation_example(d, corpus.text(d.doc_id)) for d in dev_docs]
    clf = RelationClassifier().fit(train)
    threshold, f1 = clf.tune_threshold(dev)
    return clf, {"threshold": threshold, "dev_f1_gold_entities": round(f1, 4)}


def resolve_seed(config: Path | None, seed: int | None) -> int:
    """``seed``, or when None the ``[system] seed`` of the config (default ``configs/ner.cfg``)."""
    if seed is not None:
        return seed
    return int(load_config(Path(config) if config else config_path("ner.cfg"))["system"]["seed"])


def train_model(
    train_docs: list[AnnotatedDoc],
    dev_docs: list[AnnotatedDoc],
    corpus: Corpus,
    output_dir: Path,
    *,
    config: Path | None = None,
    seed: int | None = None,
) -> Path:
    """Train NER + relations; return the directory of the assembled pipeline (``output_dir/model``).
    ``seed`` None: the config's own."""
    output_dir = Path(output_dir)
    config = Path(config) if config else config_path("ner.cfg")
    cfg = load_config(config)
    seed = resolve_seed(config, seed)
    unit, spans = training_unit(cfg), span_labels(cfg)
    nlp = spacy.blank("zh")
    data = output_dir / "data"
    n_train = write_docbin(nlp, train_docs, corpus, data / "train.spacy", unit=unit, span_labels=spans)
    n_dev = write_docbin(nlp, dev_docs, corpus, data / "dev.spacy", unit=unit, span_labels=spans)
    log.info("training NER on %d %ss (dev %d)", n_train, unit, n_dev)
    ner_dir = output_dir / "ner"
    spacy_train(
        config,
        ner_dir,
        overrides={
            "paths.train": str(data / "train.spacy"),
            "paths.dev": str(data / "dev.spacy"),
            "system.seed": seed,
            "training.seed": seed,
        },
    )
    nlp = spacy.load(ner_dir / "model-best")
    clf, rel_info = train_relations(train_docs, dev_docs, corpus)
    component = nlp.add_pipe("xxgk_relations", last=True)
    component.classifier = clf
    nlp.meta.setdefault("xxgk", {})["relations"] = rel_info
    model_dir = output_dir / "model"
    nlp.to_disk(model_dir)
    return model_dir

"""Train a pipeline: spaCy NER via ``spacy train`` (config system), then the relation classifier.

``train_model`` is the one function behind ``xxgk train`` and the learning curve. Seeded and
deterministic for a given config, data and machine.
"""

from __future__ import annotations

import logging
from pathlib import Path

import spacy
from spacy.cli.train import train as spacy_train
from spacy.util import load_config
from thinc.api import Config

from xxgk.corpus import Corpus
from xxgk.models.relation_classifier import RelationClassifier, RelationExample
from xxgk.models.relation_features import Span
from xxgk.models.spacy_docs import write_docbin
from xxgk.records import AnnotatedDoc
from xxgk.schema import config_path

log = logging.getLogger(__name__)


def training_unit(config: Config) -> str:
    """The ``[xxgk] unit`` of a pipeline config: what NER trains and predicts on."""
    return config.get("xxgk", {}).get("unit", "paragraph")


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


def train_model(
    train_docs: list[AnnotatedDoc],
    dev_docs: list[AnnotatedDoc],
    corpus: Corpus,
    output_dir: Path,
    *,
    config: Path | None = None,
    seed: int = 0,
) -> Path:
    """Train NER + relations; return the directory of the assembled pipeline (``output_dir/model``)."""
    output_dir = Path(output_dir)
    config = Path(config) if config else config_path("ner.cfg")
    unit = training_unit(load_config(config))
    nlp = spacy.blank("zh")
    data = output_dir / "data"
    n_train = write_docbin(nlp, train_docs, corpus, data / "train.spacy", unit=unit)
    n_dev = write_docbin(nlp, dev_docs, corpus, data / "dev.spacy", unit=unit)
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

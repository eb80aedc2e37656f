"""Train a pipeline: its NER — a spaCy network via ``spacy train``, or the CRFs of
``xxgk_crf_ner`` (``[xxgk] trainer = "crf"``) — then the relation classifier.

``train_model`` is the one function behind ``xxgk train``, cross-validation and the learning
curve. Seeded and deterministic for a given config, data and machine.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import spacy
from spacy.cli.train import train as spacy_train
from spacy.language import Language
from spacy.util import load_config, load_model_from_config
from thinc.api import Config, ConfigValidationError

from xxgk.annotation.splits import read_splits
from xxgk.corpus import Corpus, CorpusUnion
from xxgk.models.ner.augment import substituted
from xxgk.models.ner.docs import span_labels, training_unit, units, write_docbin
from xxgk.models.relations.candidates import RelationSettings, Span, load_relation_settings
from xxgk.models.relations.classifier import RelationClassifier, RelationExample
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


def relation_example(doc: AnnotatedDoc, text: str) -> RelationExample:
    """A document's gold entities (sorted) and relations as index triples."""
    ents = sorted(doc.entities, key=lambda e: (e.start, e.end))
    index = {e.id: i for i, e in enumerate(ents)}
    spans = [Span(e.start, e.end, e.label, e.text) for e in ents]
    gold = frozenset((index[r.head], index[r.tail], r.label) for r in doc.relations)
    return RelationExample(text, spans, gold)


def relation_settings_of(cfg: Config) -> RelationSettings:
    """``configs/relations.toml`` with the pipeline config's ``[xxgk.relations]`` classifier
    options over it (``rule_votes``, ``C``…): a pipeline chooses its own relation step, and keeps
    the result in its folder (``xxgk_relations/cfg.json``)."""
    base = load_relation_settings()
    options = dict(cfg.get("xxgk", {}).get("relations", {}))
    return replace(base, classifier={**base.classifier, **options}) if options else base


def train_relations(
    train_docs: list[AnnotatedDoc], dev_docs: list[AnnotatedDoc], corpus: Corpus,
    settings: RelationSettings | None = None,
) -> tuple[RelationClassifier, dict[str, float]]:
    """Fit on train gold entities; tune the threshold on dev gold entities."""
    train = [relation_example(d, corpus.text(d.doc_id)) for d in train_docs]
    dev = [relation_example(d, corpus.text(d.doc_id)) for d in dev_docs]
    clf = RelationClassifier(settings=settings).fit(train)
    threshold, f1 = clf.tune_threshold(dev)
    return clf, {"threshold": threshold, "dev_f1_gold_entities": round(f1, 4)}


def config_file(config: Path | None) -> Path:
    """The training config to use: ``config``, or ``configs/ner.cfg`` when none is given."""
    return Path(config) if config else config_path("ner.cfg")


def config_with_overrides(config: Path | None, settings: list[str], folder: Path) -> Path:
    """``config`` (default ``configs/ner.cfg``) with spaCy-style overrides ``section.key=value``
    (value read as JSON when it parses, else as a string) written to ``folder/config.cfg``, the
    file a run then trains from and keeps beside its models; the config itself when there are none."""
    path = config_file(config)
    if not settings:
        return path
    overrides: dict[str, Any] = {}
    for item in settings:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--set takes section.key=value, not {item!r}")
        try:
            overrides[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            overrides[key.strip()] = raw
    try:
        cfg = load_config(path, overrides=overrides)
    except ConfigValidationError as err:
        causes = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors)
        raise ValueError(f"{path}: --set {causes or err.title}") from err
    folder.mkdir(parents=True, exist_ok=True)
    cfg.to_disk(folder / "config.cfg")
    return folder / "config.cfg"


def resolve_seed(config: Path | None, seed: int | None) -> int:
    """``seed``, or when None the ``[system] seed`` of the config (default ``configs/ner.cfg``)."""
    if seed is not None:
        return seed
    return int(load_config(config_file(config))["system"]["seed"])


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
    config = config_file(config)
    cfg = load_config(config)
    if cfg.get("xxgk", {}).get("trainer") == "crf":
        nlp = train_crf_ner(cfg, train_docs, corpus)
    else:
        nlp = train_spacy_ner(cfg, config, train_docs, dev_docs, corpus, output_dir, resolve_seed(config, seed))
    clf, rel_info = train_relations(train_docs, dev_docs, corpus, relation_settings_of(cfg))
    component = nlp.add_pipe("xxgk_relations", last=True)
    component.classifier = clf
    nlp.meta.setdefault("xxgk", {})["relations"] = rel_info
    model_dir = output_dir / "model"
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(model_dir)
    return model_dir


def train_crf_ner(cfg: Config, train_docs: list[AnnotatedDoc], corpus: Corpus) -> Language:
    """The pipeline of a CRF config with its ``xxgk_crf_ner`` trained on the train documents,
    one example per unit (``[xxgk] unit``). CRF training needs no dev set: its regularisation
    is set in the config (chosen by cross-validation)."""
    nlp = load_model_from_config(cfg, auto_fill=True)
    unit = training_unit(cfg)
    examples = []
    for doc in train_docs:
        text = corpus.text(doc.doc_id)
        for start, end in units(text, unit):
            spans = [(e.start - start, e.end - start, e.label) for e in doc.entities
                     if start <= e.start and e.end <= end]
            examples.append((text[start:end], spans))
    augment = cfg.get("xxgk", {}).get("augment", {})
    if augment.get("copies"):
        examples += substituted(examples, augment["labels"], augment["copies"], augment.get("seed", 0))
    log.info("training the CRF NER on %d %s units (augmented copies included)", len(examples), unit)
    nlp.get_pipe("xxgk_crf_ner").fit(examples)
    return nlp


def train_spacy_ner(cfg: Config, config: Path, train_docs: list[AnnotatedDoc], dev_docs: list[AnnotatedDoc],
                    corpus: Corpus, output_dir: Path, seed: int) -> Language:
    """``spacy train`` on DocBins of the documents' units; the best model on dev."""
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
    return spacy.load(ner_dir / "model-best")

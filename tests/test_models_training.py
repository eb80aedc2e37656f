"""End to end on a tiny corpus the test writes: train (few steps), save, load by path, predict."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from spacy.util import load_config

from xxgk.corpus import Corpus
from xxgk.records import AnnotatedDoc, Entity, Relation, text_sha256
from xxgk.schema import config_path, load_schema
from xxgk.standoff import check_doc

SENTENCES = [
    ("2020年在门户网站发布信息{n}条，回复留言8件。",
     [("2020年", "DATE"), ("门户网站", "CHANNEL"), ("信息", "ITEM"), ("{n}条", "QUANTITY"),
      ("留言", "ITEM"), ("8件", "QUANTITY")]),
    ("李明任县政府办公室主任。", [("李明", "PERSON"), ("县政府办公室", "ORG"), ("主任", "POSITION")]),
]
RELS = {0: [(3, 2, "COUNT_OF"), (3, 1, "VIA"), (5, 4, "COUNT_OF"), (5, 1, "VIA")],
        1: [(0, 2, "HOLDS"), (2, 1, "POST_IN")]}


def make_doc(doc_id: str, n: int) -> tuple[str, AnnotatedDoc]:
    text, ents, rels = "", [], []
    for k, (template, marks) in enumerate(SENTENCES):
        sentence = template.format(n=n)
        base, pos, ids = len(text), 0, []
        for piece, label in marks:
            piece = piece.format(n=n)
            start = sentence.index(piece, pos)
            ids.append(f"e{len(ents) + 1}")
            ents.append(Entity(ids[-1], base + start, base + start + len(piece), label, piece))
            pos = start + len(piece)
        rels += [Relation(ids[h], ids[t], label) for h, t, label in RELS[k]]
        text += sentence + "\n"
    return text, AnnotatedDoc(doc_id, text_sha256(text), ents, rels)


def train_tiny(root: Path, config_name: str, n_docs: int, n_train: int, max_steps: int,
               make: Callable[[str, int], tuple[str, AnnotatedDoc]] = make_doc,
               ) -> tuple[Path, Corpus, list[AnnotatedDoc]]:
    """Train a config of configs/ for a few steps on ``n_docs`` documents written by ``make``."""
    from xxgk.models.training import train_model

    (root / "corpus").mkdir()
    docs = []
    for i in range(n_docs):
        text, doc = make(f"d{i:02}", 100 + 7 * i)
        (root / "corpus" / f"{doc.doc_id}.txt").write_text(text, encoding="utf-8")
        docs.append(doc)
    cfg = config_path(config_name).read_text(encoding="utf-8")
    cfg = cfg.replace("max_steps = 6000", f"max_steps = {max_steps}").replace(
        "eval_frequency = 200", "eval_frequency = 20")
    assert f"max_steps = {max_steps}" in cfg
    (root / "tiny.cfg").write_text(cfg, encoding="utf-8")
    corpus = Corpus(root / "corpus")
    model_dir = train_model(docs[:n_train], docs[n_train:], corpus, root / "run", config=root / "tiny.cfg", seed=1)
    return model_dir, corpus, docs


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, Corpus, list[AnnotatedDoc]]:
    return train_tiny(tmp_path_factory.mktemp("train"), "ner.cfg", n_docs=12, n_train=9, max_steps=60)


def test_trained_pipeline_loads_and_predicts_valid_records(trained):
    from xxgk.models.registry import load_model

    model_dir, corpus, docs = trained
    model = load_model(str(model_dir))
    preds = list(model.predict((d.doc_id, corpus.text(d.doc_id)) for d in docs[9:]))
    assert [p.doc_id for p in preds] == [d.doc_id for d in docs[9:]]
    for pred in preds:
        assert check_doc(pred, corpus.text(pred.doc_id), load_schema()) == []
        for e in pred.entities:
            if e.label == "QUANTITY" and e.norm and "value" in e.norm:
                assert e.norm["value"] == int(e.text.rstrip("条件"))


def test_relations_on_gold_entities_keep_the_entities(trained):
    from xxgk.models.registry import load_model

    model_dir, corpus, docs = trained
    model = load_model(str(model_dir))
    gold = docs[10]
    out = model.predict_relations(AnnotatedDoc(gold.doc_id, gold.text_sha256, list(gold.entities)),
                                  corpus.text(gold.doc_id))
    assert out.entities == gold.entities
    assert {(r.head, r.tail, r.label) for r in out.relations} == {
        (r.head, r.tail, r.label) for r in gold.relations
    }


def test_training_is_deterministic_for_a_seed(trained, tmp_path):
    """The same data, config and seed give the same weights (NER and relation classifier)."""
    import spacy

    from xxgk.models.training import train_model

    model_dir, corpus, docs = trained
    again = train_model(docs[:9], docs[9:], corpus, tmp_path / "again", config=model_dir.parents[1] / "tiny.cfg",
                        seed=1)
    first, second = spacy.load(model_dir), spacy.load(again)
    for name in ("tok2vec", "ner"):
        assert first.get_pipe(name).to_bytes() == second.get_pipe(name).to_bytes(), name
    rel1 = first.get_pipe("xxgk_relations").classifier
    rel2 = second.get_pipe("xxgk_relations").classifier
    assert rel1.threshold == rel2.threshold
    assert rel1.scorer == rel2.scorer


def test_seed_defaults_to_the_configs_own(tmp_path):
    from thinc.api import Config

    from xxgk.models.training import resolve_seed
    from xxgk.schema import config_path

    cfg = Config().from_disk(config_path("ner.cfg"))
    cfg["system"]["seed"] = 7
    cfg.to_disk(tmp_path / "seven.cfg")
    assert resolve_seed(tmp_path / "seven.cfg", None) == 7
    assert resolve_seed(tmp_path / "seven.cfg", 3) == 3
    assert resolve_seed(None, None) == Config().from_disk(config_path("ner.cfg"))["system"]["seed"]


def test_overrides_reach_the_relation_options_and_a_bad_key_is_named(tmp_path):
    from xxgk.models.training import config_with_overrides, relation_settings_of

    crf = config_path("crf.cfg")
    assert relation_settings_of(load_config(crf)).classifier["rule_votes"] is False
    written = config_with_overrides(crf, ["xxgk.relations.rule_votes=true"], tmp_path / "a")
    assert relation_settings_of(load_config(written)).classifier["rule_votes"] is True
    with pytest.raises(ValueError, match=r"crf\.cfg: --set nope\.key: "):
        config_with_overrides(crf, ["nope.key=1"], tmp_path / "b")


def test_the_default_model_comes_from_configs_models_toml(tmp_path):
    from xxgk.models.registry import RULES, default_model_name, resolve, shipped_models

    newest = tmp_path / "newest.toml"
    newest.write_text('default = "newest"\n')
    rules = tmp_path / "rules.toml"
    rules.write_text(f'default = "{RULES}"\n')
    assert default_model_name(rules) == RULES
    if shipped_models():
        assert default_model_name(newest) == shipped_models()[-1].name
    name = default_model_name()  # the project's own choice must name something loadable
    assert name == RULES or name in {m.name for m in shipped_models()}
    assert resolve(None) == resolve(name)

"""Where a system's output comes from: a prediction JSONL file, or a model run on the gold texts.

The model is any object with the shape of :class:`Model`; this module never imports
``xxgk.models`` (nor spaCy): the CLI loads the model and hands in the loader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

from xxgk.corpus import Corpus
from xxgk.eval.data import Gold, Pairing, check_predictions, load_predictions, pair_docs
from xxgk.records import AnnotatedDoc


class Model(Protocol):
    name: str
    supports_gold_entities: bool

    def predict(self, items: Iterable[tuple[str, str]]) -> Iterator[AnnotatedDoc]: ...

    def predict_relations(self, doc: AnnotatedDoc, text: str) -> AnnotatedDoc: ...


LoadModel = Callable[[str], Model]


def is_prediction_file(source: str) -> bool:
    """A source naming an existing ``.jsonl`` file is saved predictions; anything else a model."""
    path = Path(source)
    return path.suffix == ".jsonl" and path.is_file()


def run_model(model: Model, gold: Sequence[AnnotatedDoc], corpus: Corpus) -> Pairing:
    """Predict every gold document; with the gold entities too when the model can."""
    preds = list(model.predict((g.doc_id, corpus.text(g.doc_id)) for g in gold))
    check_predictions(preds, corpus)
    on_gold = None
    if model.supports_gold_entities:
        on_gold = [model.predict_relations(AnnotatedDoc(g.doc_id, g.text_sha256, list(g.entities)),
                                           corpus.text(g.doc_id)) for g in gold]
        check_predictions(on_gold, corpus)
    return pair_docs(gold, preds, on_gold)


def prediction_pairing(path: Path, gold: Gold, corpus: Corpus, *,
                       ignore_unknown: bool = False) -> tuple[str, Pairing]:
    """Saved predictions, named by their path as given."""
    return str(path), load_predictions(path, corpus, gold, ignore_unknown=ignore_unknown)


def model_pairing(name_or_path: str, gold: Gold, corpus: Corpus,
                  load_model: LoadModel) -> tuple[str, Pairing]:
    """A model's predictions, named by the model."""
    model = load_model(name_or_path)
    return model.name, run_model(model, gold.docs, corpus)


def system_pairing(source: str, gold: Gold, corpus: Corpus, *, load_model: LoadModel,
                   ignore_unknown: bool = False) -> tuple[str, Pairing]:
    """Saved predictions when ``source`` is an existing ``.jsonl`` file, else a model."""
    if is_prediction_file(source):
        return prediction_pairing(Path(source), gold, corpus, ignore_unknown=ignore_unknown)
    return model_pairing(source, gold, corpus, load_model)

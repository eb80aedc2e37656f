"""The ``xxgk_relations`` spaCy component: wraps :class:`RelationClassifier` over ``doc.ents``.

Registered as a spaCy factory through the ``spacy_factories`` entry point, so a saved pipeline
loads with ``spacy.load(path)`` and no import of xxgk by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import srsly
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

from xxgk.models.relations.candidates import Span, relation_settings, settings_data
from xxgk.models.relations.classifier import PredictedRelation, RelationClassifier

if not Doc.has_extension("relations"):
    Doc.set_extension("relations", default=None)


def ent_spans(doc: Doc) -> list[Span]:
    return [Span(e.start_char, e.end_char, e.label_, e.text) for e in doc.ents]


class RelationComponent:
    """Sets ``doc._.relations``: dicts ``{head, tail, label, score}`` with head/tail as ent indices."""

    def __init__(self, nlp: Language, name: str, threshold: float | None):
        self.name = name
        self.classifier = RelationClassifier(threshold=threshold)

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        """Classifies the candidates of a whole batch of documents at once."""
        for batch in minibatch(docs, size=batch_size):
            if self.classifier.scorer is None:
                found: list[list[PredictedRelation]] = [[] for _ in batch]
            else:
                found = self.classifier.predict_many([(doc.text, ent_spans(doc)) for doc in batch])
            for doc, preds in zip(batch, found, strict=True):
                doc._.relations = [
                    {"head": p.head, "tail": p.tail, "label": p.label, "score": round(p.score, 4)} for p in preds
                ]
                yield doc

    def to_disk(self, path: str | Path, *, exclude: tuple = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "classifier.pkl").write_bytes(self.classifier.to_bytes())
        srsly.write_json(path / "cfg.json", {"threshold": self.classifier.threshold,
                                             "settings": settings_data(self.classifier.settings)})

    def from_disk(self, path: str | Path, *, exclude: tuple = ()) -> RelationComponent:
        """The classifier with the candidate settings it was trained with (``cfg.json``)."""
        cfg = srsly.read_json(Path(path) / "cfg.json")
        self.classifier = RelationClassifier(settings=relation_settings(cfg["settings"]))
        self.classifier.from_bytes((Path(path) / "classifier.pkl").read_bytes())
        return self


@Language.factory("xxgk_relations", default_config={"threshold": None})
def make_relation_component(nlp: Language, name: str, threshold: float | None) -> RelationComponent:
    return RelationComponent(nlp, name, threshold)

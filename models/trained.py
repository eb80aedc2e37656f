"""A trained pipeline directory as an extraction model: NER per unit, relations per document, a batch at a time."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import spacy
from spacy.util import minibatch

from xxgk.extract.sections import prose_regions
from xxgk.models.ner.docs import SPANS_KEY, training_unit, units
from xxgk.models.normalize import normalize
from xxgk.models.relations.candidates import Span
from xxgk.records import AnnotatedDoc, Entity, Relation, text_sha256

Regions = Callable[[str], Iterable[tuple[int, int]]]


def to_record(doc_id: str, text: str, spans: list[Span], relations: Iterable[tuple[int, int, str, float]],
              scores: list[float | None] | None = None) -> AnnotatedDoc:
    """Stand-off record with ids e1.., ``norm`` per entity, and relation scores."""
    scores = scores or [None] * len(spans)
    entities = [
        Entity(f"e{i + 1}", s.start, s.end, s.label, s.text, normalize(s.label, s.text), score)
        for i, (s, score) in enumerate(zip(spans, scores, strict=True))
    ]
    rels = [Relation(f"e{h + 1}", f"e{t + 1}", label, round(score, 4)) for h, t, label, score in relations]
    return AnnotatedDoc(doc_id, text_sha256(text), entities, rels)


def _inside(start: int, end: int, regions: list[tuple[int, int]]) -> bool:
    """True when [start, end) lies within one of the sorted, non-overlapping regions."""
    i = bisect.bisect_right(regions, (start, float("inf"))) - 1
    return i >= 0 and regions[i][0] <= start and end <= regions[i][1]


def add_scored_spans(ents: list[Span], scored: Iterable[tuple[Span, float]]) -> tuple[list[Span], list[float | None]]:
    """Join a spancat's spans to the NER entities without overlap: among overlapping spans the
    higher score wins; a span that overlaps NER entities replaces them only when it is longer than
    each of them (the schema's "take the longer span"), else it is dropped. Returns the entities
    sorted, with the span scores (None for NER entities)."""
    kept: list[tuple[Span, float]] = []
    for span, score in sorted(scored, key=lambda p: (-p[1], p[0].start, p[0].end)):
        if not any(span.start < k.end and k.start < span.end for k, _ in kept):
            kept.append((span, score))
    out: list[tuple[Span, float | None]] = list(zip(ents, [None] * len(ents), strict=True))
    for span, score in kept:
        hit = [e for e, _ in out if span.start < e.end and e.start < span.end]
        if all(span.end - span.start > e.end - e.start for e in hit):
            out = [(e, sc) for e, sc in out if e not in hit] + [(span, score)]
    out.sort(key=lambda p: (p[0].start, p[0].end))
    return [e for e, _ in out], [sc for _, sc in out]


class TrainedModel:
    """``predict`` runs NER on the units the pipeline was trained on (whole documents or paragraphs,
    ``[xxgk] unit`` of its config), keeps the entities inside the ``regions`` (by default every
    prose line: the statistical tables are the table reader's), and runs the relation classifier
    over the whole document, so relations may cross lines (DUE)."""

    supports_gold_entities = True

    def __init__(self, path: str | Path, regions: Regions | None = None, batch_size: int = 64):
        self.path = Path(path)
        self.nlp = spacy.load(self.path)
        self.meta: dict[str, Any] = self.nlp.meta
        self.name = f"{self.meta.get('name', self.path.name)}-{self.meta.get('version', '')}".strip("-")
        self.regions = regions or prose_regions
        self.batch_size = batch_size
        self.relations = self.nlp.get_pipe("xxgk_relations").classifier
        self.unit = training_unit(self.nlp.config)
        # A CRF NER is called on the text directly: building spaCy Docs of one token per character
        # (and setting their entities token by token) would cost more than the tagging itself.
        self.crf = self.nlp.get_pipe("xxgk_crf_ner").model if "xxgk_crf_ner" in self.nlp.pipe_names else None

    def _ner_pipes(self) -> list[str]:
        return [name for name in self.nlp.pipe_names if name != "xxgk_relations"]

    def predict(self, items: Iterable[tuple[str, str]]) -> Iterator[AnnotatedDoc]:
        """Records in the order of ``items``, computed ``batch_size`` documents at a time."""
        for chunk in minibatch(items, size=self.batch_size):
            found = self._entities([text for _, text in chunk])
            texts_spans = [(text, spans) for (_, text), (spans, _) in zip(chunk, found, strict=True)]
            relations = self.relations.predict_many(texts_spans)
            for (doc_id, text), (spans, scores), preds in zip(chunk, found, relations, strict=True):
                yield to_record(doc_id, text, spans, ((p.head, p.tail, p.label, p.score) for p in preds), scores)

    def _entities(self, texts: list[str]) -> list[tuple[list[Span], list[float | None] | None]]:
        """Per text: its entities sorted by offsets, and the span scores when a spancat found some."""
        if self.crf is not None:
            return [(self._crf_entities(text), None) for text in texts]
        pieces = [(i, start, end) for i, text in enumerate(texts) for start, end in units(text, self.unit)]
        allowed = [sorted((s, e) for s, e in self.regions(text) if e > s) for text in texts]
        spans: list[list[Span]] = [[] for _ in texts]
        scored: list[list[tuple[Span, float]]] = [[] for _ in texts]
        with self.nlp.select_pipes(enable=self._ner_pipes()):
            sdocs = self.nlp.pipe((texts[i][s:e] for i, s, e in pieces), batch_size=self.batch_size)
            for (i, start, _), sdoc in zip(pieces, sdocs, strict=True):
                spans[i].extend(
                    Span(start + ent.start_char, start + ent.end_char, ent.label_, ent.text)
                    for ent in sdoc.ents
                    if _inside(start + ent.start_char, start + ent.end_char, allowed[i])
                )
                if SPANS_KEY in sdoc.spans:  # a spancat (``[xxgk] span_labels``)
                    group = sdoc.spans[SPANS_KEY]
                    scores = np.asarray(group.attrs.get("scores", [1.0] * len(group)), dtype=float).ravel()
                    scored[i].extend(
                        (Span(start + sp.start_char, start + sp.end_char, sp.label_, sp.text), round(float(sc), 4))
                        for sp, sc in zip(group, scores, strict=True)
                        if _inside(start + sp.start_char, start + sp.end_char, allowed[i])
                    )
        out: list[tuple[list[Span], list[float | None] | None]] = []
        for ents, extra in zip(spans, scored, strict=True):
            if extra:
                out.append(add_scored_spans(ents, extra))
            else:
                out.append((sorted(ents, key=lambda s: (s.start, s.end)), None))
        return out

    def _crf_entities(self, text: str) -> list[Span]:
        """The CRF's entities of each unit (with ``unit = "prose"``: the text between the tables)."""
        return [Span(start + s, start + e, label, text[start + s:start + e])
                for start, end in units(text, self.unit) for s, e, label in self.crf.spans(text[start:end])]

    def predict_relations(self, doc: AnnotatedDoc, text: str) -> AnnotatedDoc:
        ents = sorted(doc.entities, key=lambda e: (e.start, e.end))
        spans = [Span(e.start, e.end, e.label, e.text) for e in ents]
        rels = [
            Relation(ents[p.head].id, ents[p.tail].id, p.label, round(p.score, 4))
            for p in self.relations.predict(text, spans)
        ]
        return AnnotatedDoc(doc.doc_id, doc.text_sha256, list(doc.entities), rels)

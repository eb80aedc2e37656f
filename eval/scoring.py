"""Score paired documents: per-document count arrays, the label confusion and the error list.

Nothing here summarises: :mod:`xxgk.eval.summary` turns :class:`Scores` into figures with
confidence intervals, and :mod:`xxgk.eval.compare` pairs two of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from xxgk.corpus import Corpus
from xxgk.eval.config import EvalConfig
from xxgk.eval.data import DocPair
from xxgk.eval.entities import confusion, entity_counts, entity_spans
from xxgk.eval.errors import ErrorItem, entity_errors, relation_errors
from xxgk.eval.matching import MODES
from xxgk.eval.metrics import Tally
from xxgk.eval.relations import GOLD_ENTITIES, VARIANTS, arc_counts, doc_arcs
from xxgk.schema import Schema, load_schema

NONE = "none"


@dataclass(frozen=True)
class Scores:
    doc_ids: tuple[str, ...]
    entities: Tally
    relations: Tally
    confusion_labels: tuple[str, ...]  # entity labels, then "none"
    confusion: np.ndarray  # (gold label, predicted label), summed over documents
    errors: tuple[ErrorItem, ...]


def score(pairs: Sequence[DocPair], corpus: Corpus, config: EvalConfig,
          schema: Schema | None = None) -> Scores:
    """Score every pair; relations on gold entities are scored when every pair has them."""
    schema = schema or load_schema()
    if not pairs:
        raise ValueError("nothing to score: no documents")
    ent_labels, rel_labels = schema.entity_labels, schema.relation_labels
    with_gold_entities = [p.relations_on_gold is not None for p in pairs]
    if any(with_gold_entities) and not all(with_gold_entities):
        raise ValueError("relations on gold entities are given for some documents only")
    variants = (*VARIANTS, GOLD_ENTITIES) if all(with_gold_entities) else VARIANTS
    pct, width = config.min_overlap_percent, config.context_chars

    ent_counts, rel_counts, errors = [], [], []
    matrix = np.zeros((len(ent_labels) + 1, len(ent_labels) + 1), dtype=np.int64)
    for pair in pairs:
        text = corpus.text(pair.gold.doc_id)
        gold_spans, pred_spans = entity_spans(pair.gold), entity_spans(pair.pred)
        gold_arcs, pred_arcs = doc_arcs(pair.gold), doc_arcs(pair.pred)
        ent_counts.append(entity_counts(gold_spans, pred_spans, ent_labels, pct))
        per_variant = [arc_counts(gold_arcs, pred_arcs, rel_labels, relaxed=v == "relaxed", min_percent=pct)
                       for v in VARIANTS]
        if pair.relations_on_gold is not None:
            per_variant.append(arc_counts(gold_arcs, doc_arcs(pair.relations_on_gold), rel_labels,
                                          relaxed=False, min_percent=pct))
        rel_counts.append(np.stack(per_variant))
        matrix += confusion(gold_spans, pred_spans, ent_labels, pct)
        found = entity_errors(pair.gold.doc_id, gold_spans, pred_spans, text, min_percent=pct, width=width)
        found += relation_errors(pair.gold.doc_id, gold_arcs, pred_arcs, gold_spans, pred_spans, text,
                                 min_percent=pct, width=width)
        errors += sorted(found, key=lambda e: (e.kind != "entity", e.start, e.end, e.error))
    return Scores(
        doc_ids=tuple(p.gold.doc_id for p in pairs),
        entities=Tally(MODES, ("micro", *ent_labels), np.stack(ent_counts)),
        relations=Tally(variants, ("micro", *rel_labels), np.stack(rel_counts)),
        confusion_labels=(*ent_labels, NONE),
        confusion=matrix,
        errors=tuple(errors),
    )

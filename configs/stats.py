"""Counts over a set of annotated documents: docs, characters, entities and relations per label."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from xxgk.corpus import Corpus
from xxgk.records import AnnotatedDoc
from xxgk.schema import Schema, load_schema


def corpus_stats(
    docs: Iterable[AnnotatedDoc], corpus: Corpus, schema: Schema | None = None
) -> dict[str, Any]:
    schema = schema or load_schema()
    entities: Counter[str] = Counter()
    relations: Counter[str] = Counter()
    n_docs = chars = 0
    for doc in docs:
        n_docs += 1
        chars += len(corpus.text(doc.doc_id))
        entities.update(e.label for e in doc.entities)
        relations.update(r.label for r in doc.relations)
    return {
        "schema_version": schema.version,
        "docs": n_docs,
        "chars": chars,
        "entities": {label: entities[label] for label in schema.entity_labels},
        "relations": {label: relations[label] for label in schema.relation_labels},
    }

"""Counts over a set of annotated documents: docs, characters, entities and relations per label,
and documents by manifest field (report era, level, part)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from xxgk.corpus import Corpus, derived_field
from xxgk.records import AnnotatedDoc
from xxgk.schema import Schema, load_schema

#: Manifest fields whose document counts the statistics list (``era`` is derived from the year).
BY_FIELDS = ("era", "level", "part")


def corpus_stats(
    docs: Iterable[AnnotatedDoc], corpus: Corpus, schema: Schema | None = None
) -> dict[str, Any]:
    schema = schema or load_schema()
    entities: Counter[str] = Counter()
    relations: Counter[str] = Counter()
    by: dict[str, Counter[str]] = {f: Counter() for f in BY_FIELDS}
    n_docs = chars = 0
    for doc in docs:
        n_docs += 1
        chars += len(corpus.text(doc.doc_id))
        entities.update(e.label for e in doc.entities)
        relations.update(r.label for r in doc.relations)
        record = corpus.manifest.get(doc.doc_id, {})
        for f in BY_FIELDS:
            by[f][str(derived_field(record, f) or "unknown")] += 1
    return {
        "schema_version": schema.version,
        "docs": n_docs,
        "chars": chars,
        "entities": {label: entities[label] for label in schema.entity_labels},
        "relations": {label: relations[label] for label in schema.relation_labels},
        "by": {f: dict(sorted(c.items())) for f, c in by.items()},
    }

"""Facts: one flat row per QUANTITY, joining what the model found around it.

A report's numbers are what analysts query ("how many items went out through which channel,
when, from which agency"). A row holds the quantity's normalised value (``norm``), the ITEM it
counts (COUNT_OF), the CHANNELs it went through (VIA), the DATE nearest to it in the same
sentence — or, when the sentence names none, the report's year — and the report's agency and
year. "Same sentence" uses the relation step's sentence breaks (``configs/relations.toml``),
so a fact and the relations it is built from agree on what a sentence is.
"""

from __future__ import annotations

import bisect
from typing import Any

from xxgk.models.relations.candidates import load_relation_settings, sentence_starts
from xxgk.records import AnnotatedDoc, Entity


def _gap(a: Entity, b: Entity) -> int:
    """Characters between two spans (0 when they touch or overlap)."""
    return max(a.start - b.end, b.start - a.end, 0)


def quantity_facts(text: str, doc: AnnotatedDoc, year: int | None) -> list[dict[str, Any]]:
    """The fact rows of one annotated document, in text order (``year``: the report's, if known).

    Rows name the quantity by its entity id and offsets; the document's id, agency and year are
    the document's, added where rows leave it (the Parquet ``facts`` table)."""
    by_id = doc.entity_by_id()
    items: dict[str, list[Entity]] = {}
    channels: dict[str, list[Entity]] = {}
    for rel in doc.relations:
        target = {"COUNT_OF": items, "VIA": channels}.get(rel.label)
        if target is not None and rel.tail in by_id:
            target.setdefault(rel.head, []).append(by_id[rel.tail])
    starts = sentence_starts(text, load_relation_settings())

    def sentence(entity: Entity) -> int:
        return bisect.bisect_right(starts, entity.start) - 1

    dates_in: dict[int, list[Entity]] = {}  # sentence → its dates, so each quantity looks at its own only
    for e in doc.entities:
        if e.label == "DATE":
            dates_in.setdefault(sentence(e), []).append(e)
    rows = []
    for q in sorted((e for e in doc.entities if e.label == "QUANTITY"), key=lambda e: (e.start, e.end)):
        norm = q.norm or {}
        item = min(items.get(q.id, []), key=lambda e: (_gap(q, e), e.start), default=None)
        date = min(dates_in.get(sentence(q), []), key=lambda d: (_gap(q, d), d.start), default=None)
        rows.append({
            "quantity_id": q.id,
            "quantity": q.text,
            "start": q.start,
            "end": q.end,
            "value": norm.get("value"),
            "value_max": norm.get("value_max"),
            "unit": norm.get("unit"),
            "approx": norm.get("approx"),
            "kind": norm.get("kind"),
            "norm_error": norm.get("error"),
            "item": item.text if item else None,
            "channels": [c.text for c in sorted(channels.get(q.id, []), key=lambda e: e.start)],
            "date": (date.norm or {}).get("iso") if date else (str(year) if year else None),
            "date_text": date.text if date else None,
            "date_from": "sentence" if date else ("report_year" if year else None),
        })
    return rows

"""Long documents: read by the model part by part, within a time budget.

A report that lost its line breaks, or a file that is not a report at all, can be millions of
characters long. The model's cost and memory grow with what it holds at once, so such a text is
cut into parts of at most ``part_chars`` characters — at the last line break of a part, else its
last sentence end, else its last clause break, else hard — each part is predicted on its own,
and the records are joined with their offsets shifted back. Relations never cross a part (a part
ends at a line or sentence end whenever the text has one).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from typing import Any

from xxgk.records import AnnotatedDoc, Relation, text_sha256

#: Where a part may end, best first: a line break, a sentence end, a clause break.
_CUTS = (re.compile(r"\n"), re.compile(r"[。！？!?；;]"), re.compile(r"[，,、：:]"))


class BudgetExceeded(Exception):
    """A document took longer than its time budget."""


@dataclass
class Budget:
    """Seconds a document may take; ``check`` raises once they are spent."""

    seconds: float
    started: float = field(default_factory=time.perf_counter)

    def check(self, done: int, total: int) -> None:
        spent = time.perf_counter() - self.started
        if spent > self.seconds:
            raise BudgetExceeded(f"over the time budget of {self.seconds:g} s per document "
                                 f"({spent:.0f} s for {done} of {total} parts; [runner] doc_seconds)")


def split_parts(text: str, limit: int) -> list[tuple[int, int]]:
    """Consecutive ``(start, end)`` pieces tiling ``text``, none longer than ``limit``."""
    if limit < 1:
        raise ValueError(f"part length must be positive, not {limit}")
    parts, start = [], 0
    while len(text) - start > limit:
        window = text[start:start + limit]
        end = start + limit
        for cut in _CUTS:
            ends = [m.end() for m in cut.finditer(window, limit // 4)]
            if ends:
                end = start + ends[-1]
                break
        parts.append((start, end))
        start = end
    if start < len(text):
        parts.append((start, len(text)))
    return parts


def predict_in_parts(model: Any, doc_id: str, text: str, limit: int, budget: Budget) -> AnnotatedDoc:
    """The model's record of ``text``, predicted part by part (see the module doc)."""
    parts = split_parts(text, limit)
    entities, relations = [], []
    for n, (start, end) in enumerate(parts, 1):
        (record,) = model.predict([(doc_id, text[start:end])])
        ids = {e.id: f"e{len(entities) + k}" for k, e in enumerate(record.entities, 1)}
        entities += [replace(e, id=ids[e.id], start=e.start + start, end=e.end + start) for e in record.entities]
        relations += [Relation(ids[r.head], ids[r.tail], r.label, r.score) for r in record.relations]
        budget.check(n, len(parts))
    return AnnotatedDoc(doc_id, text_sha256(text), entities, relations)

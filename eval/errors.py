"""The error list: every false positive and false negative under strict matching, entities and
relations, with its label, a cause and the text around it.

A prediction is a false positive unless strict matching counted it correct; a gold annotation is
a false negative unless a prediction matched it strictly (so a span with the wrong label is both).
The cause says what went wrong, which tells entity errors from relation errors apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from itertools import pairwise
from typing import Any

from xxgk.eval.matching import Span, match, overlaps, shared_chars
from xxgk.eval.relations import Arc, loosely_equal, match_arcs


@dataclass(frozen=True)
class ErrorItem:
    doc_id: str
    kind: str  # "entity" | "relation"
    error: str  # "FP" | "FN"
    label: str
    start: int
    end: int
    text: str
    cause: str
    context: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def context(text: str, spans: Sequence[Span], width: int) -> str:
    """``width`` characters either side of the spans, each span in ⟦…⟧; line breaks shown as ↵."""
    start, end = min(s.start for s in spans), max(s.end for s in spans)
    marks = sorted({(s.start, s.end) for s in spans})
    if any(b[0] < a[1] for a, b in pairwise(marks)):
        marks = [(start, end)]  # overlapping arguments: mark their union
    parts, pos = [text[max(0, start - width):start]], start
    for s, e in marks:
        parts += [text[pos:s], "⟦", text[s:e], "⟧"]
        pos = e
    parts.append(text[end:end + width])
    return "".join(parts).replace("\r\n", "↵").replace("\n", "↵").replace("\r", "↵")


def _quote(span: Span, text: str) -> str:
    return f"{span.label} {text[span.start:span.end]!r}"


def _entity_cause(span: Span, others: Sequence[Span], other_side: str, text: str,
                  min_percent: float, is_pred: bool) -> str:
    near = [o for o in others if overlaps(*((span, o) if is_pred else (o, span)), min_percent)]
    if not near:
        return "spurious" if is_pred else "missed"
    best = max(near, key=lambda o: (shared_chars(span, o), -abs(o.start - span.start)))
    same_span = (best.start, best.end) == (span.start, span.end)
    if same_span and best.label == span.label:
        # a duplicate prediction, or (overlapping predictions) an earlier one took the gold span
        return "gold already matched" if is_pred else "matched to another prediction first"
    if same_span:
        return f"label: {other_side} {best.label}"
    what = "boundary" if best.label == span.label else "boundary+label"
    return f"{what}: {other_side} {_quote(best, text)}"


def entity_errors(doc_id: str, gold: Sequence[Span], pred: Sequence[Span], text: str, *,
                  min_percent: float, width: int) -> list[ErrorItem]:
    result = match(gold, pred, "strict", min_percent)
    hit_pred = {o.pred for o in result.outcomes if o.kind == "correct"}
    hit_gold = {o.gold for o in result.outcomes if o.kind == "correct"}
    out = []
    for error, spans, others, is_pred, hit in (
        ("FP", pred, gold, True, hit_pred), ("FN", gold, pred, False, hit_gold),
    ):
        for i, span in enumerate(spans):
            if i in hit:
                continue
            side = "gold" if is_pred else "predicted"
            cause = _entity_cause(span, others, side, text, min_percent, is_pred)
            out.append(ErrorItem(doc_id, "entity", error, span.label, span.start, span.end,
                                 text[span.start:span.end], cause, context(text, [span], width)))
    return out


def _arc_text(arc: Arc, text: str) -> str:
    return f"{text[arc.head.start:arc.head.end]} → {text[arc.tail.start:arc.tail.end]}"


def _at(span: Span) -> tuple[int, int]:
    return span.start, span.end


def _relation_cause(arc: Arc, others: Sequence[Arc], other_spans: set[tuple[int, int]],
                    other_side: str, min_percent: float, is_pred: bool) -> str:
    args = (_at(arc.head), _at(arc.tail))
    same_args = [o for o in others if (_at(o.head), _at(o.tail)) == args]
    if any(o.label == arc.label for o in same_args):
        return "duplicate"
    if same_args:
        return f"label: {other_side} {same_args[0].label}"
    if any(o.label == arc.label and (_at(o.tail), _at(o.head)) == args for o in others):
        return "reversed"
    if any(loosely_equal(*((arc, o) if is_pred else (o, arc)), min_percent) for o in others):
        return "argument boundary"
    if not set(args) <= other_spans:
        return f"argument not {other_side}"
    return "spurious" if is_pred else "missed"


def relation_errors(doc_id: str, gold: Sequence[Arc], pred: Sequence[Arc], gold_entities: Sequence[Span],
                    pred_entities: Sequence[Span], text: str, *, min_percent: float,
                    width: int) -> list[ErrorItem]:
    result = match_arcs(gold, pred, relaxed=False, min_percent=min_percent)
    out = []
    for error, arcs, others, indices, spans, side, is_pred in (
        ("FP", pred, gold, result.spurious, gold_entities, "gold", True),
        ("FN", gold, pred, result.missed, pred_entities, "predicted", False),
    ):
        other_spans = {_at(s) for s in spans}
        for i in indices:
            arc = arcs[i]
            cause = _relation_cause(arc, others, other_spans, side, min_percent, is_pred)
            out.append(ErrorItem(doc_id, "relation", error, arc.label, min(arc.head.start, arc.tail.start),
                                 max(arc.head.end, arc.tail.end), _arc_text(arc, text), cause,
                                 context(text, [arc.head, arc.tail], width)))
    return out

"""Candidate entity pairs and their features for the relation classifier.

Plain Python over plain spans (no spaCy), so the trained component, the rules baseline and the
tests share one definition of "which pairs can be related" and "what the classifier sees".
"""

from __future__ import annotations

import bisect
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Any

from xxgk.schema import Schema, config_path, load_schema


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str
    text: str


@dataclass(frozen=True)
class RelationSettings:
    sentence_breaks: frozenset[str]
    clause_breaks: frozenset[str]
    window: dict[str, int]
    max_chars: dict[str, int]
    cues: tuple[str, ...]
    single_tail: frozenset[str]
    classifier: dict[str, Any]
    cjk_period: bool = False
    max_sentence_chars: int = 0
    lead_in: tuple[str, ...] = ()


def relation_settings(data: dict[str, Any]) -> RelationSettings:
    """Settings from a ``relations.toml``-shaped dict."""
    return RelationSettings(
        sentence_breaks=frozenset(data["sentence_breaks"]),
        clause_breaks=frozenset(data["clause_breaks"]),
        window=dict(data["window"]),
        max_chars=dict(data["max_chars"]),
        cues=tuple(data["cues"]["between"]),
        single_tail=frozenset(data["decode"]["single_tail"]),
        classifier=dict(data["classifier"]),
        cjk_period=bool(data.get("cjk_period", False)),
        max_sentence_chars=int(data.get("max_sentence_chars", 0)),
        lead_in=tuple(data["cues"].get("lead_in", ())),
    )


def settings_data(settings: RelationSettings) -> dict[str, Any]:
    """The ``relations.toml``-shaped dict of ``settings`` (saved with a trained classifier, so that
    a pipeline keeps the candidates it was trained with whatever the file says later)."""
    return {
        "sentence_breaks": "".join(sorted(settings.sentence_breaks)),
        "clause_breaks": "".join(sorted(settings.clause_breaks)),
        "cjk_period": settings.cjk_period,
        "max_sentence_chars": settings.max_sentence_chars,
        "window": dict(settings.window),
        "max_chars": dict(settings.max_chars),
        "cues": {"between": list(settings.cues), "lead_in": list(settings.lead_in)},
        "decode": {"single_tail": sorted(settings.single_tail)},
        "classifier": dict(settings.classifier),
    }


@cache
def load_relation_settings() -> RelationSettings:
    with config_path("relations.toml").open("rb") as fh:
        return relation_settings(tomllib.load(fh))


@dataclass(frozen=True)
class Candidate:
    head: int
    tail: int
    label: str
    features: dict[str, float]


_CJK = "\u3400-\u9fff"


def sentence_starts(text: str, settings: RelationSettings) -> list[int]:
    """Offsets where sentences begin: 0, after each sentence break, after a period written
    between two CJK characters (``cjk_period``: half-width text; never in 3.5 or a web address),
    and inside a run longer than ``max_sentence_chars`` after its last clause break (else at
    the limit), so that no sentence is unbounded. Linear in the text."""
    breaks = "".join(sorted(settings.sentence_breaks))
    pattern = f"[{re.escape(breaks)}]"
    if settings.cjk_period:
        pattern += f"|(?<=[{_CJK}])\\.(?=\\s*[{_CJK}])"
    starts = [0] + [m.end() for m in re.finditer(pattern, text)]
    limit = settings.max_sentence_chars
    if not limit:
        return starts
    out: list[int] = []
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        out.append(start)
        while end - out[-1] > limit:
            cut = max((i + 1 for i in range(out[-1] + limit - 1, out[-1], -1) if text[i] in settings.clause_breaks),
                      default=out[-1] + limit)
            out.append(cut)
    return out


def _bucket(n: int) -> str:
    for edge in (0, 2, 5, 10, 20, 40, 80):
        if n <= edge:
            return str(edge)
    return "more"


@dataclass
class _Index:
    """Per-document lookups, so that a pair's features cost no more than its few characters:
    the sentence of each span, and the sorted positions of clause breaks and of the flagged
    punctuation (counted between two offsets by bisection, never by slicing)."""

    text: str
    spans: list[Span]
    starts: list[int]
    sent: list[int]
    clause_breaks: list[int]
    punct: dict[str, list[int]]

    @classmethod
    def build(cls, text: str, spans: list[Span], settings: RelationSettings) -> _Index:
        starts = sentence_starts(text, settings)
        sent = [bisect.bisect_right(starts, s.start) - 1 for s in spans]
        return cls(text, spans, starts, sent, _positions(text, settings.clause_breaks),
                   {c: _positions(text, c) for c in PUNCT})

    def rest_of_sentence(self, j: int, limit: int) -> str:
        """The text after span ``j`` up to the end of its sentence, at most ``limit`` characters."""
        k = self.sent[j] + 1
        end = self.starts[k] if k < len(self.starts) else len(self.text)
        return self.text[self.spans[j].end : min(end, self.spans[j].end + limit)]

    @staticmethod
    def count(positions: list[int], lo: int, hi: int) -> int:
        """How many of the positions lie in ``[lo, hi)``."""
        return bisect.bisect_left(positions, hi) - bisect.bisect_left(positions, lo) if hi > lo else 0


#: Punctuation whose presence between the arguments is a feature.
PUNCT = "，、；：（）。\n"


def _positions(text: str, chars: frozenset[str] | str) -> list[int]:
    return [m.start() for m in re.finditer(f"[{re.escape(''.join(sorted(chars)))}]", text)]


def candidates(
    text: str,
    spans: list[Span],
    schema: Schema | None = None,
    settings: RelationSettings | None = None,
) -> list[Candidate]:
    """Every type-compatible (head, tail) pair within its relation's sentence window and
    ``max_chars`` (the farthest the two arguments may lie apart, outer span).

    ``spans`` must be sorted by start; ``head``/``tail`` of a candidate index into it. Each head
    looks only at the tails whose start lies within ``max_chars`` of it (bisect), so the cost is
    linear in the document for bounded entity density.
    """
    schema = schema or load_schema()
    settings = settings or load_relation_settings()
    index = _Index.build(text, spans, settings)
    out = []
    for rel in schema.relations:
        window = settings.window.get(rel.label, 0)
        reach = settings.max_chars[rel.label]
        tails = [j for j, s in enumerate(spans) if s.label == rel.tail]
        tail_starts = [spans[j].start for j in tails]
        for i, h in enumerate(spans):
            if h.label != rel.head:
                continue
            lo = bisect.bisect_left(tail_starts, h.end - reach)
            hi = bisect.bisect_right(tail_starts, h.start + reach)
            for pos in range(lo, hi):
                j = tails[pos]
                t = spans[j]
                if max(h.end, t.end) - min(h.start, t.start) > reach:
                    continue
                if 0 <= index.sent[i] - index.sent[j] <= window or (window == 0 and index.sent[i] == index.sent[j]):
                    feats = _features(index, i, j, rel.label, tails, tail_starts, pos, settings)
                    out.append(Candidate(i, j, rel.label, feats))
    return out


def _rank(spans: list[Span], tails: list[int], tail_starts: list[int], pos: int, h: Span, right: bool) -> int:
    """How many tails on the head's side lie closer to the head than this one (ties: earlier
    first); equal to ranking the side's tails by distance, without sorting them."""
    start = tail_starts[pos]
    if right:  # tails starting at or after the head's end, nearest first = by start
        return pos - bisect.bisect_left(tail_starts, h.end)
    left_end = bisect.bisect_left(tail_starts, h.end)  # tails starting before the head's end
    if left_end and tail_starts[left_end - 1] > h.start:  # a tail starts inside the head: rare, exact
        side = [k for k in range(left_end)]
        order = sorted(side, key=lambda k: abs(tail_starts[k] - h.start))
        return order.index(pos)
    closer = left_end - bisect.bisect_right(tail_starts, start, 0, left_end)
    return closer + pos - bisect.bisect_left(tail_starts, start, 0, left_end)


def _features(
    index: _Index,
    i: int,
    j: int,
    rel: str,
    tails: list[int],
    tail_starts: list[int],
    pos: int,
    settings: RelationSettings,
) -> dict[str, float]:
    text, spans, sent = index.text, index.spans, index.sent
    h, t = spans[i], spans[j]
    right = t.start >= h.end
    lo, hi = (h.end, t.start) if right else (t.end, h.start)
    between = text[lo:hi] if hi > lo else ""
    inner = spans[min(i, j) + 1 : max(i, j)]
    rank = _rank(spans, tails, tail_starts, pos, h, right)
    f: dict[str, float] = {
        f"{rel}": 1.0,
        f"{rel}|dir={'R' if right else 'L'}": 1.0,
        f"{rel}|sdist={min(sent[i] - sent[j], 6)}": 1.0,
        f"{rel}|cdist={_bucket(len(between))}": 1.0,
        f"{rel}|dir_rank={'R' if right else 'L'}{min(rank, 3)}": 1.0,
        f"{rel}|n_between={min(len(inner), 6)}": 1.0,
        f"{rel}|clauses={min(index.count(index.clause_breaks, lo, hi), 4)}": 1.0,
        f"{rel}|tail={t.text}": 1.0,
        f"{rel}|tail_last={t.text[-1]}": 1.0,
        f"{rel}|head_last={h.text[-1]}": 1.0,
        f"{rel}|pre_tail={text[t.start - 1] if t.start else '^'}": 1.0,
        f"{rel}|post_tail={text[t.end] if t.end < len(text) else '$'}": 1.0,
        f"{rel}|pre_head={text[h.start - 1] if h.start else '^'}": 1.0,
        f"{rel}|post_head={text[h.end] if h.end < len(text) else '$'}": 1.0,
    }
    for label in {s.label for s in inner}:
        f[f"{rel}|inner_has={label}"] = 1.0
    if len(between) <= 4:
        f[f"{rel}|btw={between}"] = 1.0
    for c in PUNCT:
        if index.count(index.punct[c], lo, hi):
            f[f"{rel}|punct={c!r}"] = 1.0
    for cue in settings.cues:
        if cue in between:
            f[f"{rel}|cue={cue}"] = 1.0
    if not right:
        f[f"{rel}|lead_in_colon={'：' in text[t.end:t.end + 12]}"] = 1.0
        f[f"{rel}|line_breaks={min(index.count(index.punct[chr(10)], t.end, h.start), 4)}"] = 1.0
        if settings.window.get(rel, 0) and settings.lead_in:
            f.update(_lead_in(index, j, rel, settings.lead_in))
    return f


#: How far after a tail its lead-in cues are looked for.
LEAD_IN_CHARS = 60


def _lead_in(index: _Index, j: int, rel: str, cues: tuple[str, ...]) -> dict[str, float]:
    """What the rest of an earlier tail's sentence says, for relations that reach back over
    sentences (DUE): a year that opens a plan (``2014年将认真做好以下几个方面的工作:``) and one that
    dates past work (``2025年，…取得一定成效``) differ in their cue words and in a closing colon."""
    rest = index.rest_of_sentence(j, LEAD_IN_CHARS).rstrip()
    f = {f"{rel}|lead_in={cue}": 1.0 for cue in cues if cue in rest}
    f[f"{rel}|lead_in_ends_colon={rest[-1:] in ('：', ':')}"] = 1.0
    return f

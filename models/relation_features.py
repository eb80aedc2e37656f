"""Candidate entity pairs and their features for the relation classifier.

Plain Python over plain spans (no spaCy), so the trained component, the rules baseline and the
tests share one definition of "which pairs can be related" and "what the classifier sees".
"""

from __future__ import annotations

import bisect
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
    cues: tuple[str, ...]
    single_tail: frozenset[str]
    classifier: dict[str, Any]


@cache
def load_relation_settings() -> RelationSettings:
    with config_path("relations.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return RelationSettings(
        sentence_breaks=frozenset(data["sentence_breaks"]),
        clause_breaks=frozenset(data["clause_breaks"]),
        window=dict(data["window"]),
        cues=tuple(data["cues"]["between"]),
        single_tail=frozenset(data["decode"]["single_tail"]),
        classifier=dict(data["classifier"]),
    )


@dataclass(frozen=True)
class Candidate:
    head: int
    tail: int
    label: str
    features: dict[str, float]


def _sentence_starts(text: str, breaks: frozenset[str]) -> list[int]:
    return [0] + [i + 1 for i, c in enumerate(text) if c in breaks]


def _bucket(n: int) -> str:
    for edge in (0, 2, 5, 10, 20, 40, 80):
        if n <= edge:
            return str(edge)
    return "more"


def candidates(
    text: str,
    spans: list[Span],
    schema: Schema | None = None,
    settings: RelationSettings | None = None,
) -> list[Candidate]:
    """Every type-compatible (head, tail) pair within its relation's sentence window.

    ``spans`` must be sorted by start; ``head``/``tail`` of a candidate index into it.
    """
    schema = schema or load_schema()
    settings = settings or load_relation_settings()
    starts = _sentence_starts(text, settings.sentence_breaks)
    sent = [bisect.bisect_right(starts, s.start) - 1 for s in spans]
    out = []
    for rel in schema.relations:
        window = settings.window.get(rel.label, 0)
        heads = [i for i, s in enumerate(spans) if s.label == rel.head]
        tails = [j for j, s in enumerate(spans) if s.label == rel.tail]
        for i in heads:
            for j in tails:
                if 0 <= sent[i] - sent[j] <= window or (window == 0 and sent[i] == sent[j]):
                    feats = _features(text, spans, sent, i, j, rel.label, tails, settings)
                    out.append(Candidate(i, j, rel.label, feats))
    return out


def _features(
    text: str,
    spans: list[Span],
    sent: list[int],
    i: int,
    j: int,
    rel: str,
    tails: list[int],
    settings: RelationSettings,
) -> dict[str, float]:
    h, t = spans[i], spans[j]
    right = t.start >= h.end
    lo, hi = (h.end, t.start) if right else (t.end, h.start)
    between = text[lo:hi] if hi > lo else ""
    inner = spans[min(i, j) + 1 : max(i, j)]
    same_side = [k for k in tails if (spans[k].start >= h.end) == right]
    rank = sorted(same_side, key=lambda k: abs(spans[k].start - h.start)).index(j)
    f: dict[str, float] = {
        f"{rel}": 1.0,
        f"{rel}|dir={'R' if right else 'L'}": 1.0,
        f"{rel}|sdist={min(sent[i] - sent[j], 6)}": 1.0,
        f"{rel}|cdist={_bucket(len(between))}": 1.0,
        f"{rel}|dir_rank={'R' if right else 'L'}{min(rank, 3)}": 1.0,
        f"{rel}|n_between={min(len(inner), 6)}": 1.0,
        f"{rel}|clauses={min(sum(c in settings.clause_breaks for c in between), 4)}": 1.0,
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
    for c in set(between) & set("，、；：（）。\n"):
        f[f"{rel}|punct={c!r}"] = 1.0
    for cue in settings.cues:
        if cue in between:
            f[f"{rel}|cue={cue}"] = 1.0
    if not right:
        f[f"{rel}|lead_in_colon={'：' in text[t.end:t.end + 12]}"] = 1.0
        f[f"{rel}|line_breaks={min(text.count(chr(10), t.end, h.start), 4)}"] = 1.0
    return f

"""Clause suggester for a spancat COMMITMENT component (``xxgk.clause_suggester.v1``).

A COMMITMENT is one clause minus its lead-in (subject, time, modal; schema v1). spaCy's default
ngram suggester counts tokens, which with char tokens are characters, so it cannot reach spans
of 10-40 characters. This suggester proposes, for every clause of a Doc, the clause itself and
the clause with its first k characters dropped (k = 1..max_drop), each trimmed of edge
punctuation and whitespace: a few dozen candidates per clause instead of every n-gram.

Registered through the ``spacy_misc`` entry point so a saved pipeline loads with ``spacy.load``.
The delimiters, list markers and ``max_drop`` are in ``configs/suggester.toml``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Ops, get_current_ops
from thinc.types import Ragged

from xxgk.schema import config_path


@dataclass(frozen=True)
class ClauseSettings:
    delimiter: re.Pattern[str]
    markers: re.Pattern[str]
    leading_markers: re.Pattern[str]
    edge_chars: frozenset[str]
    max_drop: int


@cache
def load_settings(path: str | None = None) -> ClauseSettings:
    """``configs/suggester.toml`` (or another file) as compiled patterns."""
    file = Path(path) if path else config_path("suggester.toml")
    with file.open("rb") as fh:
        data = tomllib.load(fh)
    return ClauseSettings(
        delimiter=re.compile(data["delimiter"]),
        markers=re.compile("|".join(f"(?:{m})" for m in data["markers"])),
        leading_markers=re.compile("|".join(f"(?:{m})" for m in data["leading_markers"])),
        edge_chars=frozenset(data["edge_chars"]),
        max_drop=int(data["max_drop"]),
    )


def _trim(text: str, start: int, end: int, edge: frozenset[str]) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in edge):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in edge):
        end -= 1
    return start, end


def clauses(text: str, settings: ClauseSettings | None = None) -> Iterator[tuple[int, int]]:
    """(start, end) character offsets of each non-empty clause, without its list marker and
    trimmed of edge punctuation and whitespace."""
    s = settings or load_settings()
    cut = bytearray(len(text))
    for pattern in (s.delimiter, s.markers):
        for m in pattern.finditer(text):
            cut[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    i = 0
    while i < len(text):
        if cut[i]:
            i += 1
            continue
        j = i
        while j < len(text) and not cut[j]:
            j += 1
        start, end = _trim(text, i, j, s.edge_chars)
        lead = s.leading_markers.match(text, start, end)
        if lead:
            start, end = _trim(text, lead.end(), end, s.edge_chars)
        if start < end:
            yield start, end
        i = j


def candidate_spans(text: str, max_drop: int | None = None,
                    settings: ClauseSettings | None = None) -> list[tuple[int, int]]:
    """Character spans proposed for ``text``: each clause and its suffixes after dropping the first
    1..max_drop characters, trimmed; sorted and without duplicates."""
    s = settings or load_settings()
    k_max = s.max_drop if max_drop is None else max_drop
    out: set[tuple[int, int]] = set()
    for start, end in clauses(text, s):
        for k in range(min(k_max, end - start - 1) + 1):
            a, b = _trim(text, start + k, end, s.edge_chars)
            if a < b:
                out.add((a, b))
    return sorted(out)


def _token_spans(doc: Doc, chars: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character spans that start and end on token boundaries, as token (start, end)."""
    starts = {t.idx: t.i for t in doc}
    ends = {t.idx + len(t.text): t.i + 1 for t in doc}
    return [(starts[a], ends[b]) for a, b in chars if a in starts and b in ends]


def suggest(docs: Iterable[Doc], max_drop: int | None = None, *, ops: Ops | None = None) -> Ragged:
    """The spaCy suggester contract: a Ragged of (start, end) token indices, one row per
    candidate, ``lengths`` = candidates per doc."""
    ops = ops or get_current_ops()
    rows: list[tuple[int, int]] = []
    lengths: list[int] = []
    for doc in docs:
        spans = _token_spans(doc, candidate_spans(doc.text, max_drop))
        rows.extend(spans)
        lengths.append(len(spans))
    data = np.asarray(rows, dtype="i").reshape((-1, 2)) if rows else np.zeros((0, 0), dtype="i")
    return Ragged(ops.asarray(data, dtype="i"), ops.asarray1i(lengths))


@registry.misc("xxgk.clause_suggester.v1")
def build_clause_suggester(max_drop: int | None = None):
    """``[components.spancat.suggester] @misc = "xxgk.clause_suggester.v1"``; ``max_drop`` overrides
    ``configs/suggester.toml``."""

    def clause_suggester(docs: Iterable[Doc], *, ops: Ops | None = None) -> Ragged:
        return suggest(docs, max_drop, ops=ops)

    return clause_suggester


@dataclass(frozen=True)
class Reach:
    gold: int
    reachable: int
    candidates: int
    chars: int

    @property
    def recall(self) -> float:
        return self.reachable / self.gold if self.gold else 0.0

    @property
    def per_1000_chars(self) -> float:
        return 1000 * self.candidates / self.chars if self.chars else 0.0


def reachable_recall(items: Iterable[tuple[str, Iterable[tuple[int, int]]]],
                     max_drop: int | None = None) -> Reach:
    """Recall ceiling of the suggester: of the gold (start, end) character spans of each text,
    how many are proposed exactly; with the candidate count and the characters seen."""
    gold = reachable = candidates = chars = 0
    for text, spans in items:
        proposed = set(candidate_spans(text, max_drop))
        wanted = set(spans)
        gold += len(wanted)
        reachable += len(wanted & proposed)
        candidates += len(proposed)
        chars += len(text)
    return Reach(gold, reachable, candidates, chars)

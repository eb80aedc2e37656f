"""COMMITMENT spans: clauses tagged by a linear-chain CRF over the clauses of a text.

The schema defines a commitment as one clause (between ``，。；：！？``, line ends and list markers)
without its lead-in (subject, time, modal, list marker, connective). So the unit of decision is
the clause, not the character: a character tagger sees ±2 characters and cannot tell "加强培训"
in a 下一步 list from the same words in last year's summary. Here each clause is one item of a
sequence (the clauses of a text, in order), described by what decides the question — its first
words once the lead-in is stripped, the cues in its lead-in and sentence (将, 下一步, 今后, a year),
whether it sits after a problems-and-improvements heading, starts a numbered item, reads as past
(了, 已) or as a problem (不够, 有待) — and the CRF's transitions learn that commitments come in runs.
A clause tagged ``C`` becomes a span: the clause without its lead-in and edge punctuation.

Train and tag with python-crfsuite; features are plain strings, so the model file is the whole
state. Patterns live in ``configs/commitments.toml``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pycrfsuite

from xxgk.models.ner.simplified import feature_text
from xxgk.models.rules import alternation
from xxgk.schema import config_path

EDGE = " \t\u3000　、（）()《》“”\"'"


@dataclass(frozen=True)
class Clause:
    start: int  # the clause, lead-in included
    end: int
    body: int  # where the clause starts once its lead-in is stripped
    lead: str  # the stripped lead-in


@dataclass(frozen=True)
class CommitmentSettings:
    breaks: frozenset[str]
    wrap_min_chars: int
    lead_in: re.Pattern[str]
    future: re.Pattern[str]
    improvement_heading: re.Pattern[str]
    other_heading: re.Pattern[str]
    plan_line: re.Pattern[str]
    list_marker: re.Pattern[str]
    past: re.Pattern[str]
    problem: re.Pattern[str]
    purpose: re.Pattern[str]
    year: re.Pattern[str]
    crf: dict[str, float]


@cache
def load_settings(path: str | None = None) -> CommitmentSettings:
    with (Path(path) if path else config_path("commitments.toml")).open("rb") as fh:
        c = tomllib.load(fh)
    return CommitmentSettings(
        breaks=frozenset(c["clause_breaks"]),
        wrap_min_chars=int(c["wrap_min_chars"]),
        lead_in=re.compile(c["lead_in"]),
        future=re.compile(alternation(c["future_cues"])),
        improvement_heading=re.compile(c["improvement_heading"]),
        other_heading=re.compile(c["other_heading"]),
        plan_line=re.compile(c["plan_line"]),
        list_marker=re.compile(c["list_marker"]),
        past=re.compile(alternation(c["past_words"])),
        problem=re.compile(alternation(c["problem_words"])),
        purpose=re.compile(alternation(c["purpose_starts"])),
        year=re.compile(c["year"]),
        crf=dict(c["crf"]),
    )


def clauses(text: str, settings: CommitmentSettings | None = None) -> list[Clause]:
    """The clauses of ``text``: cut at the clause breaks, each with its lead-in found."""
    s = settings or load_settings()
    out, start = [], 0
    for i, c in enumerate([*text, "\n"]):
        if c not in s.breaks or (c == "\n" and _wrapped(text, i, s.wrap_min_chars)):
            continue
        lo, hi = start, i
        while lo < hi and text[lo] in EDGE:
            lo += 1
        while hi > lo and text[hi - 1] in EDGE:
            hi -= 1
        if hi > lo:
            body = lo
            while (m := s.lead_in.match(text, body, hi)) and m.end() > body:
                body = m.end()
                while body < hi and text[body] in EDGE:
                    body += 1
            out.append(Clause(lo, hi, body, text[lo:body]))
        start = i + 1
    return out


def _wrapped(text: str, i: int, min_chars: int) -> bool:
    """Is the line end at ``i`` a PDF wrap inside a sentence?"""
    line_start = text.rfind("\n", 0, i) + 1
    return (i - line_start >= min_chars and i + 1 < len(text)
            and _is_text(text[i - 1]) and _is_text(text[i + 1]))


def _is_text(char: str) -> bool:
    return char.isalnum() or "\u3400" <= char <= "\u9fff"


def clause_features(text: str, items: Sequence[Clause], settings: CommitmentSettings | None = None,
                    votes: Sequence[tuple[int, int]] = ()) -> list[list[str]]:
    """One feature list per clause (see the module docstring); ``votes``: spans another system
    (the rules baseline) calls commitments, a feature of the clauses they fall in."""
    s = settings or load_settings()
    text = feature_text(text)
    out: list[list[str]] = []
    improving = False
    sentence_future = False
    for k, c in enumerate(items):
        line_start = text.rfind("\n", 0, c.start) + 1
        line_end = text.find("\n", c.end) % (len(text) + 1)
        line = text[line_start:line_end]
        starts_line = not text[line_start:c.start].strip(EDGE + "，,")
        alone = starts_line and not text[c.end:line_end].strip(EDGE + "。，：:；;")
        if alone and s.improvement_heading.search(line) and len(line.strip()) <= 40:
            improving = True
        elif starts_line and s.plan_line.match(line):
            improving = True  # a plan line: 2014年将认真做好以下几个方面的工作：
        elif alone and s.other_heading.match(line):
            improving = False
        before = text[c.start - 1] if c.start else "^"
        body = text[c.body:c.end]
        after = text[c.end] if c.end < len(text) else "$"
        feats = [
            "bias", f"b1={body[:1]}", f"b2={body[:2]}", f"b3={body[:3]}", f"e1={body[-1:]}",
            f"len={min(len(body) // 4, 8)}", f"pre={before}", f"post={after}",
        ]
        feats += [f"g={body[j:j + 2]}" for j in range(min(len(body) - 1, 12))]
        if c.lead:
            feats.append(f"lead={c.lead[-2:]}")
        if s.future.search(c.lead):
            feats.append("lead_future")
        if sentence_future:
            feats.append("sentence_future")
        if s.year.search(text[line_start:c.start] + c.lead):
            feats.append("year_before")
        if improving:
            feats.append("improving")
        if s.list_marker.match(text, line_start) and starts_line:
            feats.append("list_item")
        if starts_line:
            feats.append("line_start")
        if alone:
            feats.append("alone")
        if s.past.search(body):
            feats.append("past")
        if s.problem.search(body):
            feats.append("problem")
        if s.purpose.match(body):
            feats.append("purpose")
        if any(c.start <= v_start < c.end for v_start, _ in votes):
            feats.append("vote")
        out.append(feats)
        if s.future.search(c.lead) or s.future.search(body):
            sentence_future = True
        if after in "。！？!?\n$":
            sentence_future = False
        if k:
            out[-1] += [f"prev_{f}" for f in out[-2] if f in ("lead_future", "past", "problem", "alone")]
    return out


def clause_labels(items: Sequence[Clause], spans: Iterable[tuple[int, int]]) -> list[str]:
    """``C`` for a clause holding a commitment span, else ``O``."""
    spans = list(spans)
    return ["C" if any(c.start <= s and e <= c.end for s, e in spans) else "O" for c in items]


def span_of(text: str, clause: Clause) -> tuple[int, int] | None:
    start, end = clause.body, clause.end
    while end > start and text[end - 1] in EDGE:
        end -= 1
    return (start, end) if end > start else None


class CommitmentTagger:
    """Train on texts with their COMMITMENT spans; tag texts into spans."""

    def __init__(self, model_file: str | Path | None = None, settings: CommitmentSettings | None = None):
        self.settings = settings or load_settings()
        self.tagger: pycrfsuite.Tagger | None = None
        if model_file is not None:
            self.open(model_file)

    def open(self, model_file: str | Path) -> None:
        self.tagger = pycrfsuite.Tagger()
        self.tagger.open(str(model_file))

    def fit(self, examples: Iterable[tuple[str, Sequence[tuple[int, int]], Sequence[tuple[int, int]]]],
            model_file: str | Path) -> None:
        """Train from ``(text, commitment spans, votes)`` examples into ``model_file``."""
        trainer = pycrfsuite.Trainer(verbose=False)
        for text, spans, votes in examples:
            items = clauses(text, self.settings)
            if items:
                trainer.append(clause_features(text, items, self.settings, votes), clause_labels(items, spans))
        trainer.set_params({**self.settings.crf, "feature.possible_transitions": True})
        trainer.train(str(model_file))
        self.open(model_file)

    def spans(self, text: str, votes: Sequence[tuple[int, int]] = ()) -> Iterator[tuple[int, int]]:
        """The commitment spans of ``text`` (``votes`` as in :func:`clause_features`)."""
        if self.tagger is None:
            raise RuntimeError("commitment tagger has no model")
        items = clauses(text, self.settings)
        if not items:
            return
        tags = self.tagger.tag(clause_features(text, items, self.settings, votes))
        for clause, tag in zip(items, tags, strict=True):
            if tag == "C" and (span := span_of(text, clause)) is not None:
                yield span

"""Per-character features of the CRF tagger: characters, a word lexicon, the rules' tags, context.

Plain Python over a text (no spaCy), one list of feature strings per character, built for a
whole text at once so that the cost is a few list comprehensions per character:

- ``chars``: the character and its neighbours (±2), bigrams and a trigram around it, and the
  character class (digit, Chinese numeral, han, latin, punctuation, space) of the window.
- ``lexicon``: words of a segmentation dictionary (jieba's, shipped with the ``jieba`` package;
  SoftLexicon-style): for each character, whether a dictionary word of 2+ characters begins,
  continues or ends there and the length of the longest such word, and the part of speech of the
  longest word covering it. This tells a model where names and terms begin and end, which
  characters alone do not.
- ``rules``: the tag (B-/I-label) the rules baseline gives the character and its neighbours.
- ``context``: where the character stands: its offset in the line, whether the line starts with
  a list marker, whether a future cue (将, 下一步, 今后…) comes earlier in its sentence, the first
  characters of its clause, and whether it lies after a problems-and-improvements heading — what
  COMMITMENT needs, and a window of ±2 characters cannot see.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from xxgk.models.ner.simplified import feature_text

GROUPS = ("chars", "lexicon", "rules", "context")

_CN_DIGITS = set("零〇○一二两三四五六七八九十百千万亿")
_PUNCT = set("，。、；：！？,.;:!?（）()《》“”\"'‘’【】[]—-…·/")
_FUTURE = re.compile("将|下一步|今后|明年|下一年|计划|拟|力争|要进一步")
_IMPROVE = re.compile(r"(存在的?(主要)?问题|改进(措施|情况|方向)?|下一步|工作(计划|打算|重点|思路)|努力方向)")
_LIST_MARKER = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+[、.．]|\d+[、.．)）]|[①-⑳]|[一二三四五六七八九十]是)")
_CLAUSE_BREAKS = set("，。；：！？,;:!?\n")
_SENTENCE_BREAKS = set("。！？!?\n")


def char_class(c: str) -> str:
    if c.isdigit():
        return "D"
    if c in _CN_DIGITS:
        return "N"
    if "\u3400" <= c <= "\u9fff":
        return "H"
    if c.isascii() and c.isalpha():
        return "L"
    if c.isspace():
        return "S"
    if c in _PUNCT:
        return "P"
    return "O"


@dataclass(frozen=True)
class Lexicon:
    """Words of 2+ characters with their part of speech, the longest word length, and every
    proper prefix (of 2+ characters) of a longer word, which lets a scan stop early."""

    words: dict[str, str]
    max_len: int
    prefixes: frozenset[str]

    @classmethod
    def from_lines(cls, lines: Iterable[str], max_len: int = 8) -> Lexicon:
        """``word freq pos`` lines (jieba's dict.txt format); longer words are left out."""
        words = {}
        for line in lines:
            parts = line.split()
            if len(parts) >= 2 and 2 <= len(parts[0]) <= max_len:
                words[parts[0]] = parts[2] if len(parts) > 2 else "x"
        prefixes = frozenset(w[:k] for w in words for k in range(2, len(w)))
        return cls(words, max_len, prefixes)

    def matches(self, text: str) -> list[tuple[int, int, str]]:
        """Every ``(start, end, pos)`` of a dictionary word in ``text``: from each position, longer
        and longer pieces while they are still the prefix of some word."""
        get, prefixes, n, out = self.words.get, self.prefixes, len(text), []
        for i in range(n - 1):
            for j in range(i + 2, min(n, i + self.max_len) + 1):
                piece = text[i:j]
                if (pos := get(piece)) is not None:
                    out.append((i, j, pos))
                if piece not in prefixes:
                    break
        return out


@cache
def jieba_lexicon() -> Lexicon:
    """jieba's bundled dictionary (read once per process, about 0.6 s)."""
    import jieba

    with open(jieba.get_dict_file().name, encoding="utf-8") as fh:
        return Lexicon.from_lines(fh)


def _lexicon_features(text: str, lexicon: Lexicon) -> list[list[str]]:
    n = len(text)
    begin, inside, end = [0] * n, [0] * n, [0] * n
    longest: list[tuple[int, str]] = [(0, "")] * n
    for s, e, pos in sorted(lexicon.matches(text), key=lambda m: m[1] - m[0]):  # longer words last win
        length = e - s
        begin[s] = length
        end[e - 1] = length
        inside[s + 1:e - 1] = [length] * (length - 2)
        longest[s:e] = [(length, pos)] * length
    out: list[list[str]] = [[] for _ in range(n)]
    for k in range(n):
        feats = out[k]
        if begin[k]:
            feats.append(f"lB={min(begin[k], 5)}")
        if inside[k]:
            feats.append(f"lM={min(inside[k], 5)}")
        if end[k]:
            feats.append(f"lE={min(end[k], 5)}")
        length, pos = longest[k]
        if length:
            feats.append(f"lp={pos}")
            feats.append(f"lpB={pos}" if begin[k] == length else f"lpI={pos}")
    return out


@lru_cache(maxsize=64)
def rule_entities(text: str) -> tuple[Any, ...]:
    """The rules baseline's entities of ``text``, computed once for the character features and
    the commitment votes of the same text."""
    from xxgk.models.ner.stacking import _rules

    return tuple(_rules().entities(text))


def _rule_tags(text: str) -> list[str]:
    tags = ["O"] * len(text)
    for span in rule_entities(text):
        tags[span.start] = f"B-{span.label}"
        for k in range(span.start + 1, span.end):
            tags[k] = f"I-{span.label}"
    return tags


def _context_features(text: str) -> list[list[str]]:
    n = len(text)
    out: list[list[str]] = [[] for _ in range(n)]
    improving = False
    line_start = 0
    for line in text.split("\n"):
        if _IMPROVE.search(line[:40]) and len(line.strip()) <= 40:
            improving = True  # a heading of the problems-and-improvements part
        marker = bool(_LIST_MARKER.match(line))
        clause_start, future = 0, False
        for k, c in enumerate(line):
            i = line_start + k
            if k == clause_start:
                head = line[k:k + 2]
            feats = out[i]
            feats.append(f"col={min(k, 3)}")
            feats.append(f"cl1={head[:1]}")
            feats.append(f"cl2={head}")
            if marker:
                feats.append("mark")
            if future:
                feats.append("fut")
            if improving:
                feats.append("imp")
            if c in _CLAUSE_BREAKS:
                clause_start = k + 1
                if c in _SENTENCE_BREAKS:
                    future = False
            if _FUTURE.match(line, k):
                future = True
        line_start += len(line) + 1
    return out


def _columns(text: str, groups: Sequence[str]) -> list[list[str]]:
    """The window features as columns (one list over the positions per feature), built with
    comprehensions: far cheaper than formatting a dozen strings position by position."""
    n = len(text)
    cols: list[list[str]] = []
    if "chars" in groups:
        padded = "^^" + text + "$$"
        classes = "^^" + "".join(char_class(c) for c in text) + "$$"
        for name, offset, width in (("c0", 0, 1), ("c-1", -1, 1), ("c+1", 1, 1), ("c-2", -2, 1), ("c+2", 2, 1),
                                    ("b-1", -1, 2), ("b0", 0, 2), ("b-2", -2, 2), ("b+1", 1, 2), ("t0", -1, 3)):
            lo = 2 + offset
            cols.append([f"{name}={padded[p:p + width]}" for p in range(lo, lo + n)])
        cols.append([f"y0={c}" for c in classes[2:2 + n]])
        cols.append([f"yw={classes[p:p + 5]}" for p in range(n)])
    if "rules" in groups:
        tags = ["^", *_rule_tags(text), "$"]
        for name, offset in (("r0", 1), ("r-1", 0), ("r+1", 2)):
            cols.append([f"{name}={t}" for t in tags[offset:offset + n]])
    return cols


def text_features(text: str, groups: Sequence[str], lexicon: Lexicon | None = None) -> list[list[str]]:
    """One list of feature strings per character of ``text``, from the chosen ``groups``."""
    if unknown := [g for g in groups if g not in GROUPS]:
        raise ValueError(f"unknown feature group(s) {unknown}; known: {GROUPS}")
    text = feature_text(text)
    cols = _columns(text, groups)
    out = [["bias", *row] for row in zip(*cols, strict=True)] if cols else [["bias"] for _ in text]
    if "lexicon" in groups:
        for feats, extra in zip(out, _lexicon_features(text, lexicon or jieba_lexicon()), strict=True):
            feats += extra
    if "context" in groups:
        for feats, extra in zip(out, _context_features(text), strict=True):
            feats += extra
    return out

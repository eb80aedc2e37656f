"""Traditional characters converted to simplified for the model, offsets mapped back.

The model was trained on simplified text: on a report written in traditional characters (a
Hong Kong, Macao or Taiwan office, or an old Big5 archive) it finds much less. With
``xxgk extract --simplify`` such a report (``looks_traditional``) is converted by OpenCC
(configuration ``[simplify] opencc`` of ``configs/extract.toml``) before the model sees it,
and every entity comes back with offsets and text of the document *as read*: the output
never contains characters that are not in the input. OpenCC's ``t2s`` conversion replaces
characters one for one, so offsets are usually unchanged; when a phrase conversion changes
the length, the two texts are aligned (difflib) and offsets follow the alignment.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from xxgk.extract.settings import load_settings
from xxgk.records import AnnotatedDoc, text_sha256


@cache
def _converter() -> Any:
    import opencc

    return opencc.OpenCC(load_settings()["simplify"]["opencc"])


@dataclass(frozen=True)
class Simplified:
    """``text`` (what the model reads) and where its offsets fall in ``original``: ``starts[j]``
    for a span starting at ``j``, ``ends[j]`` for one ending at ``j``; both ``None`` when the
    texts have the same length (offsets are the same)."""

    original: str
    text: str
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    @property
    def same_offsets(self) -> bool:
        """True when an offset in ``text`` is the same offset in ``original`` (one-for-one)."""
        return self.starts is None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end]


def align(original: str, text: str) -> Simplified:
    """Offsets of ``text`` mapped to ``original`` by aligning the two. Runs that are equal or
    replaced one for one map character by character; a span that starts or ends inside a run
    whose length changed is widened to the whole run, so it never cuts an original character."""
    if len(original) == len(text):
        return Simplified(original, text)
    starts, ends = [len(original)] * (len(text) + 1), [0] * (len(text) + 1)
    matcher = difflib.SequenceMatcher(None, original, text, autojunk=False)
    for _, i1, i2, j1, j2 in matcher.get_opcodes():
        same = i2 - i1 == j2 - j1
        for j in range(j1, j2):
            starts[j] = i1 + (j - j1) if same else i1
            ends[j + 1] = i1 + (j + 1 - j1) if same else i2
    return Simplified(original, text, tuple(starts), tuple(ends))


def simplify(text: str) -> Simplified:
    """``text`` in simplified characters (OpenCC), with the offset mapping back to ``text``."""
    return align(text, _converter().convert(text))


def map_back(doc: AnnotatedDoc, simplified: Simplified) -> AnnotatedDoc:
    """The model's record on ``simplified.text`` as a record on the original text: offsets mapped,
    entity text taken from the original, ``norm`` kept (it was read from the simplified text)."""
    entities = []
    for entity in doc.entities:
        start, end = simplified.to_original(entity.start, entity.end)
        entities.append(replace(entity, start=start, end=end, text=simplified.original[start:end]))
    return replace(doc, text_sha256=text_sha256(simplified.original), entities=entities)

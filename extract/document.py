"""The values extraction yields: a :class:`Document` (text cut into :class:`Block` s) or a
:class:`ReadFailure` naming an input that could not be read and why.

A document's text is never normalised: blocks tile it exactly (contiguous, non-overlapping,
covering every character), so an offset found in a block is an offset into the text, and
stand-off annotations made on the text stay valid whatever the blocks are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xxgk.errors import InputError

BLOCK_KINDS = ("title", "preamble", "narrative", "table", "signature")

# What the NER model reads: everything but the statistical tables (annotation schema, Scope).
PROSE_KINDS = ("title", "preamble", "narrative", "signature")


class ReadError(InputError):
    """An input that cannot become a Document; the message says why, for a ReadFailure."""


@dataclass(frozen=True)
class Block:
    """A stretch ``text[start:end]`` of one kind, under section ``heading`` ("" outside sections)."""

    kind: str
    start: int
    end: int
    heading: str = ""

    def __post_init__(self) -> None:
        if self.kind not in BLOCK_KINDS:
            raise ValueError(f"unknown block kind {self.kind!r} (expected one of {BLOCK_KINDS})")
        if not 0 <= self.start < self.end:
            raise ValueError(f"block [{self.start}:{self.end}] is empty or negative")


def check_tiling(blocks: list[Block], length: int) -> None:
    """Raise ValueError unless ``blocks`` cover ``[0, length)`` contiguously, in order."""
    pos = 0
    for block in blocks:
        if block.start != pos:
            raise ValueError(f"blocks do not tile the text: {block} starts at {block.start}, expected {pos}")
        pos = block.end
    if pos != length:
        raise ValueError(f"blocks end at {pos} but the text has {length} characters")


@dataclass
class Document:
    """One report: its exact text, the blocks tiling it, and what is known about its source."""

    doc_id: str
    text: str
    blocks: list[Block]
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_tiling(self.blocks, len(self.text))

    def block_text(self, block: Block) -> str:
        return self.text[block.start:block.end]

    def block_at(self, offset: int) -> Block:
        """The block holding character ``offset``."""
        for block in self.blocks:
            if block.start <= offset < block.end:
                return block
        raise IndexError(f"offset {offset} outside the text ({len(self.text)} characters)")

    def spans(self, kinds: tuple[str, ...]) -> list[tuple[int, int]]:
        """``(start, end)`` of the blocks of the given kinds, adjacent ones merged."""
        out: list[tuple[int, int]] = []
        for block in self.blocks:
            if block.kind not in kinds:
                continue
            if out and out[-1][1] == block.start:
                out[-1] = (out[-1][0], block.end)
            else:
                out.append((block.start, block.end))
        return out

    def narrative_spans(self) -> list[tuple[int, int]]:
        """The prose of the numbered sections (not title, preamble, tables or signature)."""
        return self.spans(("narrative",))

    def prose_spans(self) -> list[tuple[int, int]]:
        """Everything the schema annotates: all text outside the statistical tables."""
        return self.spans(PROSE_KINDS)


@dataclass(frozen=True)
class ReadFailure:
    """An input (file, folder entry or archive member) that gave no Document, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"

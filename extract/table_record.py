"""The values the table reader returns: plain dataclasses that become plain dicts.

A :class:`TablesRecord` lists every cell of the detected format's template — read or not — so
that a row of the ``tables`` Parquet exists for each official cell of each report and a null
always comes with its reason.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class TableCell:
    """One official cell: ``table`` (active, requests, appeals), the 项 or heading row above it
    (``section``), its official ``row`` and ``column`` names; ``value`` with its ``unit`` and
    where it stands (``text`` = the original characters, ``start``/``end`` = offsets in the
    text read), or ``value`` None and the ``reason``."""

    table: str
    section: str
    row: str
    column: str
    value: int | float | None
    unit: str | None
    text: str
    start: int | None
    end: int | None
    reason: str | None


@dataclass(frozen=True)
class Term:
    """One number a check involves: a cell (table, row, column), or a narrative sentence
    (table "narrative", row = the rule's name, column = the sentence's words)."""

    table: str
    row: str
    column: str
    value: int | float | None
    start: int | None
    end: int | None


@dataclass(frozen=True)
class Check:
    """An identity evaluated once (``along`` = the column or row it runs along), or a narrative
    number compared with the tables. ``status``: pass, fail, or unchecked (a term is null; the
    message says which and why)."""

    kind: str  # "identity" or "narrative"
    name: str
    table: str
    along: str
    status: str
    left: list[Term]
    right: list[Term]
    left_total: int | float | None
    right_total: int | float | None
    message: str


@dataclass
class TablesRecord:
    """What a report's statistical tables say. ``format``: "2019", "2021" or None (not
    identified: only the rows both formats share are listed); ``evidence``: the phrases that
    decided it; ``forms``: the input forms read (html, cells, tabs, pipes, text)."""

    format: str | None
    evidence: list[str]
    forms: list[str]
    cells: list[TableCell] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    suspects: list[Term] = field(default_factory=list)  # cells every failed check they are in points at
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

"""Grids + a format's layout → the value of each cell, by official row and column, or why none.

The reader does not trust rows and columns to line up: flattened tables lose merged cells,
and PDF text loses rows altogether. It reads a stream of tokens instead — labels (a row name,
a heading row, a column name, a 第二十条 mark), values, and row ends where the form marks them
— and gives each row label the values that follow it up to the next label or row end:

- values written after column names ("结果维持 27 | 结果纠正 10") go to those columns;
- otherwise a row must hold exactly as many values as the form has columns, taken in order;
  any other count, or a number run into text ("31年", the debris of a PDF's vertical header),
  makes the whole row null with the reason, because which value is which would be a guess;
- table 4 may hold all its values in one unlabelled row (the official form), read in order.

Values are read from digits alone (full-width ones too); a cell holding "—" or "/" or a merged
cell spanning rows gives a null with that reason. Lines that are notes (注：…) or sentences are
no cells: a page's prose inside a layout ``<table>`` must not name rows or give them values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from xxgk.extract.table_formats import Label, Layout, RowSpec, TablesConfig, ValueRules, find_labels, load_config
from xxgk.extract.table_parse import Cell, Grid

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－＋", "0123456789.-+")
_VALUE_KINDS = frozenset({"number", "blank", "merged", "empty", "junk"})

Key = tuple[str, str, str]  # table, row, column


@dataclass(frozen=True)
class Reading:
    """What one cell holds: a value with its unit and source, or None and the reason."""

    value: int | float | None
    unit: str | None = None
    text: str = ""
    start: int | None = None
    end: int | None = None
    reason: str | None = None


@dataclass
class TableReading:
    """Everything read from a report's grids under one layout."""

    cells: dict[Key, Reading] = field(default_factory=dict)
    rows_seen: set[tuple[str, str]] = field(default_factory=set)  # labels found, values or not
    rows_read: set[tuple[str, str]] = field(default_factory=set)  # rows given values (or nulls)
    tables_seen: set[str] = field(default_factory=set)
    column_units: dict[str, str] = field(default_factory=dict)  # units headers state: 采购总金额（万元）
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Token:
    kind: str  # row, group, section, column, number, blank, merged, empty, junk, end
    text: str = ""
    start: int | None = None
    end: int | None = None
    label: Label | None = None
    value: int | float | None = None
    unit: str | None = None


@dataclass
class _Segment:
    table: str
    label: _Token | None = None
    items: list[_Token] = field(default_factory=list)


def read_grids(grids: list[Grid], layout: Layout, config: TablesConfig | None = None) -> TableReading:
    """The cells of ``layout`` that the grids give values for (see the module docstring)."""
    config = config or load_config()
    out = TableReading()
    table = ""
    segment = _Segment(table)
    for token in (t for grid in grids for t in _tokens(grid, layout, config.values)):
        if token.kind in ("row", "group", "section"):
            _close(segment, layout, out)
            table = token.label.table if token.label else "active"
            out.tables_seen.add(table)
            segment = _Segment(table, token)
        elif token.kind == "end":
            _close(segment, layout, out)
            segment = _Segment(table)
        else:
            if token.kind == "column" and token.unit and token.label:
                out.column_units[token.label.name] = token.unit
            segment.items.append(token)
    _close(segment, layout, out)
    return out


def table_texts(grids: Iterable[Grid], config: TablesConfig | None = None) -> Iterator[str]:
    """The text of every cell as the reader sees it (notes and sentences blanked): what the
    format is detected from."""
    rules = (config or load_config()).values
    return (_quiet(cell.text, rules) for grid in grids for row in grid.rows for cell in row)


_LINES = re.compile(r"[^\n]+")


def _quiet(text: str, rules: ValueRules) -> str:
    """``text`` with its note and sentence lines turned to spaces (offsets unchanged)."""
    for m in _LINES.finditer(text):
        if rules.note.match(m.group()) or rules.prose.search(m.group()):
            text = text[:m.start()] + " " * (m.end() - m.start()) + text[m.end():]
    return text


# ---------------------------------------------------------------- tokens


def _tokens(grid: Grid, layout: Layout, rules: ValueRules) -> Iterator[_Token]:
    for row in grid.rows:
        for cell in row:
            yield from _cell_tokens(cell, layout, rules)
        yield _Token("end")


def _cell_tokens(cell: Cell, layout: Layout, rules: ValueRules) -> Iterator[_Token]:
    if cell.shadow:
        if any(t.kind in ("number", "merged") for t in _values(cell, 0, len(cell.text), rules)):
            start, end = cell.source(0, len(cell.text))
            yield _Token("merged", cell.text.strip(), start, end)
        return
    if not cell.text.strip():
        yield _Token("empty", "", cell.start, cell.start)
        return
    text = _quiet(cell.text, rules)
    if not text.strip():
        return
    if text != cell.text:
        cell = replace(cell, text=text)
    pos = 0
    for hit in find_labels(cell.text, layout):
        yield from _values(cell, pos, hit.start, rules)
        start, end = cell.source(hit.start, hit.end)
        kind = hit.label.kind if hit.label else "section"
        yield _Token(kind, cell.text[hit.start:hit.end], start, end, hit.label, unit=hit.unit)
        pos = hit.end
    yield from _values(cell, pos, len(cell.text), rules)


def _values(cell: Cell, i: int, j: int, rules: ValueRules) -> Iterator[_Token]:
    """The value-like tokens of ``cell.text[i:j]`` (text between labels); plain words and
    numbering marks (1. （三）) are skipped, they are the debris of labels."""
    text = cell.text
    k = i
    while k < j:
        while k < j and text[k].isspace():
            k += 1
        end = k
        while end < j and not text[end].isspace():
            end += 1
        a, b = k, end
        while a < b and text[a] in rules.strip:
            a += 1
        while b > a and text[b - 1] in rules.strip:
            b -= 1
        if a < b:
            token = _classify(text[a:b], rules)
            if token is not None:
                start, stop = cell.source(a, b)
                if token.kind == "number" and cell.rowspan > 1:
                    token = _Token("merged", token.text)
                yield _Token(token.kind, token.text, start, stop, value=token.value, unit=token.unit)
        k = end


def _classify(raw: str, rules: ValueRules) -> _Token | None:
    plain = raw.translate(_FULL_WIDTH)
    if raw in rules.blanks or plain in rules.blanks:
        return _Token("blank", raw)
    m = rules.number.match(plain)
    if m:
        digits = m["int"].replace(",", "")
        value: int | float = float(f"{digits}.{m['frac']}") if m["frac"] else int(digits)
        return _Token("number", raw, value=-value if m["sign"] == "-" else value, unit=m["unit"])
    if not any(ch.isdigit() for ch in plain):
        return None
    rest = rules.numbering.sub("", plain, count=1)
    if rest != plain and not any(ch.isdigit() for ch in rest):
        return None
    return _Token("junk", raw)


# ---------------------------------------------------------------- segments → cells


def _close(segment: _Segment, layout: Layout, out: TableReading) -> None:
    label = segment.label.label if segment.label else None
    values = [t for t in segment.items if t.kind in _VALUE_KINDS and t.kind != "empty"]
    if label is not None and label.kind == "row":
        out.rows_seen.add((label.table, label.name))
        if values:
            spec = layout.row(label.table, label.name)
            if not _whole_table(segment, layout, out):
                _store(out, spec, _row_readings(spec, segment))
        return
    values = [t for t in values if t.kind != "junk"]  # words with digits under no label: debris, not values
    if values and not _whole_table(segment, layout, out):
        where = f" after {segment.label.text!r}" if segment.label else ""
        texts = " ".join(t.text for t in values)
        out.notes.append(f"{len(values)} value(s) under no row label{where} at {values[0].start}: {texts}")


def _whole_table(segment: _Segment, layout: Layout, out: TableReading) -> bool:
    """Read the segment as all the values of a table that the form puts in one row (table 4),
    or of the rows under its heading (行政诉讼), in the form's order; False if it is not one."""
    if segment.table not in layout.one_row_tables:
        return False
    label = segment.label.label if segment.label else None
    rows = layout.table_rows(segment.table)
    if label is not None and label.kind == "group":
        rows = [spec for spec in rows if spec.section == label.name]
    values = _slots(segment.items)
    if len(values) != sum(len(spec.columns) for spec in rows) or not rows:
        return False
    if any(t.kind == "junk" for t in values):
        return False
    it = iter(values)
    for spec in rows:
        out.rows_seen.add((spec.table, spec.name))
        _store(out, spec, {column: _reading(next(it), None) for column in spec.columns})
    return True


def _slots(items: list[_Token]) -> list[_Token]:
    """The value tokens in order, without the empty cells at either end (label columns)."""
    values = [t for t in items if t.kind in _VALUE_KINDS]
    while values and values[-1].kind == "empty":
        values.pop()
    while values and values[0].kind == "empty":
        values.pop(0)
    return values


def _row_readings(spec: RowSpec, segment: _Segment) -> dict[str, Reading]:
    row_unit = segment.label.unit if segment.label else None
    keyed = _keyed(spec, segment.items)
    if keyed is not None:
        return {column: _reading(token, row_unit) for column, token in keyed.items()}
    values = _slots(segment.items)
    n = len(spec.columns)
    while len(values) > n and values[0].kind == "empty":
        values.pop(0)
    junk = [t.text for t in values if t.kind == "junk"]
    shown = " ".join(t.text or "∅" for t in values)
    if junk:
        reason = f"unreadable {' '.join(repr(j) for j in junk)} among this row's values ({shown})"
    elif len(values) != n:
        reason = f"{len(values)} value(s) for {n} column(s) ({shown}): which is which is unknown"
    else:
        return {column: _reading(t, row_unit) for column, t in zip(spec.columns, values, strict=True)}
    start = values[0].start if values else None
    end = values[-1].end if values else None
    return {column: Reading(None, start=start, end=end, reason=reason) for column in spec.columns}


def _keyed(spec: RowSpec, items: list[_Token]) -> dict[str, _Token] | None:
    """Values each written right after one of the row's column names, if that is how the row
    is written; None otherwise."""
    pairs: dict[str, _Token] = {}
    key: str | None = None
    for token in items:
        if token.kind == "empty":
            continue
        if token.kind == "column":
            key = token.label.name if token.label and token.label.name in spec.columns else None
            if key is None:
                return None
        elif token.kind in _VALUE_KINDS:
            if key is None or key in pairs:
                return None
            pairs[key] = token
            key = None
    return pairs or None


def _reading(token: _Token, row_unit: str | None) -> Reading:
    if token.kind == "number":
        return Reading(token.value, token.unit or row_unit, token.text, token.start, token.end)
    reason = {
        "blank": f"the cell reads {token.text!r}",
        "merged": f"a merged cell spanning rows holds {token.text!r}: it belongs to no one row",
        "empty": "empty cell",
        "junk": f"unreadable {token.text!r}",
    }[token.kind]
    return Reading(None, None, token.text, token.start, token.end, reason)


def _store(out: TableReading, spec: RowSpec, readings: dict[str, Reading]) -> None:
    """Keep a row's readings; a row read twice with other values becomes null, saying so."""
    out.rows_read.add((spec.table, spec.name))
    for column, new in readings.items():
        key = (spec.table, spec.name, column)
        old = out.cells.get(key)
        if old is None or (old.value == new.value and old.value is not None):
            out.cells.setdefault(key, new)
            continue
        first, second = old.text or old.reason, new.text or new.reason
        reason = f"read twice, as {first!r} at {old.start} and {second!r} at {new.start}"
        out.cells[key] = Reading(None, None, "", old.start, old.end, reason)

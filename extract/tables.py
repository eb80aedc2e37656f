"""Read a report's standard statistical tables into cells and check their arithmetic.

    record = read_tables(text)              # text: a report (flattened text, or HTML markup)
    record.format                           # "2019", "2021" or None
    [c for c in record.cells if c.value is None]   # every null says why
    [c for c in record.checks if c.status == "fail"]
    rows = to_rows(record.to_dict())        # one dict per cell, for a Parquet ``tables`` table

The steps, one module each: :mod:`~xxgk.extract.table_parse` turns the input form into grids,
:mod:`~xxgk.extract.table_formats` says which format the tables follow and what its rows and
columns are called, :mod:`~xxgk.extract.table_read` places values in official cells,
:mod:`~xxgk.extract.table_checks` checks the identities and the narrative's numbers.

Offsets are offsets in ``text`` as given: for HTML, in the markup. Nothing is normalised or
guessed: a value that cannot be read with confidence is None with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xxgk.extract.document import Block
from xxgk.extract.sections import split_sections
from xxgk.extract.table_checks import identity_checks, narrative_checks, suspects
from xxgk.extract.table_formats import Layout, detect_format, layout_for
from xxgk.extract.table_parse import Grid, has_html_tables, html_grids, text_grids
from xxgk.extract.table_read import Reading, TableReading, read_grids, table_texts
from xxgk.extract.table_record import Check, TableCell, TablesRecord, Term

__all__ = ["Check", "TableCell", "TablesRecord", "Term", "read_tables", "to_rows"]


def read_tables(text: str, blocks: list[Block] | None = None) -> TablesRecord:
    """The tables of one report. ``blocks``: the report's blocks if already split (their
    ``table`` blocks are read; the rest is the prose the narrative checks search). Text holding
    HTML ``<table>`` markup is read from the markup, and its prose is what lies outside it."""
    grids, prose = _grids(text, blocks)
    fmt, evidence = detect_format(table_texts(grids))
    layout = layout_for(fmt)
    reading = read_grids(grids, layout)
    cells = _cells(layout, reading) if reading.tables_seen else []
    checks = identity_checks(cells, layout) + narrative_checks(text, prose, cells)
    forms = list(dict.fromkeys(grid.form for grid in grids))
    return TablesRecord(fmt, evidence, forms, cells, checks, suspects(checks), reading.notes)


def _grids(text: str, blocks: list[Block] | None) -> tuple[list[Grid], list[tuple[int, int]]]:
    if has_html_tables(text):
        grids, spans = html_grids(text)
        prose, pos = [], 0
        for start, end in sorted(spans):
            prose.append((pos, start))
            pos = end
        return grids, [*prose, (pos, len(text))]
    blocks = split_sections(text) if blocks is None else blocks
    grids = [grid for b in blocks if b.kind == "table" for grid in text_grids(text, b.start, b.end)]
    return grids, [(b.start, b.end) for b in blocks if b.kind != "table"]


def _cells(layout: Layout, reading: TableReading) -> list[TableCell]:
    """Every cell of the layout, in the form's order: its reading, or None and why not."""
    cells: list[TableCell] = []
    for spec in layout.rows:
        row = (spec.table, spec.name)
        for column, unit in zip(spec.columns, spec.units, strict=True):
            got = reading.cells.get((*row, column))
            if got is None:
                got = Reading(None, reason=_absent(reading, spec.table, row))
            elif got.value is not None:
                got = Reading(got.value, got.unit or reading.column_units.get(column) or unit, got.text, got.start,
                              got.end)
            cells.append(TableCell(spec.table, spec.section, spec.name, column, got.value, got.unit, got.text,
                                   got.start, got.end, got.reason))
    return cells


def _absent(reading: TableReading, table: str, row: tuple[str, str]) -> str:
    if table not in reading.tables_seen:
        return "table not found"
    if row not in reading.rows_seen:
        return "row not found"
    if row not in reading.rows_read:
        return "row found without values"
    return "not stated in this row"


def to_rows(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One flat dict per cell of a record in its JSON form (``TablesRecord.to_dict()``, as stored
    in documents.jsonl); the caller adds doc_id and the like. ``value`` is a float for every cell
    (counts and 万元 amounts share one Parquet column); null cells have a reason."""
    return [
        {
            "format": record["format"],
            **{key: c[key] for key in ("table", "section", "row", "column")},
            "value": None if c["value"] is None else float(c["value"]),
            **{key: c[key] for key in ("unit", "text", "start", "end", "reason")},
        }
        for c in record["cells"]
    ]

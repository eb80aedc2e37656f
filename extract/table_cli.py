"""``xxgk tables FILE…``: read each report's statistical tables and check their arithmetic.

Thin: read the file, call :func:`~xxgk.extract.tables.read_tables`, print. HTML files are
read from their markup (merged cells keep their shape; offsets are in the markup); other
files through the same converters as ``xxgk extract`` (offsets are in the converted text).
"""

from __future__ import annotations

import json as jsonlib
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from xxgk.errors import BAD_INPUT, describe, err_console
from xxgk.extract.convert import convert
from xxgk.extract.decode import decode_bytes
from xxgk.extract.document import ReadError
from xxgk.extract.filetype import format_of
from xxgk.extract.htmltext import declared_charset
from xxgk.extract.tables import TablesRecord, read_tables

console = Console(highlight=False)


def read_report(path: Path) -> str:
    """The text the table reader gets: HTML as markup, anything else converted to text."""
    data = path.read_bytes()
    if format_of(path.name) == "html":
        return decode_bytes(data, declared_charset(data)).text
    return convert(path.name, data).text


def tables_cmd(
    files: Annotated[list[Path], typer.Argument(help="Report files (.txt, .html, .docx, .pdf).")],
    json: Annotated[bool, typer.Option("--json", help="One JSON object per file (JSON Lines): the "
                                                       "whole record, every cell and check.")] = False,
    cells: Annotated[bool, typer.Option("--cells", help="Also list every cell.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when a check fails.")] = False,
) -> None:
    """Read the standard statistical tables (2019 and 2021 formats) and check 勾稽关系.

    Exit status 2 when a file cannot be read (the others are still read), 1 with --strict when an
    identity or a narrative cross-check fails.
    """
    unreadable = failed = 0
    for path in files:
        try:
            record = read_tables(read_report(path))
        except (OSError, ReadError) as err:
            unreadable += 1
            reason = describe(err).removeprefix(f"{path}: ")
            if json:
                typer.echo(jsonlib.dumps({"file": str(path), "error": reason}, ensure_ascii=False))
            err_console.print(f"[red]error:[/red] {path}: {reason}")
            continue
        failed += any(check.status == "fail" for check in record.checks)
        if json:
            typer.echo(jsonlib.dumps({"file": str(path), **record.to_dict()}, ensure_ascii=False))
        else:
            _print(path, record, cells)
    if unreadable:
        raise typer.Exit(BAD_INPUT)
    if strict and failed:
        raise typer.Exit(1)


def _print(path: Path, record: TablesRecord, show_cells: bool) -> None:
    read = sum(c.value is not None for c in record.cells)
    status = Counter(c.status for c in record.checks)
    console.print(f"[bold]{path}[/bold]: format {record.format or 'not identified'}"
                  f" ({', '.join(record.forms) or 'no tables'}); {read} of {len(record.cells)} cells read; checks:"
                  f" {status['pass']} pass, {status['fail']} fail, {status['unchecked']} unchecked")
    for check in record.checks:
        if check.status == "fail":
            console.print(f"  [red]fail[/red] {check.message}")
    if record.suspects:
        console.print("  suspect cells: " + "; ".join(f"({t.row}, {t.column}) = {t.value} at {t.start}"
                                                      for t in record.suspects))
    nulls: dict[tuple[str, str, str], None] = {}  # one line per row and reason, per table when it is absent
    for c in record.cells:
        if c.value is None:
            nulls[(c.table, "" if c.reason == "table not found" else c.row, c.reason or "")] = None
    for table, row, reason in nulls:
        console.print(f"  [yellow]null[/yellow] {table}{f' {row}' if row else ''}: {reason}")
    for note in record.notes:
        console.print(f"  note: {note}")
    if show_cells:
        grid = Table(show_header=True)
        for col in ("table", "row", "column", "value", "unit", "offsets"):
            grid.add_column(col, justify="right" if col == "value" else "left", overflow="fold")
        for c in record.cells:
            where = f"{c.start}-{c.end}" if c.start is not None else ""
            grid.add_row(c.table, c.row, c.column, "" if c.value is None else str(c.value), c.unit or "", where)
        console.print(grid)

"""Tables as they reach us → grids of cells that remember where each character came from.

Reports publish their tables as HTML ``<table>`` markup, or as text flattened in one of four
ways: one cell per tab-led line with blank lines between rows (Word copied to text),
tab-separated rows (our own HTML and .docx conversion), ``|``-separated rows, and the
space-separated, line-broken text of a PDF text layer. This module knows the forms, not the
tables: it yields :class:`Grid` s — rows of :class:`Cell` s — and every cell can say where any
stretch of its text lies in the original string, so a value read from it keeps its offsets.

HTML is read with ``html.parser`` from the markup itself (never flattened first), so merged
cells keep their shape: a cell spanning rows leaves a *shadow* in each row below it, which the
reader turns into a null ("merged cell") rather than shifting the row's values. PDF text has no
cell or row boundaries at all: a run of such lines is one row of one cell, and the reader finds
rows by their labels.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser

_TABLE = re.compile(r"<table\b", re.IGNORECASE)
_PIPES = re.compile(r"[|｜│]")
_TAB = re.compile("\t")
_RULE = re.compile(r"^[\s|｜│:：\-—=+]*$")  # a Markdown rule row |---|---|
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_BREAKS_IN_CELL = frozenset({"br", "p", "div", "li"})
_MAX_SPAN = 200


@dataclass(frozen=True)
class Cell:
    """A cell's text and where it lies: ``text[i]`` is at ``start + i`` in the original, unless
    ``where`` gives each character's own ``(start, end)`` (HTML, where entities and tags
    intervene)."""

    text: str
    start: int
    where: tuple[tuple[int, int], ...] | None = None
    rowspan: int = 1
    shadow: bool = False  # the part of a cell spanning rows that lies in a row below its own

    def source(self, i: int, j: int) -> tuple[int, int]:
        """Offsets in the original of ``text[i:j]`` (``j > i``)."""
        if self.where is None:
            return self.start + i, self.start + j
        return self.where[i][0], self.where[j - 1][1]


@dataclass(frozen=True)
class Grid:
    """Rows of cells in one input form: "html", "cells" (one per line), "tabs", "pipes" or
    "text" (PDF-like: one row of one cell holding the whole run of lines)."""

    form: str
    rows: list[list[Cell]]


def has_html_tables(text: str) -> bool:
    return _TABLE.search(text) is not None


# ---------------------------------------------------------------- HTML


def html_grids(markup: str) -> tuple[list[Grid], list[tuple[int, int]]]:
    """Each ``<table>`` of the markup as a grid, and the ``(start, end)`` of each table holding
    no other table: the statistical tables, not a page laid out in a table (whose cells hold
    the prose)."""
    parser = _TableParser(markup)
    parser.feed(markup)
    parser.close()
    while parser.stack:  # unclosed tables end with the document
        parser.end_table(len(markup))
    return [Grid("html", _expand(rows)) for rows in parser.tables], parser.spans


@dataclass
class _OpenCell:
    rowspan: int
    colspan: int
    chars: list[str] = field(default_factory=list)
    where: list[tuple[int, int]] = field(default_factory=list)

    def add(self, text: str, start: int, end: int | None = None) -> None:
        """Characters at ``start``: one per source character, or all at the same span
        ``[start, end)`` (an entity, a line break tag)."""
        for i, ch in enumerate(text):
            self.chars.append(ch)
            self.where.append((start + i, start + i + 1) if end is None else (start, end))


@dataclass
class _OpenTable:
    start: int
    rows: list[list[_OpenCell]] = field(default_factory=list)
    cell: _OpenCell | None = None
    nested: bool = False  # holds another table


class _TableParser(HTMLParser):
    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=False)  # entities come one by one, with their position
        self.markup = markup
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", markup)]
        self.stack: list[_OpenTable] = []
        self.tables: list[list[list[_OpenCell]]] = []
        self.spans: list[tuple[int, int]] = []

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        at = self._offset()
        if tag == "table":
            if self.stack:
                self.stack[-1].nested = True
            self.stack.append(_OpenTable(at))
            return
        if not self.stack:
            return
        table = self.stack[-1]
        if tag == "tr":
            table.cell = None
            table.rows.append([])
        elif tag in ("td", "th"):
            if not table.rows:
                table.rows.append([])
            spans = dict(attrs)
            table.cell = _OpenCell(_span(spans.get("rowspan")), _span(spans.get("colspan")))
            table.rows[-1].append(table.cell)
        elif tag in _BREAKS_IN_CELL and table.cell is not None:
            end = at + len(self.get_starttag_text() or "")
            table.cell.add(" ", at, end)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack:
            return
        if tag == "table":
            self.end_table(self.markup.find(">", self._offset()) + 1)
        elif tag in ("td", "th", "tr"):
            self.stack[-1].cell = None

    def end_table(self, end: int) -> None:
        table = self.stack.pop()
        self.tables.append(table.rows)
        if not table.nested:
            self.spans.append((table.start, end))

    def _text(self, text: str, end: int | None = None) -> None:
        if self.stack and self.stack[-1].cell is not None:
            self.stack[-1].cell.add(text, self._offset(), end)

    def handle_data(self, data: str) -> None:
        self._text(data)

    def handle_entityref(self, name: str) -> None:
        at = self._offset()
        self._text(html.unescape(f"&{name};"), at + len(name) + 2)

    def handle_charref(self, name: str) -> None:
        at = self._offset()
        self._text(html.unescape(f"&#{name};"), at + len(name) + 3)


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), _MAX_SPAN))
    except ValueError:
        return 1


def _expand(rows: list[list[_OpenCell]]) -> list[list[Cell]]:
    """Place cells on the grid their row and column spans make, in column order. A cell
    spanning rows leaves one shadow in each row below (a cell spanning columns needs none:
    the reader counts it once)."""
    taken: set[tuple[int, int]] = set()
    placed: list[list[tuple[int, Cell]]] = [[] for _ in rows]
    for r, row in enumerate(rows):
        c = 0
        for open_cell in row:
            while (r, c) in taken:
                c += 1
            text = "".join(open_cell.chars)
            cell = Cell(text, open_cell.where[0][0] if open_cell.where else 0, tuple(open_cell.where),
                        open_cell.rowspan)
            placed[r].append((c, cell))
            for rr in range(r, min(r + open_cell.rowspan, len(rows))):
                taken.update((rr, cc) for cc in range(c, c + open_cell.colspan))
                if rr > r:
                    placed[rr].append((c, replace(cell, shadow=True)))
            c += open_cell.colspan
    return [[cell for _, cell in sorted(row, key=lambda p: p[0])] for row in placed]


# ---------------------------------------------------------------- flattened text


def text_grids(text: str, start: int, end: int) -> list[Grid]:
    """The grids of ``text[start:end]`` (a table block), one per run of lines in one form."""
    builder = _TextGrids(text)
    for m in _LINE.finditer(text, start, end):
        if m.start() == m.end():
            continue
        raw = m.group().rstrip("\r\n")
        builder.line(raw, m.start())
    builder.flush()
    return builder.grids


class _TextGrids:
    """Line by line: each line's form decides whether it extends the current grid."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.grids: list[Grid] = []
        self.form = ""
        self.rows: list[list[Cell]] = []
        self.after_cell = False  # the previous line was a tab-led cell (a next plain line continues it)

    def start(self, form: str) -> None:
        if form != self.form:
            self.flush()
            self.form = form

    def flush(self) -> None:
        rows = [row for row in self.rows if row]
        if rows:
            self.grids.append(Grid(self.form, rows))
        self.form, self.rows = "", []

    def line(self, raw: str, at: int) -> None:
        after_cell, self.after_cell = self.after_cell, False
        if not raw.strip() and "\t" not in raw:
            if self.form == "cells":
                self.rows.append([])  # a blank line ends a row of one-cell lines
            return
        if _PIPES.search(raw):
            if not _RULE.match(raw):
                self.start("pipes")
                self.rows.append(_split(raw, at, _PIPES, trim_borders=True))
            return
        if "\t" in raw:
            cells = _split(raw, at, _TAB, trim_borders=False)
            filled = [c for c in cells if c.text]
            if raw.lstrip(" ").startswith("\t") and len(filled) <= 1:
                self.start("cells")
                if not self.rows:
                    self.rows.append([])
                self.rows[-1].append(filled[0] if filled else Cell("", at + raw.index("\t") + 1))
                self.after_cell = True
            else:
                self.start("tabs")
                self.rows.append(_drop_trailing_empty(cells))
            return
        if after_cell and self.rows and self.rows[-1]:
            last = self.rows[-1][-1]  # a cell broken over lines: 本年新 / 制作数量
            body = raw.rstrip()
            self.rows[-1][-1] = Cell(self.text[last.start:at + len(body)], last.start)
            self.after_cell = True
            return
        self.start("text")
        if self.rows:
            run = self.rows[-1][0]
            self.rows[-1] = [Cell(self.text[run.start:at + len(raw)], run.start)]
        else:
            self.rows.append([Cell(raw, at)])


def _split(raw: str, at: int, separator: re.Pattern[str], trim_borders: bool) -> list[Cell]:
    """Cells between separators, each trimmed of surrounding whitespace (offsets kept)."""
    cells: list[Cell] = []
    pos = 0
    for m in [*separator.finditer(raw), None]:
        end = m.start() if m else len(raw)
        part = raw[pos:end]
        body = part.strip()
        cells.append(Cell(body, at + pos + (part.index(body) if body else 0)))
        pos = m.end() if m else pos
    if trim_borders:
        if cells and not cells[0].text:
            cells = cells[1:]
        if cells and not cells[-1].text:
            cells = cells[:-1]
    return cells


def _drop_trailing_empty(cells: list[Cell]) -> list[Cell]:
    while cells and not cells[-1].text:
        cells = cells[:-1]
    return cells

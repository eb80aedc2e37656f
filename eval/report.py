"""A report as a list of blocks (headings, text, tables, images), rendered three ways: the
terminal (rich), ``report.md`` (images beside it as PNG files) and a self-contained
``report.html`` (images inlined as base64 PNG). The content is defined once, in
:mod:`xxgk.eval.views`.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table as RichTable


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    #: rows shown on the terminal (None: all); files always get every row
    console_rows: int | None = None
    caption: str = ""


@dataclass(frozen=True)
class Image:
    name: str  # file stem, ASCII
    png: bytes = field(repr=False)
    caption: str


Block = Heading | Text | Table | Image

#: Cell of a value that does not exist (a score with nothing to score).
NA = "–"
_NUMERIC = re.compile(r"^[+\-−]?\d")


def _right_aligned(table: Table) -> list[bool]:
    """A column is right-aligned when all its cells that hold a value start like numbers."""
    aligned = []
    for c in range(len(table.headers)):
        values = [row[c] for row in table.rows if row[c] not in ("", NA)]
        aligned.append(bool(values) and all(_NUMERIC.match(v) for v in values))
    return aligned


def print_blocks(title: str, blocks: Sequence[Block], console: Console) -> None:
    console.rule(f"[bold]{title}")
    for block in blocks:
        if isinstance(block, Heading):
            console.print(f"\n[bold]{block.text}[/bold]", highlight=False)
        elif isinstance(block, Text):
            console.print(block.text, markup=False, highlight=False)
        elif isinstance(block, Table):
            shown = block.rows if block.console_rows is None else block.rows[:block.console_rows]
            table = RichTable(caption=block.caption or None, show_lines=False)
            for header, right in zip(block.headers, _right_aligned(block), strict=True):
                table.add_column(header, justify="right" if right else "left", overflow="fold")
            for row in shown:
                table.add_row(*row)
            console.print(table)
            if len(shown) < len(block.rows):
                hidden = len(block.rows) - len(shown)
                console.print(f"… {hidden} more rows in --json and --report", highlight=False)


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def to_markdown(title: str, blocks: Sequence[Block]) -> str:
    out = [f"# {title}", ""]
    for block in blocks:
        if isinstance(block, Heading):
            out += ["#" * block.level + " " + block.text, ""]
        elif isinstance(block, Text):
            out += [block.text, ""]
        elif isinstance(block, Table):
            aligns = ["---:" if right else "---" for right in _right_aligned(block)]
            out.append("| " + " | ".join(_md_cell(h) for h in block.headers) + " |")
            out.append("| " + " | ".join(aligns) + " |")
            out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
            out.append("")
            out += [f"*{block.caption}*", ""] if block.caption else []
        else:
            out += [f"![{block.caption}]({block.name}.png)", "", f"*{block.caption}*", ""]
    return "\n".join(out)


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Microsoft YaHei",sans-serif;
margin:2em auto;max-width:1200px;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .6em;vertical-align:top}th{background:#f3f3f3}
td.r{text-align:right;font-variant-numeric:tabular-nums}tr:nth-child(even) td{background:#fafafa}
figure{margin:1em 0 2em}figure img{max-width:100%}figcaption,caption{color:#555;font-size:.9em}
"""


def to_html(title: str, blocks: Sequence[Block]) -> str:
    esc = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">', f"<title>{esc(title)}</title>",
           f"<style>{_CSS}</style></head><body>", f"<h1>{esc(title)}</h1>"]
    for block in blocks:
        if isinstance(block, Heading):
            out.append(f"<h{block.level}>{esc(block.text)}</h{block.level}>")
        elif isinstance(block, Text):
            out.append(f"<p>{esc(block.text)}</p>")
        elif isinstance(block, Table):
            right = _right_aligned(block)
            out.append("<table>")
            if block.caption:
                out.append(f"<caption>{esc(block.caption)}</caption>")
            out.append("<tr>" + "".join(f"<th>{esc(h)}</th>" for h in block.headers) + "</tr>")
            for row in block.rows:
                cells = "".join(f'<td class="r">{esc(c)}</td>' if r else f"<td>{esc(c)}</td>"
                                for c, r in zip(row, right, strict=True))
                out.append(f"<tr>{cells}</tr>")
            out.append("</table>")
        else:
            data = base64.b64encode(block.png).decode("ascii")
            out.append(f'<figure><img alt="{esc(block.caption)}" src="data:image/png;base64,{data}">'
                       f"<figcaption>{esc(block.caption)}</figcaption></figure>")
    out.append("</body></html>")
    return "\n".join(out)


def write_report(directory: Path, title: str, blocks: Sequence[Block]) -> list[Path]:
    """Write ``report.md`` (with its PNG files) and ``report.html``; return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for block in blocks:
        if isinstance(block, Image):
            path = directory / f"{block.name}.png"
            path.write_bytes(block.png)
            written.append(path)
    for name, text in (("report.md", to_markdown(title, blocks)), ("report.html", to_html(title, blocks))):
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written

"""The main text of an HTML page, as lines: paragraphs and line breaks end lines, table rows
become tab-separated lines, and page furniture (head, scripts, styles, navigation, headers,
footers, forms, elements named like navigation) is dropped with everything inside it.

Built on the standard library's ``html.parser`` so that extraction needs no HTML dependency.
HTML whitespace is collapsed as a browser would (ASCII whitespace only: ``\\xa0`` and ``\\u3000``
are text); whitespace inside ``<pre>`` is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser

from xxgk.extract.settings import load_settings

_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_SPACES = re.compile(r"[ \t\n\r\f]+")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class _Rules:
    drop_tags: frozenset[str]
    drop_names: frozenset[str]
    block_tags: frozenset[str]


@cache
def _rules() -> _Rules:
    cfg = load_settings()["html"]
    return _Rules(frozenset(cfg["drop_tags"]), frozenset(cfg["drop_names"]), frozenset(cfg["block_tags"]))


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in a ``<meta>`` tag near its start, if any."""
    m = _CHARSET.search(data[:4096])
    return m.group(1).decode("ascii") if m else None


def html_to_text(html: str) -> str:
    """The page's main text, one line per paragraph, line break or table row."""
    parser = _TextParser(_rules())
    parser.feed(html)
    parser.close()
    return "\n".join(parser.finish())


class _TextParser(HTMLParser):
    def __init__(self, rules: _Rules) -> None:
        super().__init__(convert_charrefs=True)
        self.rules = rules
        self.lines: list[str] = []
        self.parts: list[str] = []  # the line being built
        self.skip_tag = ""  # the element being dropped, and how deep we are inside it
        self.skip_depth = 0
        self.cells: list[int] = []  # cells seen in the current row, one entry per open table
        self.in_cell = False  # end tags of cells and rows are optional: rows and tables reset it
        self.in_pre = 0

    def _dropped(self, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        if tag in self.rules.drop_tags:
            return True
        names = {v.lower() for k, v in attrs if k == "id" and v}
        names.update(c.lower() for k, v in attrs if k == "class" and v for c in v.split())
        return bool(names & self.rules.drop_names)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip_depth:
            if tag == self.skip_tag:
                self.skip_depth += 1
            elif tag == "body" and self.skip_tag == "head":  # an unclosed <head>
                self.skip_depth = 0
            return
        if tag not in _VOID and self._dropped(tag, attrs):
            self.skip_tag, self.skip_depth = tag, 1
            return
        if tag == "table":
            self._newline()
            self.cells.append(0)
        elif tag == "tr":
            self._newline()
            if self.cells:
                self.cells[-1] = 0
        elif tag in ("td", "th"):
            if self.cells and self.cells[-1]:
                self.parts.append("\t")
            if self.cells:
                self.cells[-1] += 1
            self.in_cell = True
        elif tag == "pre":
            self._newline()
            self.in_pre += 1
        elif tag in self.rules.block_tags:
            self._break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skip_depth:
            if tag == self.skip_tag:
                self.skip_depth -= 1
            return
        if tag == "table":
            self._newline()
            if self.cells:
                self.cells.pop()
        elif tag == "tr":
            self._newline()
        elif tag in ("td", "th"):
            self.in_cell = False
        elif tag == "pre":
            self._newline()
            self.in_pre = max(0, self.in_pre - 1)
        elif tag in self.rules.block_tags:
            self._break()

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if self.in_pre:
            lines = data.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            for line in lines[:-1]:
                self.parts.append(line)
                self._newline()
            self.parts.append(lines[-1])
        else:
            self.parts.append(_SPACES.sub(" ", data))

    def _break(self) -> None:
        """A block boundary: a new line, or a space inside a table cell (rows stay one line)."""
        if self.in_cell:
            self.parts.append(" ")
        else:
            self._newline()

    def _newline(self) -> None:
        self.in_cell = False
        line = "".join(self.parts)
        if not self.in_pre:
            line = re.sub(r" *\t *", "\t", line).strip(" ")
        if line.strip():
            self.lines.append(line)
        self.parts = []

    def finish(self) -> list[str]:
        self._newline()
        return self.lines

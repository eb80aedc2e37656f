"""Cut a report's text into blocks: title, preamble, narrative, table and signature.

The NER model reads prose; the statistical tables belong to a separate table reader. Reports
come in three formats (pre-2019, 2019, 2021+) and their tables reach us flattened in several
ways: one cell per tab-led line (Word copied to text), rows of space-separated numbers broken
across lines (PDF text layers), ``|``-separated rows, or tab-separated rows (our own HTML and
.docx conversion). So the splitter works line by line:

1. numbered headings naming a known section (一、总体情况) open sections; the numbers must
   increase, so numbered rows and list items never do;
2. short leading lines that include a report title are the title, the prose before the first
   heading is the preamble, and trailing agency/date lines are the signature;
3. in each section, lines that are plainly table rows (cells, numbers) are table; a section
   holding them is tabular, and there each remaining line follows the sure lines around it:
   short cell-like lines are table, sentences stay narrative.

Every pattern and threshold lives in ``configs/sections.toml``. Offsets are never shifted:
the blocks tile the text exactly.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from xxgk.extract.document import Block
from xxgk.schema import config_path

_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


@dataclass(frozen=True)
class SectionRules:
    """The compiled contents of ``sections.toml``."""

    standalone_heading: re.Pattern[str]
    inline_heading: re.Pattern[str]
    heading_titles: re.Pattern[str]
    heading_max_chars: int
    table_titles: re.Pattern[str]
    title_max_chars: int
    title_max_lines: int
    title_pattern: re.Pattern[str]
    signature_max_lines: int
    date_line: re.Pattern[str]
    agency_line: re.Pattern[str]
    cell_max_chars: int
    number_token: re.Pattern[str]
    min_numbers: int
    number_share: float
    dates: re.Pattern[str]
    clause_punct: frozenset[str]
    cell_separators: re.Pattern[str]
    sentence_end: frozenset[str]
    note: re.Pattern[str]
    prose_min_chars: int
    prose_min_clauses: int
    prose_clause_chars: int
    prose_end: frozenset[str]
    min_table_lines: int


def parse_rules(data: dict[str, Any]) -> SectionRules:
    h, ti, sig, tab = data["headings"], data["title"], data["signature"], data["table"]
    number, max_chars = h["number"], int(h["max_chars"])
    return SectionRules(
        standalone_heading=re.compile(rf"^{number}(?P<title>[^|｜\t]+)$"),
        # A heading run into a line: after a line start, a space or a colon, its title one word
        # followed by a space, a colon or the line end (not 、, which lists section names).
        inline_heading=re.compile(
            rf"(?:^|(?<=[\s：:。])){number}(?P<title>[^\s，,。；;：:、|]{{2,{max_chars}}})(?=[\s：:]|$)"
        ),
        heading_titles=re.compile(h["titles"]),
        heading_max_chars=max_chars,
        table_titles=re.compile(h["table_titles"]),
        title_max_chars=int(ti["max_chars"]),
        title_max_lines=int(ti["max_lines"]),
        title_pattern=re.compile(ti["pattern"]),
        signature_max_lines=int(sig["max_lines"]),
        date_line=re.compile(sig["date"]),
        agency_line=re.compile(sig["agency"]),
        cell_max_chars=int(tab["cell_max_chars"]),
        number_token=re.compile(tab["number_token"]),
        min_numbers=int(tab["min_numbers"]),
        number_share=float(tab["number_share"]),
        dates=re.compile(tab["dates"]),
        clause_punct=frozenset(tab["clause_punct"]),
        cell_separators=re.compile("[" + re.escape(tab["cell_separators"]) + "]"),
        sentence_end=frozenset(tab["sentence_end"]),
        note=re.compile(tab["note"]),
        prose_min_chars=int(tab["prose_min_chars"]),
        prose_min_clauses=int(tab["prose_min_clauses"]),
        prose_clause_chars=int(tab["prose_clause_chars"]),
        prose_end=frozenset(tab["prose_end"]),
        min_table_lines=int(tab["min_table_lines"]),
    )


@cache
def load_rules(path: str | None = None) -> SectionRules:
    """The splitter's rules: ``configs/sections.toml`` unless another file is given."""
    file = Path(path) if path else config_path("sections.toml")
    with file.open("rb") as fh:
        return parse_rules(tomllib.load(fh))


@dataclass
class _Unit:
    """A line, or the part of a line from a heading run into it; ``raw`` lacks the line break."""

    start: int
    end: int
    raw: str
    opens: str = ""  # the heading this unit opens a section with
    heading: str = ""  # the heading of the section the unit is in
    kind: str = ""

    @property
    def content(self) -> str:
        return self.raw.strip()


def _numeral(num: str) -> int | None:
    tens, ten, ones = num.partition("十")
    try:
        if not ten:
            return _DIGITS[num] if len(num) == 1 else None
        return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)
    except KeyError:
        return None


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


def _units(text: str, rules: SectionRules) -> list[_Unit]:
    """Lines (split further where a heading is run into one), each knowing its section."""
    units: list[_Unit] = []
    last_number, heading = 0, ""
    for m in _LINE.finditer(text):
        if m.start() == m.end():
            continue
        raw = m.group().rstrip("\r\n")
        cuts, last_number = _headings_in(raw, last_number, rules)
        ends: list[int | None] = [at for at, _ in cuts[1:]] + [None]
        for (at, opens), upto in zip(cuts, ends, strict=True):
            heading = opens or heading
            end = m.end() if upto is None else m.start() + upto
            units.append(_Unit(m.start() + at, end, raw[at:upto], opens, heading))
    return units


def _headings_in(raw: str, last_number: int, rules: SectionRules) -> tuple[list[tuple[int, str]], int]:
    """Where sections open in one line: ``[(offset, heading)]`` starting at offset 0 (heading ""
    when the line begins inside the current section), and the last section number so far."""
    content = raw.strip()
    whole = rules.standalone_heading.match(content)
    if whole and _heading_ok(whole, last_number, rules):
        return [(0, content)], _numeral(whole["num"]) or 0
    cuts = [(0, "")]
    for hit in rules.inline_heading.finditer(raw):
        if _heading_ok(hit, last_number, rules):
            at = hit.start() if raw[: hit.start()].strip() else 0
            if at == 0:  # the line starts with the heading
                cuts = [(0, hit.group())]
            else:
                cuts.append((at, hit.group()))
            last_number = _numeral(hit["num"]) or 0
    return cuts, last_number


def _heading_ok(m: re.Match[str], last_number: int, rules: SectionRules) -> bool:
    number = _numeral(m["num"])
    return (
        number is not None
        and number > last_number
        and len(m["title"]) <= rules.heading_max_chars
        and rules.heading_titles.search(m["title"]) is not None
    )


# ---------------------------------------------------------------- line tests


def _cell_like(cell: str, rules: SectionRules) -> bool:
    return len(cell) <= rules.cell_max_chars and not rules.sentence_end.intersection(cell)


def _tab_cell(unit: _Unit) -> str | None:
    """The cell of a line holding one tab-led cell (a table flattened one cell per line)."""
    cells = [c.strip() for c in unit.raw.split("\t") if c.strip()]
    return cells[0] if len(cells) == 1 and unit.raw.lstrip(" ").startswith("\t") else None


def _one_cell_table(section: list[_Unit], rules: SectionRules) -> bool:
    """Whether a section is a table flattened one cell per tab-led line: it has a table
    heading and a tab-led number cell (tab-indented prose and sub-headings have neither)."""
    if not rules.table_titles.search(section[0].heading):
        return False
    return any((cell := _tab_cell(u)) and rules.number_token.match(cell) for u in section)


def _table_row(unit: _Unit, one_cell_table: bool, rules: SectionRules) -> bool:
    """A line that is plainly a table row: cells split by | or tabs, a row of numbers, or a
    tab-led cell in a section flattened one cell per line."""
    content = unit.content
    cells = [c.strip() for c in rules.cell_separators.split(content) if c.strip()]
    if len(cells) >= 2:
        return True
    tab_cells = [c.strip() for c in unit.raw.split("\t") if c.strip()]
    if "\t" in content and len(tab_cells) >= 2:
        return not any(rules.sentence_end.intersection(c) for c in tab_cells)
    cell = _tab_cell(unit)
    if cell is not None and one_cell_table:
        return _cell_like(cell, rules)
    if rules.clause_punct.intersection(content):
        return False
    tokens = rules.dates.sub(" ", content).split()
    numbers = sum(1 for t in tokens if rules.number_token.match(t))
    return numbers >= rules.min_numbers and numbers >= rules.number_share * len(tokens)


def _prose_like(content: str, rules: SectionRules) -> bool:
    """A line that reads as a sentence rather than a cell, though it has no sentence end."""
    clauses = sum(content.count(c) for c in rules.clause_punct)
    return (
        len(content) >= rules.prose_min_chars
        or clauses >= rules.prose_min_clauses
        or (clauses and len(content) >= rules.prose_clause_chars)
        or content[-1] in rules.prose_end
    )


def _is_signature_line(content: str, rules: SectionRules) -> bool:
    return bool(rules.date_line.match(content) or rules.agency_line.match(content))


def _title_candidate(content: str, rules: SectionRules) -> bool:
    return (
        len(content) <= rules.title_max_chars
        and not rules.sentence_end.intersection(content)
        and content[-1] not in rules.prose_end
        and content[-1] not in rules.clause_punct
    )


# ---------------------------------------------------------------- the splitter


def split_sections(text: str, rules: SectionRules | None = None) -> list[Block]:
    """Blocks tiling ``text``: kinds title, preamble, narrative, table, signature."""
    rules = rules or load_rules()
    units = _units(text, rules)
    filled = [u for u in units if u.content]
    if not filled:
        return [Block("preamble", 0, len(text))] if text else []
    _mark_title(filled, rules)
    _mark_signature(filled, rules)
    for section in _sections(filled):
        _mark_section(section, rules)
    return _blocks(units)


def _mark_title(filled: list[_Unit], rules: SectionRules) -> None:
    lead: list[_Unit] = []
    for unit in filled[: rules.title_max_lines]:
        if unit.heading or not _title_candidate(unit.content, rules):
            break
        lead.append(unit)
    if any(rules.title_pattern.search(u.content) for u in lead):
        for unit in lead:
            unit.kind = "title"


def _mark_signature(filled: list[_Unit], rules: SectionRules) -> None:
    for unit in reversed(filled[-rules.signature_max_lines:]):
        if unit.kind or unit.opens or not _is_signature_line(unit.content, rules):
            break
        unit.kind = "signature"


def _sections(filled: list[_Unit]) -> list[list[_Unit]]:
    """Unmarked non-blank units grouped by section (the pre-heading part is a section too)."""
    groups: list[list[_Unit]] = []
    for unit in filled:
        if unit.kind:
            continue
        if not groups or unit.opens or unit.heading != groups[-1][0].heading:
            groups.append([])
        groups[-1].append(unit)
    return groups


def _mark_section(section: list[_Unit], rules: SectionRules) -> None:
    """Table or prose for each line of one section, as described in the module docstring."""
    prose = "narrative" if section[0].heading else "preamble"
    table_heading = bool(rules.table_titles.search(section[0].heading))
    one_cell_table = _one_cell_table(section, rules)
    sure: list[str | None] = []
    for unit in section:
        if unit.opens:
            sure.append(prose)
        elif _table_row(unit, one_cell_table, rules):
            sure.append("table")
        elif rules.sentence_end.intersection(unit.content) and not rules.note.match(unit.content):
            sure.append(prose)
        else:
            sure.append(None)
    rows = sure.count("table")
    if rows < rules.min_table_lines and not (table_heading and rows):
        for unit, kind in zip(section, sure, strict=True):
            unit.kind = kind or prose
        return
    # Cell-like lines first (default table), then prose-like ones (default prose), each
    # taking the kind of the sure lines around it when those agree.
    cells: list[bool | None] = [
        None if kind else not _prose_like(u.content, rules) for u, kind in zip(section, sure, strict=True)
    ]
    for want_cells, default in ((True, "table"), (False, prose)):
        around = zip(_last_seen(sure), _last_seen(sure[::-1])[::-1], strict=True)
        sure = [
            kind if cell is not want_cells else prev if prev and prev == nxt else default
            for kind, cell, (prev, nxt) in zip(sure, cells, around, strict=True)
        ]
    for unit, kind in zip(section, sure, strict=True):
        unit.kind = "table" if rules.note.match(unit.content) else kind or prose


def _last_seen(kinds: list[str | None]) -> list[str | None]:
    """For each position, the last known kind strictly before it."""
    out: list[str | None] = []
    last: str | None = None
    for kind in kinds:
        out.append(last)
        last = kind or last
    return out


def _blocks(units: list[_Unit]) -> list[Block]:
    """Merge units into blocks; blank lines join the block before them (or the first one)."""
    marked = [
        (u.start, u.kind, u.heading if u.kind in ("narrative", "table") else "") for u in units if u.kind
    ]
    blocks: list[Block] = []
    _, kind, heading = marked[0]
    start = 0
    for unit_start, unit_kind, unit_heading in marked[1:]:
        if (unit_kind, unit_heading) != (kind, heading):
            blocks.append(Block(kind, start, unit_start, heading))
            start, kind, heading = unit_start, unit_kind, unit_heading
    blocks.append(Block(kind, start, units[-1].end, heading))
    return blocks


def prose_regions(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every non-blank line outside table blocks: the text the NER model reads.

    Title, preamble, narrative and signature all count as prose: the schema annotates them all
    and leaves only the statistical tables to the table reader.
    """
    for block in split_sections(text):
        if block.kind == "table":
            continue
        start = block.start
        for line in text[block.start : block.end].split("\n"):
            end = start + len(line)
            if line.strip():
                yield start, end
            start = end + 1

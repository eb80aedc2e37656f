"""What a report says about itself in its first and last lines: title, agency, year.

Read from the blocks the splitter found: the title block gives the title, the agency (what
precedes 政府信息公开… in it, years taken out) and the year; without a title block the year is
the first one named in the opening, and the agency is the signature's agency line. Each value
is None when the report does not state it: a guess is left to whoever holds a manifest.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from xxgk.extract.document import Block
from xxgk.extract.sections import load_rules
from xxgk.extract.settings import load_settings


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    cfg = load_settings()["meta"]
    return re.compile(cfg["year"]), re.compile(cfg["report_year"]), re.compile(cfg["agency_end"])


def _is_metadata(line: str) -> bool:
    """A ``key: value`` line of a web page (发布日期：…, 信息索取号: …), not part of the title."""
    return ":" in line or "：" in line


def _lines(text: str, blocks: list[Block], kind: str) -> list[str]:
    return [
        line.strip()
        for b in blocks if b.kind == kind
        for line in text[b.start:b.end].splitlines() if line.strip()
    ]


def report_meta(text: str, blocks: list[Block]) -> dict[str, Any]:
    """``{"title", "agency", "year"}`` of a report, each None when not found."""
    year_re, report_year_re, agency_end = _patterns()
    rules = load_rules()
    title_lines = [line for line in _lines(text, blocks, "title") if not _is_metadata(line)]
    upto = next((i for i, line in enumerate(title_lines) if rules.title_pattern.search(line)), None)
    title = "".join(title_lines[: upto + 1]) if upto is not None else None
    agency = None
    if title:
        year_match = year_re.search(title)
        cut = agency_end.search(title)
        if cut:
            agency = year_re.sub("", title[: cut.start()]).strip(" \u3000度") or None
    else:
        opening = text[: load_settings()["meta"]["scan_chars"]]
        year_match = report_year_re.search(opening) or year_re.search(opening)
    year = int(year_match.group(1)) if year_match else None
    if agency is None:
        signed = [line for line in _lines(text, blocks, "signature") if rules.agency_line.match(line)]
        agency = signed[0] if signed else None
    return {"title": title, "agency": agency, "year": year}

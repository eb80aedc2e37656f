"""The official layouts of the statistical tables, read from ``configs/tables.toml``.

A report's tables follow one of two State Council formats (2019, 2021). Which one is decided by
phrases only that format's tables hold (their column headers, the 2021 sub-rows of 其他处理),
never by the report's year: reports of one year use either. A :class:`Layout` is one format's
template — every row with its columns and units, in the form's order — plus the labels that
name its rows and columns in real text. Without a known format the layout keeps only the rows
both formats share (tables 3 and 4), so nothing is placed in a row the report may not have.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from xxgk.schema import config_path


@dataclass(frozen=True)
class RowSpec:
    """One row of a table's template that holds values."""

    table: str
    section: str  # 第二十条第（一）项 in table 2; the heading row above it in tables 3 and 4, or ""
    name: str
    columns: tuple[str, ...]
    units: tuple[str | None, ...]
    result: bool = False  # summed by （七）总计


@dataclass(frozen=True)
class Label:
    """A way of naming a row, a heading row ("group", no values) or a column in the text."""

    kind: str  # "row", "group" or "column"
    table: str  # "" for columns: several tables share names (总计, 其他)
    name: str
    pattern: re.Pattern[str]
    size: int  # characters of the spelling; longer spellings win over shorter ones inside them


@dataclass(frozen=True)
class Layout:
    """One format's tables: the rows holding values, in order, and the labels naming them."""

    format: str | None
    rows: tuple[RowSpec, ...]
    labels: tuple[Label, ...]
    one_row_tables: frozenset[str]

    def row(self, table: str, name: str) -> RowSpec:
        for spec in self.rows:
            if spec.table == table and spec.name == name:
                return spec
        raise KeyError(f"{table}: no row {name!r} in the {self.format or 'common'} layout")

    def table_rows(self, table: str) -> list[RowSpec]:
        return [spec for spec in self.rows if spec.table == table]


@dataclass(frozen=True)
class ValueRules:
    """How values are written: ``[values]`` of tables.toml, compiled."""

    number: re.Pattern[str]
    blanks: frozenset[str]
    strip: str
    numbering: re.Pattern[str]
    label_unit: re.Pattern[str]
    section: re.Pattern[str]
    note: re.Pattern[str]
    prose: re.Pattern[str]


@dataclass(frozen=True)
class Identity:
    name: str
    table: str
    each: str  # "column" or "row"
    left: tuple[str, ...]
    right: tuple[str, ...]


@dataclass(frozen=True)
class NarrativeRule:
    name: str
    pattern: re.Pattern[str]
    value: int | None  # a fixed value, for sentences that state none ("未收到…申请")
    cells: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class TablesConfig:
    formats: dict[str, tuple[re.Pattern[str], ...]]
    values: ValueRules
    identities: tuple[Identity, ...]
    narrative: tuple[NarrativeRule, ...]
    data: dict[str, Any]


@cache
def load_config(path: str | None = None) -> TablesConfig:
    """``configs/tables.toml`` (or another file), parsed and compiled once."""
    file = Path(path) if path else config_path("tables.toml")
    with file.open("rb") as fh:
        data = tomllib.load(fh)
    values = data["values"]
    return TablesConfig(
        formats={name: tuple(re.compile(p) for p in spec["signatures"]) for name, spec in data["formats"].items()},
        values=ValueRules(
            number=re.compile(values["number"]),
            blanks=frozenset(values["blanks"]),
            strip=values["strip"],
            numbering=re.compile(values["numbering"]),
            label_unit=re.compile(values["label_unit"]),
            section=re.compile(values["section"]),
            note=re.compile(values["note"]),
            prose=re.compile(values["prose"]),
        ),
        identities=tuple(
            Identity(i["name"], i["table"], i["each"], tuple(i["left"]), tuple(i["right"]))
            for i in data["identities"]
        ),
        narrative=tuple(
            NarrativeRule(n["name"], re.compile(n["pattern"]), n.get("value"), tuple(tuple(c) for c in n["cells"]))
            for n in data["narrative"]
        ),
        data=data,
    )


def detect_format(texts: Iterable[str], config: TablesConfig | None = None) -> tuple[str | None, list[str]]:
    """The format whose signature phrases the tables' text holds most, and the phrases found
    (``"2021: 本年制发件数"``); ``None`` when no format has more than the others."""
    config = config or load_config()
    joined = "\n".join(texts)
    evidence: list[str] = []
    hits: dict[str, int] = {}
    for name, signatures in config.formats.items():
        found = [m.group() for p in signatures if (m := p.search(joined))]
        hits[name] = len(found)
        evidence += [f"{name}: {''.join(f.split())}" for f in found]
    best = max(hits.values(), default=0)
    winners = [name for name, n in hits.items() if n == best]
    return (winners[0] if best and len(winners) == 1 else None), evidence


def spaced(text: str) -> str:
    """A regex matching ``text`` with any whitespace between its characters."""
    return r"\s*".join(re.escape(ch) for ch in text if not ch.isspace())


def _label(kind: str, table: str, name: str, spellings: Iterable[str], regexes: Iterable[str] = ()) -> Label:
    plain = sorted({s for s in spellings if s}, key=len, reverse=True)
    alternatives = [spaced(s) for s in plain] + list(regexes)
    size = max([len(s) for s in plain] + [len(name)])
    return Label(kind, table, name, re.compile("|".join(f"(?:{a})" for a in alternatives)), size)


def _in_format(entry: dict[str, Any], fmt: str | None, all_formats: list[str]) -> bool:
    formats = entry.get("formats", all_formats)
    return fmt in formats if fmt else set(all_formats) <= set(formats)


@cache
def layout_for(fmt: str | None, path: str | None = None) -> Layout:
    """The template of format ``fmt`` ("2019", "2021"), or of the rows both share (``None``)."""
    data = load_config(path).data
    all_formats = list(data["formats"])
    numbering = re.compile(data["values"]["numbering"])  # 一、 （一） 1. before a name: not matched
    rows: list[RowSpec] = []
    labels: list[Label] = []
    column_names: set[str] = set()
    for entry in data["active"]:
        if not _in_format(entry, fmt, all_formats):
            continue
        units = tuple(u or None for u in entry["units"])
        for name in entry["rows"]:
            rows.append(RowSpec("active", entry["section"], name, tuple(entry["columns"]), units))
            labels.append(_label("row", "active", name, [name, *data["row_keys"].get(name, [])]))
        column_names.update(entry["columns"])
    for table in ("requests", "appeals"):
        spec = data["tables"][table]
        columns = tuple(spec["columns"])
        column_names.update(columns)
        for entry in data[table]:
            if not _in_format(entry, fmt, all_formats):
                continue
            name = entry["name"]
            kind = "group" if entry.get("group") else "row"
            spellings = [numbering.sub("", name), *entry.get("keys", [])]
            regexes = [entry["pattern"]] if "pattern" in entry else []
            labels.append(_label(kind, table, name, [] if regexes else spellings, regexes))
            if kind == "row":
                rows.append(RowSpec(table, entry.get("section", ""), name, columns, (spec["unit"],) * len(columns),
                                    bool(entry.get("result"))))
    aliases, patterns = data["columns"], data["column_patterns"]
    for name in sorted(column_names):
        labels.append(_label("column", "", name, [] if name in patterns else [name, *aliases.get(name, [])],
                             [patterns[name]] if name in patterns else []))
    labels.sort(key=lambda lab: lab.size, reverse=True)
    one_row = frozenset(t for t, spec in data["tables"].items() if spec.get("one_row"))
    return Layout(fmt, tuple(rows), tuple(labels), one_row)


_HAN = re.compile("[\u4e00-\u9fff]")


@dataclass(frozen=True)
class LabelHit:
    """A label found in a cell's text: ``text[start:end]`` names ``label``; ``unit`` when the
    label states one in brackets after it (本年收费金额（单位：万元）)."""

    start: int
    end: int
    label: Label | None  # None: a table-2 section mark (第二十条第（一）项)
    unit: str | None = None


def find_labels(text: str, layout: Layout, config: TablesConfig | None = None) -> list[LabelHit]:
    """The labels in ``text``, left to right, not overlapping: at each place the longest
    spelling wins, so 其他结果 is not read as 其他, nor 2.其他法律… as a column."""
    if not _HAN.search(text):
        return []  # every label is written in Chinese: a cell of digits names nothing
    rules = (config or load_config()).values
    found: list[tuple[int, int, int, Label | None]] = [
        (m.start(), -len(m.group()), i, None) for i, m in enumerate(rules.section.finditer(text))
    ]
    for rank, label in enumerate(layout.labels):
        found += [(m.start(), -len(m.group()), rank, label) for m in label.pattern.finditer(text) if m.group()]
    hits: list[LabelHit] = []
    pos = 0
    for start, neg_len, _, label in sorted(found, key=lambda f: (f[0], f[1], f[2])):
        if start < pos:
            continue
        end = start - neg_len
        unit = rules.label_unit.match(text, end)
        hits.append(LabelHit(start, unit.end() if unit else end, label, unit["unit"] if unit else None))
        pos = hits[-1].end
    return hits

"""The tables' arithmetic (勾稽关系) and the narrative's numbers, checked against the cells.

The identities are data (``configs/tables.toml``): each holds once per column or once per row
of its table, between sums of cells. A check whose cells are all read passes or fails; one
with a null cell is *unchecked* and names that cell and its reason — a reader that guessed
the missing number would turn a gap into a false pass. Every check keeps the terms it summed
(each cell by table, row and column, with its value and offsets), so a failure shows where to
look; :func:`suspects` narrows it to the cells that explain all the failures they are in.

The narrative rules find sentences restating a table's number ("全年共受理政府信息公开申请
21件") in the prose only, and compare.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from xxgk.extract.table_formats import Identity, Layout, NarrativeRule, RowSpec, TablesConfig, load_config
from xxgk.extract.table_record import Check, TableCell, Term

_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_TOLERANCE = 1e-6


def identity_checks(cells: list[TableCell], layout: Layout, config: TablesConfig | None = None) -> list[Check]:
    """Every identity of the config over the cells, once per column or row, in the tables of
    which at least one value was read (the others have nothing to check; their cells say why)."""
    config = config or load_config()
    by_key = {(c.table, c.row, c.column): c for c in cells}
    located = {c.table for c in cells if c.value is not None}
    checks: list[Check] = []
    for identity in config.identities:
        rows = layout.table_rows(identity.table)
        if not rows or identity.table not in located:
            continue
        if identity.each == "column":
            complete = layout.format is not None or "@result" not in identity.right
            right_rows = _rows(identity.right, rows)
            for column in rows[0].columns:
                left = [by_key.get((identity.table, r, column)) for r in identity.left]
                right = [by_key.get((identity.table, r, column)) for r in right_rows]
                checks.append(_check(identity, column, left, right, complete))
        else:
            for spec in rows:
                left = [by_key.get((identity.table, spec.name, c)) for c in identity.left]
                right = [by_key.get((identity.table, spec.name, c)) for c in identity.right]
                checks.append(_check(identity, spec.name, left, right, True))
    return checks


def _rows(names: tuple[str, ...], rows: list[RowSpec]) -> list[str]:
    out: list[str] = []
    for name in names:
        out += [spec.name for spec in rows if spec.result] if name == "@result" else [name]
    return out


def _term(cell: TableCell) -> Term:
    return Term(cell.table, cell.row, cell.column, cell.value, cell.start, cell.end)


def _check(identity: Identity, along: str, left: list[TableCell | None], right: list[TableCell | None],
           complete: bool) -> Check:
    """One identity at one column or row; ``complete``: the rows it sums are all known."""
    by = "row" if identity.each == "column" else "column"
    lterms = [_term(c) for c in left if c is not None]
    rterms = [_term(c) for c in right if c is not None]
    missing = [c for c in left + right if c is not None and c.value is None]
    if not complete or None in left + right:
        why = "the format is unknown, so which rows it sums is too"
    elif missing:
        why = _nulls(missing)
    else:
        lsum = sum(t.value or 0 for t in lterms)
        rsum = sum(t.value or 0 for t in rterms)
        ok = abs(lsum - rsum) <= _TOLERANCE
        relation = "=" if ok else "≠"
        message = f"{identity.name} @ {along}: {_sum(lterms, by)} = {lsum} {relation} {_sum(rterms, by)} = {rsum}"
        return Check("identity", identity.name, identity.table, along, "pass" if ok else "fail", lterms, rterms,
                     lsum, rsum, message)
    return Check("identity", identity.name, identity.table, along, "unchecked", lterms, rterms, None, None,
                 f"{identity.name} @ {along}: unchecked, {why}")


def _nulls(cells: list[TableCell], shown: int = 3) -> str:
    """The null cells a check needs, with their reasons (the first few; all are in its terms)."""
    text = "; ".join(f"({c.row}, {c.column}) is null: {c.reason}" for c in cells[:shown])
    return text + (f"; and {len(cells) - shown} more" if len(cells) > shown else "")


def _sum(terms: list[Term], by: str) -> str:
    return " + ".join(f"{getattr(t, by)}({t.value})" for t in terms)


def narrative_checks(text: str, prose: Iterable[tuple[int, int]], cells: list[TableCell],
                     config: TablesConfig | None = None) -> list[Check]:
    """Each number a narrative rule finds in the prose, against the sum of its cells (one check
    per rule and distinct number)."""
    config = config or load_config()
    by_key = {(c.table, c.row, c.column): c for c in cells}
    checks: list[Check] = []
    seen: set[tuple[str, float]] = set()
    for rule in config.narrative:
        targets = [by_key.get(key) for key in rule.cells]
        if any(t is None for t in targets):
            continue  # cells this format does not have
        for start, end in prose:
            for m in rule.pattern.finditer(text, start, end):
                value = _number(m.groupdict(), rule)
                if value is None or (rule.name, value) in seen:
                    continue
                seen.add((rule.name, value))
                checks.append(_narrative_check(rule, value, m.start(), m.end(), m.group(),
                                               [t for t in targets if t is not None]))
    return checks


def _number(groups: dict[str, str | None], rule: NarrativeRule) -> int | None:
    if rule.value is not None:
        return rule.value
    found = next((g for g in groups.values() if g), None)
    return int(found.translate(_FULL_WIDTH).replace(",", "")) if found else None


def _narrative_check(rule: NarrativeRule, value: int, start: int, end: int, words: str,
                     targets: list[TableCell]) -> Check:
    said = Term("narrative", rule.name, words, value, start, end)
    terms = [_term(c) for c in targets]
    missing = [c for c in targets if c.value is None]
    if missing:
        why = _nulls(missing)
        return Check("narrative", rule.name, targets[0].table, "", "unchecked", [said], terms, value, None,
                     f"{rule.name}: the text says {value} ({words!r}), unchecked: {why}")
    total = sum(c.value or 0 for c in targets)
    ok = abs(total - value) <= _TOLERANCE
    return Check("narrative", rule.name, targets[0].table, "", "pass" if ok else "fail", [said], terms, value, total,
                 f"{rule.name}: the text says {value} ({words!r}) {'=' if ok else '≠'} "
                 f"{_sum(terms, 'row')} = {total} in the table")


def suspects(checks: list[Check]) -> list[Term]:
    """Cells in at least two failed identities and in no passing one: with one wrong cell, the
    failures of its row and of its column meet there, and every other cell of them is cleared
    by a check that passes."""
    failed: Counter[tuple[str, str, str]] = Counter()
    cleared: set[tuple[str, str, str]] = set()
    terms: dict[tuple[str, str, str], Term] = {}
    for check in checks:
        if check.kind != "identity" or check.status == "unchecked":
            continue
        for term in check.left + check.right:
            key = (term.table, term.row, term.column)
            terms[key] = term
            if check.status == "fail":
                failed[key] += 1
            else:
                cleared.add(key)
    return [terms[key] for key, n in failed.items() if n >= 2 and key not in cleared]

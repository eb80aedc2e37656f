"""Normalised values of QUANTITY and DATE entities (the ``norm`` field of a record).

``normalize(label, text)`` is a pure function that never raises: a value it cannot read comes
back as ``{"raw": text, "error": why}`` so that one damaged span (PDF artefacts such as
``20161月`` are annotated as found) never stops a corpus run. Labels other than QUANTITY and
DATE have no normal form (``None``).

QUANTITY → ``{"value", "unit", "approx", "kind"}`` plus ``value_max`` for a range and
``currency`` for money. ``approx`` is exact / lower_bound (余, 多, 超, 逾, 以上) / upper_bound
(近 "nearly", 以下) / approximate (约, 左右). ``kind`` is range, percent, money, frequency
(occurrences: 次) or count (everything else, including measures such as 1.5倍 or 75千米).
Scales (万, 亿) are multiplied into the value and leave the unit: ``7730.28万元`` → 77302800 元.

DATE → ``{"iso", "granularity"}``: ``2020``/year, ``2020-12``/month, ``2020-01-15``/day; a
date without a year gets ISO 8601's "--MM" / "--MM-DD" form and a ``note``; qualifiers such as
年底 keep the year's granularity and add a ``note``; a month range ``2022年1-12月`` adds ``iso_end``.

All word lists (approximators, scales, units, qualifiers) live in ``configs/normalize.toml``.
"""

from __future__ import annotations

import datetime
import re
import tomllib
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

import cn2an

from xxgk.schema import config_path


@cache
def _config() -> dict[str, Any]:
    with config_path("normalize.toml").open("rb") as fh:
        return tomllib.load(fh)


@cache
def _regexes() -> dict[str, re.Pattern[str]]:
    """Patterns built once from the word lists of the config."""
    cfg = _config()
    numeral = re.escape("".join(cfg["numerals"]["digits"]) + cfg["numerals"]["multipliers"])
    seps = "|".join(re.escape(sep) for sep in cfg["quantity"]["range_separators"])
    scales = re.escape("".join(cfg["quantity"]["scales"]))
    quals = "|".join(re.escape(w) for w in sorted(cfg["date"]["qualifiers"], key=len, reverse=True))
    q = f"(?P<q>{quals})?"
    y, mo, d = r"(?P<y>\d{4})", r"(?P<m>\d{1,2})", r"(?P<d>\d{1,2})"
    return {
        "arabic": re.compile(rf"(\d+(?:,\d{{3}})*(?:\.\d+)?)([{scales}]*)"),
        "numeral": re.compile(rf"[\d{numeral}]+"),
        "quantity": re.compile(rf"([\d.,{numeral}]+)(?:(?:{seps})([\d.,{numeral}]+))?"),
        # date forms, tried in order, all after numerals became Arabic digits
        "day": re.compile(rf"{y}[年\-/.]{mo}[月\-/.]{d}[日号]?"),
        "month_range": re.compile(rf"{y}年{mo}[-~至到—](?P<m2>\d{{1,2}})月"),
        "month": re.compile(rf"{y}[年\-/.]{mo}月?{q}"),
        "year": re.compile(rf"{y}年?{q}"),
        "day_no_year": re.compile(rf"{mo}月{d}[日号]"),
        "month_no_year": re.compile(rf"{mo}月{q}"),
    }


DATE_FORMS = ("day", "month_range", "month", "year", "day_no_year", "month_no_year")


def normalize(label: str, text: str) -> dict[str, Any] | None:
    """The normal form of an entity's text, ``None`` for labels without one; never raises."""
    if label not in ("QUANTITY", "DATE"):
        return None
    if not isinstance(text, str):
        return {"raw": str(text), "error": "text is not a string"}
    try:
        return _quantity(text) if label == "QUANTITY" else _date(text)
    except Exception as err:  # a bug here must not stop a corpus run; report it on the value
        return {"raw": text, "error": f"internal error: {type(err).__name__}: {err}"}


def _fold(text: str) -> str:
    """NFKC (full-width digits and ％ → ASCII), no whitespace, no wrapping quotes."""
    folded = "".join(unicodedata.normalize("NFKC", text).split())
    return folded.strip("“”\"'‘’")


def _to_number(token: str) -> Decimal | None:
    """An Arabic, Chinese or mixed numeral (with trailing scales) as a Decimal, or None."""
    cfg = _config()
    token = token.rstrip(".,")
    scales = cfg["quantity"]["scales"]
    arabic = _regexes()["arabic"].fullmatch(token)
    if arabic:
        value = Decimal(arabic[1].replace(",", ""))
        for ch in arabic[2]:
            value *= scales[ch]
        return value
    digits = cfg["numerals"]["digits"]
    if token and all(ch.isdigit() or ch in digits for ch in token):
        # positional: 二〇一九 → 2019, 二0一七 → 2017, 一 → 1
        return Decimal("".join(ch if ch.isdigit() else str(digits[ch]) for ch in token))
    plain = token.translate(str.maketrans({"○": "〇", "O": "〇", "兩": "两", "萬": "万", "億": "亿"}))
    if plain[:1] in cfg["numerals"]["multipliers"]:
        plain = "一" + plain  # 百人, 千余条: a bare multiplier means one of it
    try:
        return Decimal(str(cn2an.cn2an(plain, "smart")))
    except (ValueError, KeyError, IndexError, TypeError, InvalidOperation):
        return None


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _error(text: str, why: str) -> dict[str, Any]:
    return {"raw": text, "error": why}


def _strip_affix(s: str, table: dict[str, str], prefix: bool) -> tuple[str, str | None]:
    for word in sorted(table, key=len, reverse=True):
        if (s.startswith(word) if prefix else s.endswith(word)) and len(s) > len(word):
            return (s[len(word):] if prefix else s[: -len(word)]), table[word]
    return s, None


def _quantity(text: str) -> dict[str, Any]:
    cfg = _config()["quantity"]
    s = _fold(text)
    if not s:
        return _error(text, "empty quantity")
    s, before = _strip_affix(s, cfg["prefix_approx"], prefix=True)
    percent = s.startswith(cfg["percent_prefix"])
    if percent:
        s = s[len(cfg["percent_prefix"]):]
    s, after = _strip_affix(s, cfg["suffix_approx"], prefix=False)
    approx = after or before or "exact"
    protected = ""
    for unit in cfg["protected_units"]:
        at = s.find(unit)
        if at > 0:
            s, protected = s[:at], s[at:]
            break
    m = _regexes()["quantity"].match(s)
    if not m:
        return _error(text, "no number")
    value = _to_number(m[1])
    value_max = _to_number(m[2]) if m[2] else None
    if value is None or (m[2] and value_max is None):
        return _error(text, f"unreadable number {m[0]!r}")
    unit = s[m.end():]
    if unit[:1] in cfg["inner_approx"]:
        approx = cfg["inner_approx"][unit[0]]
        unit = unit[1:]
    unit += protected
    if re.search(r"\d", unit):
        return _error(text, f"digits left after the number: {unit!r}")
    currency = next((v for c, v in cfg["currencies"].items() if unit.startswith(c)), None)
    out: dict[str, Any] = {"value": _plain(value), "unit": unit, "approx": approx}
    if value_max is not None:
        if value_max < value:
            return _error(text, "range upper bound below lower bound")
        out["value_max"] = _plain(value_max)
        out["kind"] = "range"
    elif percent or unit in cfg["percent_units"]:
        out["unit"] = unit or "%"
        out["kind"] = "percent"
    elif currency:
        out["kind"] = "money"
    elif unit in cfg["frequency_units"]:
        out["kind"] = "frequency"
    else:
        out["kind"] = "count"
    if currency:
        out["currency"] = currency
    return out


def _date(text: str) -> dict[str, Any]:
    cfg = _config()["date"]
    s = _regexes()["numeral"].sub(_arabic, _fold(text))
    for form in DATE_FORMS:
        m = _regexes()[form].fullmatch(s)
        if m:
            return _date_value(text, m.groupdict(), cfg)
    return _error(text, "not a recognised date form")


def _arabic(m: re.Match[str]) -> str:
    """A numeral run in a date as Arabic digits (二○○九 → 2009, 二十 → 20)."""
    value = _to_number(m[0])
    return m[0] if value is None else str(int(value))


def _date_value(text: str, g: dict[str, str | None], cfg: dict[str, Any]) -> dict[str, Any]:
    year, month, day, month_end = (int(g[k]) if g.get(k) else None for k in ("y", "m", "d", "m2"))
    if year is not None and not cfg["min_year"] <= year <= cfg["max_year"]:
        return _error(text, f"year {year} out of range")
    if any(x is not None and not 1 <= x <= 12 for x in (month, month_end)):
        return _error(text, "month out of range")
    if month_end is not None and month is not None and month_end < month:
        return _error(text, "month range ends before it starts")
    if day is not None and month is not None:
        try:
            datetime.date(year or 2000, month, day)  # 2000 is a leap year, so --02-29 passes
        except ValueError:
            return _error(text, "day out of range")
    parts = [str(year) if year is not None else "-"]
    parts += [f"{x:02d}" for x in (month, day) if x is not None]
    granularity = "day" if day is not None else "month" if month is not None else "year"
    out: dict[str, Any] = {"iso": "-".join(parts), "granularity": granularity}
    if month_end is not None:
        out["iso_end"] = f"{year}-{month_end:02d}"
    notes = [cfg["qualifiers"][g["q"]]] if g.get("q") else []
    if year is None:
        notes.append("year not stated")
    if any(notes):
        out["note"] = "; ".join(x for x in notes if x)
    return out

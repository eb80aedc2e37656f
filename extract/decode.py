"""Bytes of a text file → str, with the encoding that was used.

Reports come as UTF-8 (with or without BOM), UTF-16 (with or without BOM), GB2312/GBK/GB18030
and, from Hong Kong, Macao and Taiwan sources, Big5. Order matters because legacy encodings
accept each other's bytes: a byte-order mark decides first, then strict UTF-8 (which other
encodings almost never pass by chance), then UTF-16 without a BOM when its decoding is plausible
text (ASCII every other byte, or almost only CJK and ASCII characters: what GBK or Big5 bytes
read as UTF-16 never are), then a charset the file declares, then the legacy encodings of
``extract.toml`` — when more than one decodes cleanly, charset-normalizer's chaos measure
picks, and ties go to the preference order. Text is never altered after decoding; control
characters (NUL included) are judged by their share, ``max_control_share``.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass

from charset_normalizer import from_bytes

from xxgk.extract.document import ReadError
from xxgk.extract.settings import load_settings

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


def _codec(name: str) -> str | None:
    """Python's name for an encoding (mapped to its superset by the aliases), or None if unknown."""
    aliases = load_settings()["decode"]["aliases"]
    try:
        name = codecs.lookup(name.strip()).name
    except LookupError:
        return None
    return codecs.lookup(aliases.get(name, name)).name


def decode_bytes(data: bytes, declared: str | None = None) -> Decoded:
    """Decode ``data``; ``declared`` is a charset the file names for itself (HTML), if any.

    Raises ReadError for empty input, bytes no candidate decodes, and binary data.
    """
    if not data:
        raise ReadError("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _checked(data, [encoding])
    if (utf16 := _bomless_utf16(data)) is not None:
        return _checked(data, [utf16])
    named = _codec(declared) if declared else None
    preferred = map(_codec, load_settings()["decode"]["encodings"])
    candidates = list(dict.fromkeys(c for c in ("utf-8", named, *preferred) if c))
    return _checked(data, candidates, sure=frozenset(c for c in ("utf-8", named) if c))


def _checked(data: bytes, candidates: list[str], sure: frozenset[str] = frozenset()) -> Decoded:
    """Decode with the first candidate that works if it is a ``sure`` one, else the likeliest."""
    clean: dict[str, str] = {}
    for encoding in candidates:
        try:
            clean[encoding] = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding in sure:
            break
    if not clean:
        raise ReadError(f"undecodable text: not valid as any of {', '.join(candidates)}")
    encoding = next(iter(clean)) if len(clean) == 1 else _least_chaotic(data, list(clean))
    text = clean[encoding]
    controls = sum(1 for c in text if c not in _ALLOWED_CONTROLS and unicodedata.category(c) == "Cc")
    if controls > load_settings()["decode"]["max_control_share"] * len(text):
        raise ReadError(f"binary data, not text ({controls} control characters in {len(text)})")
    return Decoded(text, encoding)


def _plausible(char: str) -> bool:
    return char.isascii() or "\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef"


def _bomless_utf16(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when ``data`` is UTF-16 text without a byte-order mark
    (and not valid UTF-8), else None. Judged on the first 4 KB."""
    if len(data) % 2 or len(data) < 4:
        return None
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    head = data[:4096]
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            sample = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        if sample and sum(map(_plausible, sample)) >= 0.95 * len(sample):
            return encoding
    return None


def _least_chaotic(data: bytes, encodings: list[str]) -> str:
    """Among encodings that all decode ``data``, the one charset-normalizer finds most coherent."""
    matches = from_bytes(data, cp_isolation=encodings)
    scored = {_codec(m.encoding): m.chaos for m in matches}
    return min(encodings, key=lambda e: (scored.get(e, float("inf")), encodings.index(e)))


def looks_traditional(text: str) -> bool:
    """True when the text is written in traditional characters (conversion is not done here)."""
    cfg = load_settings()["decode"]
    traditional = sum(text.count(c) for c in cfg["traditional"])
    simplified = sum(text.count(c) for c in cfg["simplified"])
    return traditional >= cfg["min_traditional"] and traditional > simplified

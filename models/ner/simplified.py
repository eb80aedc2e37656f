"""The characters features are read from: traditional characters as simplified ones (OpenCC t2s),
Kangxi radicals and compatibility ideographs as the characters they stand for.

Reports from Hong Kong, Macao and Taiwan offices, old Big5 archives and mirror sites come in
traditional characters; the training data is mostly simplified. Features computed on the
simplified form let what was learned from one serve the other. Spans still point into the
text as written: the form is used only when OpenCC keeps the length (one character for one,
as t2s nearly always does), so offsets are shared; otherwise the text is read as it is.

Text taken from PDFs often carries look-alikes from the Kangxi radicals block (``进⼀步加强⼯作``
with U+2F00 and U+2F2F for 一 and 工) or the CJK compatibility block: every dictionary word, rule
and character feature misses them. Each is read as its NFKC form, one character for one.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import Any

#: Kangxi radicals and CJK compatibility ideographs → the unified ideograph NFKC gives (one character each).
LOOKALIKES: dict[int, str] = {
    cp: form for cp in (*range(0x2F00, 0x2FD6), *range(0xF900, 0xFB00))
    if len(form := unicodedata.normalize("NFKC", chr(cp))) == 1 and form != chr(cp)
}
_ANY_LOOKALIKE = re.compile(f"[{''.join(map(chr, LOOKALIKES))}]")


@cache
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def without_lookalikes(text: str) -> str:
    """``text`` with every Kangxi radical and compatibility ideograph read as its ideograph (the
    text itself when it has none, as nearly every report: a search is far cheaper than a translate)."""
    return text.translate(LOOKALIKES) if _ANY_LOOKALIKE.search(text) else text


@lru_cache(maxsize=64)
def feature_text(text: str) -> str:
    """``text`` with look-alikes replaced and in simplified characters (the latter only when the
    conversion keeps every offset). Cached: the character CRF and the clause CRF read the same
    unit of text, as :func:`~xxgk.models.ner.features.rule_entities` is cached for its two readers."""
    text = without_lookalikes(text)
    converted = _t2s().convert(text)
    return converted if len(converted) == len(text) else text

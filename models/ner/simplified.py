"""The characters features are read from: traditional characters as simplified ones (OpenCC t2s).

Reports from Hong Kong, Macao and Taiwan offices, old Big5 archives and mirror sites come in
traditional characters; the training data is mostly simplified. Features computed on the
simplified form let what was learned from one serve the other. Spans still point into the
text as written: the form is used only when OpenCC keeps the length (one character for one,
as t2s nearly always does), so offsets are shared; otherwise the text is read as it is.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def feature_text(text: str) -> str:
    """``text`` in simplified characters, or as it is when conversion would move offsets."""
    converted = _t2s().convert(text)
    return converted if len(converted) == len(text) else text

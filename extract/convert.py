"""One input file's bytes → its text, by format: .txt, .html/.htm, .docx, .pdf.

The extension says which converter to use, and the bytes must agree: a ``.txt`` that is
really a ZIP, or a ``.pdf`` that is plain text, is refused with a message saying what the
content is, rather than read as something it is not. Tables become tab-separated lines (one
row a line), the form the section splitter reads. Every failure is a ReadError whose message
names the problem; library exceptions from damaged files are turned into it here, at the
boundary.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import docx
import pdfplumber
from docx.table import Table

from xxgk.extract.decode import decode_bytes
from xxgk.extract.document import ReadError
from xxgk.extract.filetype import check_type
from xxgk.extract.htmltext import declared_charset, html_to_text


@dataclass(frozen=True)
class Converted:
    text: str
    format: str  # txt, html, docx or pdf
    encoding: str | None  # for txt and html; docx and pdf carry their own


def convert(name: str, data: bytes) -> Converted:
    """The text of file ``name`` whose content is ``data``; ReadError says why not."""
    return _CONVERTERS[check_type(name, data)](data)


def _txt(data: bytes) -> Converted:
    decoded = decode_bytes(data)
    return Converted(decoded.text, "txt", decoded.encoding)


def _html(data: bytes) -> Converted:
    decoded = decode_bytes(data, declared_charset(data))
    return Converted(html_to_text(decoded.text), "html", decoded.encoding)


def _docx(data: bytes) -> Converted:
    """Paragraphs and tables in document order; a table row is one line of tab-separated cells."""
    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                lines.extend(_docx_rows(item))
            else:
                lines.append(item.text)
    except Exception as err:  # python-docx/lxml raise many types for a damaged package
        raise ReadError(f"not a readable .docx ({type(err).__name__}: {err})") from err
    return Converted("\n".join(lines), "docx", None)


def _docx_rows(table: Table) -> list[str]:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is returned once per grid column it spans
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split("\n")).replace("\t", " "))
        rows.append("\t".join(cells))
    return rows


def _pdf(data: bytes) -> Converted:
    """The text layer, page by page; a PDF without one (a scan) is refused, not OCR'd."""
    pages: list[str] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                pages.append(page.extract_text() or "")
                page.close()
    except Exception as err:  # pdfminer raises many types for a damaged or encrypted file
        raise ReadError(f"not a readable PDF ({type(err).__name__}: {err})") from err
    text = "\n".join(pages)
    if not text.strip():
        pages_note = f"{len(pages)} page(s), scanned or image-only?"
        raise ReadError(f"PDF has no text layer ({pages_note}); OCR is not done")
    return Converted(text, "pdf", None)


_CONVERTERS: dict[str, Callable[[bytes], Converted]] = {
    "txt": _txt, "html": _html, "docx": _docx, "pdf": _pdf,
}

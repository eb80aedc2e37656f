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
from pathlib import PurePosixPath

import docx
import pdfplumber
from docx.table import Table

from xxgk.extract.decode import decode_bytes
from xxgk.extract.document import ReadError
from xxgk.extract.htmltext import declared_charset, html_to_text
from xxgk.extract.settings import load_settings

# Leading bytes of binary formats, to catch files whose extension lies.
_MAGIC = (
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"Rar!\x1a\x07", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
)
_DESCRIPTION = {
    "pdf": "a PDF", "tar": "a tar archive", "zip": "a ZIP archive (or .docx)",
    "ole": "an OLE2 file (old .doc/.xls/.wps)", "gzip": "gzip data", "bzip2": "bzip2 data",
    "xz": "xz data", "rar": "a RAR archive", "7z": "a 7z archive", "png": "a PNG image",
    "jpeg": "a JPEG image", "gif": "a GIF image", None: "text",
}
# The signature each binary format must have; text formats must have none.
_EXPECTED = {"pdf": "pdf", "docx": "zip"}


@dataclass(frozen=True)
class Converted:
    text: str
    format: str  # txt, html, docx or pdf
    encoding: str | None  # for txt and html; docx and pdf carry their own


def sniff(data: bytes) -> str | None:
    """Which binary format the bytes are (pdf, zip, ole, png…) by signature; None for text."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data[257:262] == b"ustar":
        return "tar"
    return next((kind for magic, kind in _MAGIC if data.startswith(magic)), None)


def format_of(name: str) -> str:
    """The converter for a file name, by extension; ReadError if none handles it."""
    suffix = PurePosixPath(name).suffix.lower()
    fmt = load_settings()["formats"].get(suffix)
    if fmt is None:
        raise ReadError(f"unsupported file type {suffix or '(no extension)'}")
    return fmt


def convert(name: str, data: bytes) -> Converted:
    """The text of file ``name`` whose content is ``data``; ReadError says why not."""
    fmt = format_of(name)
    if not data:
        raise ReadError("empty file")
    found = sniff(data)
    if found != _EXPECTED.get(fmt):
        suffix = PurePosixPath(name).suffix
        raise ReadError(f"content is {_DESCRIPTION[found]}, not what the extension {suffix} says")
    return _CONVERTERS[fmt](data)


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

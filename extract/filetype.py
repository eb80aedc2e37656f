"""What kind of file a name and its first bytes say it is, before anything is read whole.

The extension says which converter reads a file; the leading bytes must agree (a ``.txt`` that is
really a ZIP, a ``.pdf`` that is plain text). Both are known from a file's first kilobytes, so a
walker can refuse a large archive member without reading it (``HEAD_BYTES``).
"""

from __future__ import annotations

from pathlib import PurePosixPath

from xxgk.extract.document import ReadError
from xxgk.extract.settings import load_settings

#: Bytes enough to tell a file's type.
HEAD_BYTES = 4096

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


def check_type(name: str, head: bytes) -> str:
    """The format of file ``name`` whose content starts with ``head`` (its first ``HEAD_BYTES``
    or more); ReadError when no converter handles the name, it is empty, or the bytes disagree."""
    fmt = format_of(name)
    if not head:
        raise ReadError("empty file")
    found = sniff(head)
    if found != _EXPECTED.get(fmt):
        suffix = PurePosixPath(name).suffix
        raise ReadError(f"content is {_DESCRIPTION[found]}, not what the extension {suffix} says")
    return fmt

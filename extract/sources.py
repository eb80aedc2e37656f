"""Walk inputs — files, folders (recursively), glob patterns, .zip and .tar(.gz/.bz2/.xz)
archives, archives inside archives — and yield each document file's bytes, one at a time.

A document's id is its path relative to the input it was found under, with ``/`` separators;
an archive member's id continues through the archive: ``reports.zip/2019/a.pdf``,
``batch.tar.gz/inner.zip/a.txt``. Nothing is loaded beyond the one member being yielded:
tar archives are read as a stream, zip archives member by member (a nested archive is one
member, so it is read whole and walked from memory).

Nothing is dropped silently either: an input that does not exist, an archive that is damaged
or truncated, a member too large or encrypted, a file that is not a regular file (a named pipe,
a socket, a device: reading one could block forever), a symlinked folder already walked (a
loop), is yielded as a ReadFailure naming it, and the walk goes on. Only names listed under
``ignore`` in ``extract.toml`` (operating-system litter such as ``__MACOSX``) are skipped.

An input that exists is taken literally, even when its name looks like a glob (``report[1].txt``).
When two inputs hold the same relative path (``in/A/report.txt``, ``in/B/report.txt``), the
second gets the input's own name in front (``B/report.txt``), so both are read and named.
"""

from __future__ import annotations

import glob
import io
import itertools
import lzma
import os
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath
from typing import IO

from xxgk.extract.document import ReadError, ReadFailure
from xxgk.extract.filetype import HEAD_BYTES, check_type
from xxgk.extract.settings import load_settings

# What a damaged archive raises while it is read: zipfile and tarfile let the decompressors'
# errors through, and report unsupported compression methods as NotImplementedError.
_ARCHIVE_ERRORS = (
    zipfile.BadZipFile, tarfile.TarError, EOFError, OSError, ValueError, NotImplementedError,
    zlib.error, lzma.LZMAError,
)


@dataclass(frozen=True)
class Source:
    """One document file found in the inputs, with its bytes."""

    doc_id: str  # path relative to its input; archive members as archive.zip/inner/path
    path: str  # the file on disk the bytes come from (the outermost archive, for members)
    archive: str | None  # doc_id-style path of the innermost archive holding it, if any
    data: bytes

    @property
    def name(self) -> str:
        return PurePosixPath(self.doc_id).name


def iter_sources(inputs: Iterable[str]) -> Iterator[Source | ReadFailure]:
    """Every document file under ``inputs``, lazily, in a stable (sorted) order."""
    owners: dict[str, str] = {}  # doc_id → the file on disk it names
    for spec in inputs:
        found = False
        for item in _expand(spec):
            found = True
            if isinstance(item, ReadFailure):
                yield item
                continue
            path, rel = item
            doc_id = _distinct(rel, str(path), spec, owners)
            yield from _from_file(path, doc_id)
        if not found:
            yield ReadFailure(spec, _nothing_found(spec))


def _distinct(rel: str, path: str, spec: str, owners: dict[str, str]) -> str:
    """``rel``, or — when another file already has that id — the input's name in front of it
    (then a number), so that no two files share an id. The same file again keeps its id."""
    label = Path(spec.rstrip("/\\")).name or spec
    candidates = itertools.chain([rel, f"{label}/{rel}"], (f"{label}~{n}/{rel}" for n in itertools.count(2)))
    for doc_id in candidates:
        if owners.setdefault(doc_id, path) == path:
            return doc_id
    raise AssertionError("unreachable")


def _nothing_found(spec: str) -> str:
    if Path(spec).is_dir():
        return "folder holds no files (or only ignored names)"
    if glob.has_magic(spec):
        return "pattern matched no file"
    return "no such file or folder"


Found = tuple[Path, str] | ReadFailure


def _expand(spec: str) -> Iterator[Found]:
    """``(file, id)`` for an input: a file (id: its name), a folder or a glob (ids relative to
    the folder, or to the part of the pattern before its first wildcard). A path that exists is
    taken literally before it is read as a pattern."""
    path = Path(spec)
    if path.is_dir():
        yield from _walk(path, path)
    elif os.path.lexists(spec):
        yield path, path.name
    elif glob.has_magic(spec):
        parts = PurePosixPath(spec.replace(os.sep, "/")).parts
        root = Path(*itertools.takewhile(lambda part: not glob.has_magic(part), parts))
        for match in sorted(glob.glob(spec, recursive=True)):
            yield from _walk(Path(match), root)


def _walk(path: Path, root: Path) -> Iterator[Found]:
    """The files under a folder, following symlinked folders once each (a link back to a folder
    already walked is reported, not walked: no loops)."""
    if not path.is_dir():
        if not _ignored(path.name):
            yield path, path.relative_to(root).as_posix() if path != root else path.name
        return
    seen = {os.path.realpath(path)}
    for folder, dirs, files in os.walk(path, followlinks=True):
        keep = []
        for d in sorted(d for d in dirs if not _ignored(d)):
            real = os.path.realpath(os.path.join(folder, d))
            if real in seen:
                rel = Path(folder, d).relative_to(root).as_posix()
                yield ReadFailure(rel, f"symlinked folder leads back to a folder already walked ({real}), not walked")
            else:
                seen.add(real)
                keep.append(d)
        dirs[:] = keep
        for name in sorted(files):
            if not _ignored(name):
                file = Path(folder, name)
                yield file, file.relative_to(root).as_posix()


def _ignored(name: str) -> bool:
    return any(fnmatch(name, pattern) for pattern in load_settings()["sources"]["ignore"])


def _is_archive(name: str) -> bool:
    return name.lower().endswith(tuple(load_settings()["sources"]["archives"]))


def _from_file(path: Path, rel: str) -> Iterator[Source | ReadFailure]:
    limit = load_settings()["sources"]["max_bytes"]
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # opening a named pipe would block forever
            yield ReadFailure(rel, f"not a regular file ({_kind(info.st_mode)}), not read")
            return
        if _is_archive(path.name):  # streamed, so any size will do
            with path.open("rb") as fh:
                yield from _members(fh, rel, str(path), depth=1)
            return
        size = info.st_size
        if size > limit:
            yield ReadFailure(rel, f"file too large ({size} bytes, limit {limit})")
            return
        with path.open("rb") as fh:
            data = _read_checked(fh, rel, limit)
    except OSError as err:
        yield ReadFailure(rel, f"cannot read file ({err.strerror or err})")
        return
    yield data if isinstance(data, ReadFailure) else Source(rel, str(path), None, data)


def _read_checked(fh: IO[bytes], name: str, limit: int) -> bytes | ReadFailure:
    """The bytes of a document file, read whole only once its name and first bytes say it is a
    type xxgk reads (a 200 MB image in an archive is refused after 4 KB), and up to ``limit``."""
    head = fh.read(HEAD_BYTES)
    if not head:
        return head  # empty: the converter says so, as for any file
    try:
        check_type(name, head)
    except ReadError as err:
        return ReadFailure(name, f"{err}, not read")
    data = head + fh.read(limit + 1 - len(head))
    if len(data) > limit:  # the size stated beforehand was too small
        return ReadFailure(name, f"too large (over {limit} bytes)")
    return data


def _kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return kind
    return "not a plain file"


def _members(fh: IO[bytes], rel: str, path: str, depth: int) -> Iterator[Source | ReadFailure]:
    """The members of archive ``rel`` (open as ``fh``), walking nested archives."""
    if rel.lower().endswith(".zip"):
        items = _zip_members(fh, rel)
    else:
        items = _tar_members(fh, rel)
    max_nesting = load_settings()["sources"]["max_nesting"]
    for item in items:
        if isinstance(item, ReadFailure):
            yield item
            continue
        member_id, data = item
        if not _is_archive(member_id):
            yield Source(member_id, path, rel, data)
        elif depth >= max_nesting:
            yield ReadFailure(member_id, f"archive nested deeper than {max_nesting} levels, not walked")
        else:
            yield from _members(io.BytesIO(data), member_id, path, depth + 1)


def _zip_members(fh: IO[bytes], rel: str) -> Iterator[tuple[str, bytes] | ReadFailure]:
    limit = load_settings()["sources"]["max_bytes"]
    try:
        archive = zipfile.ZipFile(fh)
    except _ARCHIVE_ERRORS as err:
        yield ReadFailure(rel, f"not a readable zip archive: damaged, truncated or no zip ({_why(err)})")
        return
    with archive:
        for info in archive.infolist():
            name = _zip_name(info)
            member_id = f"{rel}/{name.lstrip('/')}"
            if info.is_dir() or any(_ignored(part) for part in PurePosixPath(name).parts):
                continue
            if info.flag_bits & 0x1:
                yield ReadFailure(member_id, "encrypted zip member, not read")
            elif info.file_size > limit:
                yield ReadFailure(member_id, f"member too large ({info.file_size} bytes, limit {limit})")
            else:
                yield _zip_read(archive, info, member_id, limit)


def _zip_read(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, member_id: str, limit: int
) -> tuple[str, bytes] | ReadFailure:
    try:
        with archive.open(info) as member:
            data = member.read(limit + 1) if _is_archive(member_id) else _read_checked(member, member_id, limit)
    except _ARCHIVE_ERRORS as err:
        return ReadFailure(member_id, f"damaged zip member ({_why(err)})")
    if isinstance(data, ReadFailure):
        return data
    if len(data) > limit:  # the header understated the size
        return ReadFailure(member_id, f"member too large (over {limit} bytes)")
    return member_id, data


def _zip_name(info: zipfile.ZipInfo) -> str:
    """The member's name, ``/``-separated. Zips made on Chinese Windows store GBK names
    without the UTF-8 flag, which zipfile then reads as cp437: read those bytes again."""
    name = info.filename
    if not info.flag_bits & 0x800:
        raw = name.encode("cp437")
        for encoding in ("utf-8", "gb18030"):
            try:
                name = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    return name.replace("\\", "/")


def _tar_members(fh: IO[bytes], rel: str) -> Iterator[tuple[str, bytes] | ReadFailure]:
    limit = load_settings()["sources"]["max_bytes"]
    count = 0
    try:
        with tarfile.open(fileobj=fh, mode="r|*") as archive:
            for info in archive:
                name = info.name.lstrip("/").removeprefix("./")
                member_id = f"{rel}/{name}"
                if info.isdir() or any(_ignored(part) for part in PurePosixPath(name).parts):
                    continue
                if not info.isfile():
                    yield ReadFailure(member_id, "not a regular file (link or device), not read")
                elif info.size > limit:
                    yield ReadFailure(member_id, f"member too large ({info.size} bytes, limit {limit})")
                else:
                    member = archive.extractfile(info)
                    if member is None:
                        yield member_id, b""
                    elif _is_archive(member_id):
                        yield member_id, member.read()
                    else:
                        data = _read_checked(member, member_id, limit)
                        yield data if isinstance(data, ReadFailure) else (member_id, data)
                count += 1
    except _ARCHIVE_ERRORS as err:
        where = f"after {count} member(s)" if count else "before any member"
        yield ReadFailure(rel, f"damaged or truncated tar archive, stopped {where} ({_why(err)})")


def _why(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}"

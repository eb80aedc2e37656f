"""Inputs in, Documents out: ``read_documents`` walks, decodes, converts and splits, lazily.

It yields one item per document file found — a :class:`Document`, or a :class:`ReadFailure`
naming the file and the reason — so a runner can stream any number of inputs through a model
and writers, and report every file it could not read. ``read_source`` does the work for one
file and is a plain function of its input, so the same step runs in local processes or Dask.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from xxgk.extract.convert import convert
from xxgk.extract.decode import looks_traditional
from xxgk.extract.document import Document, ReadError, ReadFailure
from xxgk.extract.meta import report_meta
from xxgk.extract.sections import split_sections
from xxgk.extract.sources import Source, iter_sources
from xxgk.records import text_sha256


def read_source(source: Source) -> Document:
    """One file's Document; raises ReadError (empty, undecodable, wrong type…) with the reason."""
    converted = convert(source.name, source.data)
    text = converted.text
    if not text.strip():
        raise ReadError(f"no text in this {converted.format} file (blank)")
    blocks = split_sections(text)
    meta = {
        "source": source.path,
        "archive": source.archive,
        "format": converted.format,
        "encoding": converted.encoding,
        "text_sha256": text_sha256(text),
        "traditional": looks_traditional(text),
        **report_meta(text, blocks),
    }
    return Document(source.doc_id, text, blocks, meta)


def read_documents(inputs: Iterable[str]) -> Iterator[Document | ReadFailure]:
    """A Document or a ReadFailure for every file under ``inputs`` (files, folders, globs,
    archives), in a stable order, duplicates flagged with ``meta["duplicate_of"]``."""
    return flag_duplicates(_read_each(inputs))


def _read_each(inputs: Iterable[str]) -> Iterator[Document | ReadFailure]:
    for item in iter_sources(inputs):
        if isinstance(item, ReadFailure):
            yield item
            continue
        try:
            yield read_source(item)
        except ReadError as err:
            yield ReadFailure(item.doc_id, str(err))


def flag_duplicates(items: Iterable[Document | ReadFailure]) -> Iterator[Document | ReadFailure]:
    """Pass items through, marking each Document whose text was seen before with
    ``meta["duplicate_of"]`` = the first doc_id with that text. Nothing is dropped: whether a
    copy is skipped, kept or reported is the consumer's choice."""
    first: dict[str, str] = {}
    for item in items:
        if isinstance(item, Document):
            sha = item.meta["text_sha256"]
            if sha in first:
                item.meta["duplicate_of"] = first[sha]
            else:
                first[sha] = item.doc_id
        yield item

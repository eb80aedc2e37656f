"""Read, write and validate stand-off JSONL (gold or predictions), as the schema specifies.

Validation never stops at the first problem and never drops anything silently: it returns every
:class:`Problem`, each naming the file, line, doc_id and span concerned.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from xxgk.corpus import Corpus, CorpusError
from xxgk.errors import InputError
from xxgk.records import AnnotatedDoc, Entity, text_sha256
from xxgk.schema import Schema, load_schema


@dataclass(frozen=True)
class Problem:
    kind: str
    message: str
    file: str = ""
    line: int = 0
    doc_id: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.file and self.line else self.file
        doc = f" doc {self.doc_id}" if self.doc_id else ""
        return f"{where}{doc}: [{self.kind}] {self.message}"


class StandoffError(InputError):
    """Raised by :func:`load_docs` when a file has problems; carries all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(str(p) for p in problems[:20])
        more = f"\n… and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} problem(s):\n{shown}{more}")


def jsonl_files(path: str | Path) -> list[Path]:
    """A JSONL file, or every ``*.jsonl`` in a folder (sorted)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.jsonl"))
        if not files:
            raise StandoffError([Problem("input", "folder holds no .jsonl file", str(path))])
        return files
    if not path.exists():
        raise FileNotFoundError(f"no such file or folder: {path}")
    return [path]


def read_records(path: str | Path) -> Iterator[tuple[Path, int, AnnotatedDoc | Problem]]:
    """Yield ``(file, line_no, doc_or_problem)`` for every non-empty line."""
    for file in jsonl_files(path):
        with file.open("rb") as fh:
            for n, raw in enumerate(fh, 1):
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as err:
                    raise StandoffError([Problem("encoding", f"not UTF-8 text ({err.reason}): a binary file, or "
                                                 "another encoding, not JSON Lines", str(file), n)]) from None
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as err:
                    yield file, n, Problem("json", f"invalid JSON: {err.msg}", str(file), n)
                    continue
                if not isinstance(data, dict):
                    yield file, n, Problem("format", "line is not a JSON object", str(file), n)
                    continue
                try:
                    yield file, n, AnnotatedDoc.from_dict(data)
                except (ValueError, KeyError, TypeError) as err:
                    doc_id = data.get("doc_id", "") if isinstance(data.get("doc_id"), str) else ""
                    yield file, n, Problem("format", str(err), str(file), n, doc_id)


def _span(e: Entity) -> str:
    return f"{e.id} [{e.start}:{e.end}] {e.label} {e.text!r}"


def check_doc(doc: AnnotatedDoc, text: str, schema: Schema) -> list[tuple[str, str]]:
    """Every problem of one document against its text, as ``(kind, message)`` pairs."""
    out: list[tuple[str, str]] = []
    if doc.text_sha256 != text_sha256(text):
        out.append(("hash", "text_sha256 does not match the corpus text (made on another text?)"))
    labels = set(schema.entity_labels)
    seen: dict[str, Entity] = {}
    for e in doc.entities:
        if e.id in seen:
            out.append(("duplicate-id", f"entity id {e.id!r} used twice"))
        seen[e.id] = e
        if e.label not in labels:
            out.append(("label", f"unknown entity label in {_span(e)}"))
        if not 0 <= e.start < e.end <= len(text):
            out.append(("offsets", f"offsets out of range (text has {len(text)} chars) in {_span(e)}"))
            continue
        if text[e.start:e.end] != e.text:
            out.append(("slice", f"slice is {text[e.start:e.end]!r}, not the entity text, in {_span(e)}"))
        elif schema.bad_edge(e.text):
            out.append(("edge", f"span starts or ends on whitespace or punctuation in {_span(e)}"))
    ordered = sorted((e for e in doc.entities if e.start < e.end), key=lambda e: (e.start, e.end))
    for a, b in pairwise(ordered):
        if b.start < a.end:
            out.append(("overlap", f"entities overlap: {_span(a)} and {_span(b)}"))
    rel_seen = set()
    for r in doc.relations:
        key = (r.head, r.tail, r.label)
        if key in rel_seen:
            out.append(("duplicate-relation", f"relation {r.head} {r.label} {r.tail} given twice"))
        rel_seen.add(key)
        if r.label not in schema.relation_labels:
            out.append(("relation-label", f"unknown relation label {r.label!r} ({r.head} → {r.tail})"))
            continue
        head, tail = seen.get(r.head), seen.get(r.tail)
        if head is None or tail is None:
            missing = r.head if head is None else r.tail
            out.append(("dangling", f"relation {r.head} {r.label} {r.tail} names unknown entity {missing!r}"))
            continue
        want = schema.relation(r.label)
        if (head.label, tail.label) != (want.head, want.tail):
            out.append((
                "relation-args",
                f"{r.label} needs {want.head} → {want.tail}, got {head.label} → {tail.label} "
                f"({_span(head)} → {_span(tail)})",
            ))
    return out


def validate(
    path: str | Path, corpus: Corpus, schema: Schema | None = None
) -> tuple[list[AnnotatedDoc], list[Problem]]:
    """Parse and check a JSONL file (or folder of them) against a corpus; return docs and problems."""
    schema = schema or load_schema()
    docs: list[AnnotatedDoc] = []
    problems: list[Problem] = []
    first_seen: dict[str, str] = {}
    for file, n, rec in read_records(path):
        if isinstance(rec, Problem):
            problems.append(rec)
            continue
        where = f"{file}:{n}"
        if rec.doc_id in first_seen:
            problems.append(
                Problem("duplicate-doc", f"doc_id also at {first_seen[rec.doc_id]}", str(file), n, rec.doc_id)
            )
            continue
        first_seen[rec.doc_id] = where
        try:
            text = corpus.text(rec.doc_id)
        except CorpusError as err:
            problems.append(Problem("unknown-doc", str(err), str(file), n, rec.doc_id))
            continue
        found = check_doc(rec, text, schema)
        problems.extend(Problem(kind, msg, str(file), n, rec.doc_id) for kind, msg in found)
        docs.append(rec)
    return docs, problems


def load_docs(path: str | Path, corpus: Corpus, schema: Schema | None = None) -> list[AnnotatedDoc]:
    """Validated documents; raises :class:`StandoffError` listing every problem if any."""
    docs, problems = validate(path, corpus, schema)
    if problems:
        raise StandoffError(problems)
    return docs


def write_docs(docs: Iterable[AnnotatedDoc], path: str | Path) -> int:
    """Write JSONL atomically (temp file in the same folder, then rename). Returns lines written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for doc in docs:
                fh.write(json.dumps(doc.to_dict(), ensure_ascii=False) + "\n")
                count += 1
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count

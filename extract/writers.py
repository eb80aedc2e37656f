"""The final files of ``xxgk extract``: JSONL and Parquet tables, each written atomically.

``consolidate`` reads the run's outcomes once, in doc_id order, and streams them into every
output at the same time, so memory stays flat in the number of documents and each file is a
pure function of the outcomes (a killed and resumed run writes the same bytes as an
uninterrupted one). Every file is written under a temporary name and renamed into place when
complete, so a reader never sees half a file.

| file | rows |
|---|---|
| ``documents.jsonl`` | one JSON object per document (metadata, sections, entities, relations, facts, tables) |
| ``errors.jsonl`` / ``duplicates.jsonl`` | every input that failed (path, stage, reason) / every copy skipped |
| ``documents.parquet`` | one row per document (metadata, counts, sections) |
| ``entities.parquet`` / ``relations.parquet`` | one row per entity / relation, with its ``doc_id`` |
| ``facts.parquet`` | one row per QUANTITY (see :mod:`xxgk.extract.facts`) with doc_id, agency, year |
| ``tables.parquet`` | one row per official cell of the statistical tables (see :mod:`xxgk.extract.tables`) |
| ``errors.parquet`` / ``duplicates.parquet`` | as the JSONL files |
| ``summary.json`` | counts per label and a few facts rows |
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from xxgk.atomic import atomic_path
from xxgk.extract.tables import to_rows

FORMATS = ("jsonl", "parquet", "both")
# The three kinds of outcome and the files (and Summary counts) they go to.
FILE_OF_KIND = {"document": "documents", "error": "errors", "duplicate": "duplicates"}


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")


def json_line(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False) + "\n"


_str, _int, _float = pa.string(), pa.int64(), pa.float64()
SCHEMAS: dict[str, pa.Schema] = {
    "documents": pa.schema([
        ("doc_id", _str), ("source", _str), ("archive", _str), ("sha256", _str), ("text_sha256", _str),
        ("encoding", _str), ("format", _str), ("title", _str), ("agency", _str), ("year", _int),
        ("traditional", pa.bool_()), ("simplified", pa.bool_()), ("chars", _int), ("model", _str),
        ("entities", _int), ("relations", _int), ("facts", _int),
        ("sections", pa.list_(pa.struct([("kind", _str), ("start", _int), ("end", _int), ("heading", _str)]))),
    ]),
    "entities": pa.schema([
        ("doc_id", _str), ("id", _str), ("label", _str), ("start", _int), ("end", _int), ("text", _str),
        ("score", _float), ("norm", _str),  # norm as a JSON object (DuckDB: json_extract)
    ]),
    "relations": pa.schema([
        ("doc_id", _str), ("label", _str), ("head", _str), ("tail", _str), ("score", _float),
        ("head_label", _str), ("head_text", _str), ("tail_label", _str), ("tail_text", _str),
    ]),
    "facts": pa.schema([
        ("doc_id", _str), ("agency", _str), ("year", _int), ("quantity_id", _str), ("quantity", _str),
        ("start", _int), ("end", _int), ("value", _float), ("value_max", _float), ("unit", _str),
        ("approx", _str), ("kind", _str), ("norm_error", _str), ("item", _str), ("channels", pa.list_(_str)),
        ("date", _str), ("date_text", _str), ("date_from", _str),
    ]),
    "tables": pa.schema([
        ("doc_id", _str), ("agency", _str), ("year", _int), ("format", _str), ("table", _str), ("section", _str),
        ("row", _str), ("column", _str), ("value", _float), ("unit", _str), ("text", _str), ("start", _int),
        ("end", _int), ("reason", _str),
    ]),
    "errors": pa.schema([("path", _str), ("stage", _str), ("reason", _str)]),
    "duplicates": pa.schema([("doc_id", _str), ("duplicate_of", _str), ("sha256", _str)]),
}


def _norm_json(entity: dict[str, Any]) -> str | None:
    return json.dumps(entity["norm"], ensure_ascii=False, sort_keys=True) if "norm" in entity else None


def document_tables(record: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """A document's JSON record as rows of the documents, entities, relations, facts and tables
    tables."""
    doc_id, entities = record["doc_id"], record["entities"]
    by_id = {e["id"]: e for e in entities}
    doc_row = {name: record.get(name) for name in SCHEMAS["documents"].names}
    doc_row.update(entities=len(entities), relations=len(record["relations"]), facts=len(record["facts"]))
    relations = []
    for rel in record["relations"]:
        head, tail = by_id.get(rel["head"], {}), by_id.get(rel["tail"], {})
        relations.append({**rel, "doc_id": doc_id, "score": rel.get("score"),
                          "head_label": head.get("label"), "head_text": head.get("text"),
                          "tail_label": tail.get("label"), "tail_text": tail.get("text")})
    return {
        "documents": [doc_row],
        "entities": [{**e, "doc_id": doc_id, "score": e.get("score"), "norm": _norm_json(e)} for e in entities],
        "relations": relations,
        "facts": [{**f, "doc_id": doc_id, "agency": record["agency"], "year": record["year"]}
                  for f in record["facts"]],
        "tables": [{**row, "doc_id": doc_id, "agency": record["agency"], "year": record["year"]}
                   for row in to_rows(record["tables"])],
    }


class ParquetSink:
    """Rows in, a Parquet file out, one row group per ``rows_per_group`` rows."""

    def __init__(self, path: Path, schema: pa.Schema, rows_per_group: int):
        self.schema, self.rows_per_group = schema, rows_per_group
        self.writer = pq.ParquetWriter(path, schema)
        self.rows: list[dict[str, Any]] = []

    def write(self, rows: list[dict[str, Any]]) -> None:
        self.rows.extend(rows)
        if len(self.rows) >= self.rows_per_group:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.writer.write_table(pa.Table.from_pylist(self.rows, schema=self.schema))
            self.rows = []

    def close(self) -> None:
        self.flush()
        self.writer.close()


@dataclass
class Summary:
    """What a run produced: counts per kind and label, characters read, a few facts rows."""

    documents: int = 0
    errors: int = 0
    duplicates: int = 0
    chars: int = 0
    entities: dict[str, int] = field(default_factory=dict)
    relations: dict[str, int] = field(default_factory=dict)
    facts: int = 0
    sample_facts: list[dict[str, Any]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def consolidate(
    outcomes: Iterable[tuple[str, dict[str, Any]]], out: Path, fmt: str, *,
    rows_per_group: int, sample_facts: int,
) -> Summary:
    """Write the final files of ``out`` from ``(kind, record)`` outcomes given in doc_id order.

    ``fmt`` ("jsonl", "parquet" or "both") chooses documents.jsonl and/or the Parquet tables;
    errors.jsonl, duplicates.jsonl and summary.json are always written.
    """
    check_format(fmt)
    summary, entities, relations = Summary(), Counter[str](), Counter[str]()
    with ExitStack() as stack:
        def open_file(name: str) -> Path:
            summary.files.append(name)
            return stack.enter_context(atomic_path(out / name))

        jsonl = {name: open_file(f"{name}.jsonl").open("w", encoding="utf-8")
                 for name in FILE_OF_KIND.values() if name != "documents" or fmt != "parquet"}
        for fh in jsonl.values():
            stack.callback(fh.close)
        tables: dict[str, ParquetSink] = {}
        if fmt != "jsonl":
            tables = {name: ParquetSink(open_file(f"{name}.parquet"), schema, rows_per_group)
                      for name, schema in SCHEMAS.items()}
            for sink in tables.values():
                stack.callback(sink.close)
        for kind, record in outcomes:
            plural = FILE_OF_KIND[kind]
            if plural in jsonl:
                jsonl[plural].write(json_line(record))
            if kind == "document":
                summary.documents += 1
                summary.chars += record["chars"]
                entities.update(e["label"] for e in record["entities"])
                relations.update(r["label"] for r in record["relations"])
                rows = document_tables(record)
                summary.facts += len(rows["facts"])
                summary.sample_facts.extend(rows["facts"][: sample_facts - len(summary.sample_facts)])
            else:
                setattr(summary, plural, getattr(summary, plural) + 1)
                rows = {plural: [record]}
            for name, table_rows in rows.items():
                if name in tables:
                    tables[name].write(table_rows)
        summary.entities = dict(sorted(entities.items()))
        summary.relations = dict(sorted(relations.items()))
        open_file("summary.json").write_text(json.dumps(summary.to_dict(), ensure_ascii=False, indent=1) + "\n",
                                             encoding="utf-8")
    return summary

"""The unit of work of ``xxgk extract``: a list of sources in, one outcome per source out.

``process_batch`` is the one function every engine runs — in the calling process, in local
worker processes, or on Dask workers — so every engine gives the same results. It is a plain
function of plain, picklable data. Each process loads a model once (``worker_model`` caches it),
and this module imports nothing heavy at import time, so a worker can set ``OMP_NUM_THREADS``
before numpy is loaded (one thread per process is faster than several processes contending
for threads; see the environment facts).

A source that cannot be read, or that makes the model raise, becomes an ``error`` outcome
naming it and the batch goes on; only a model that cannot be loaded stops the batch.

No document can sink its batch: one longer than ``[runner] part_chars`` is read by the model
part by part (cut at line or sentence ends; :mod:`xxgk.extract.long_docs`), after the rest of
the batch, with the time budget ``[runner] doc_seconds`` checked after each part. So a long
report costs time in proportion to its length, holds the memory of one part, and becomes an
error row naming the budget if it is too slow, while the batch's other documents are written.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from functools import cache
from typing import Any

from xxgk.extract.document import Document, ReadError
from xxgk.extract.facts import quantity_facts
from xxgk.extract.long_docs import Budget, predict_in_parts
from xxgk.extract.read import read_source
from xxgk.extract.settings import load_settings
from xxgk.extract.simplify import Simplified, map_back
from xxgk.extract.simplify import simplify as to_simplified
from xxgk.extract.sources import Source
from xxgk.extract.tables import read_tables
from xxgk.records import AnnotatedDoc

# An outcome: ("document", record) | ("error", {"path", "stage", "reason"}).
Outcome = tuple[str, dict[str, Any]]


def bytes_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@cache
def worker_model(model: str) -> Any:
    """The model of this process, loaded on first use (``model``: a resolved name or path)."""
    from xxgk.models.registry import load_model

    return load_model(model)


def init_worker(model: str) -> None:
    """Initializer of a local worker process: one BLAS/OpenMP thread, the model loaded once,
    and an exit when the parent is gone."""
    os.environ["OMP_NUM_THREADS"] = "1"
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    worker_model(model)


def _exit_with_parent(parent: int) -> None:
    """A pool worker waiting for work never notices that its parent was killed (SIGKILL): it
    would wait forever, holding a model in memory. Once re-parented, it exits."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def process_batch(sources: list[Source], model: str, simplify: bool = False) -> list[Outcome]:
    """One outcome per source, in order. The readable documents go through the model together
    (a batch is faster than one at a time). ``simplify``: reports in traditional characters are
    read by the model in simplified ones (:mod:`xxgk.extract.simplify`)."""
    loaded = worker_model(model) if sources else None
    read: list[Document | Outcome] = [_read(source) for source in sources]
    docs = [item for item in read if isinstance(item, Document)]
    found = iter(annotate(loaded, docs, simplify))
    outcomes = []
    for source, item in zip(sources, read, strict=True):
        if not isinstance(item, Document):
            outcomes.append(item)
            continue
        annotated, converted = next(found)
        if isinstance(annotated, Exception):  # the model failed on this document
            outcomes.append(_error(source.doc_id, "model", annotated))
            continue
        try:
            outcomes.append(("document", document_record(item, annotated, converted, bytes_sha256(source.data),
                                                         loaded.name)))
        except Exception as err:  # likewise the table reader or the facts on one document
            outcomes.append(_error(source.doc_id, "model", err))
    return outcomes


def _error(path: str, stage: str, err: BaseException) -> Outcome:
    reason = str(err) if isinstance(err, ReadError) else f"{type(err).__name__}: {err}"
    return "error", {"path": path, "stage": stage, "reason": reason}


def _read(source: Source) -> Document | Outcome:
    try:
        return read_source(source)
    except Exception as err:  # a damaged file must not stop the run: report it, go on
        return _error(source.doc_id, "read", err)


Annotation = tuple[AnnotatedDoc | Exception, Simplified | None]


def annotate(model: Any, docs: list[Document], simplify: bool) -> list[Annotation]:
    """The model's record of each document (offsets into the text as read) and its simplified
    text if it was converted. Documents up to ``part_chars`` go through one ``predict`` together,
    and if that raises, one at a time, so that only a document the model fails on becomes an
    exception; longer ones are read in parts, each within its time budget."""
    cfg = load_settings()["runner"]
    converted = [to_simplified(d.text) if simplify and d.meta["traditional"] else None for d in docs]
    texts = [c.text if c else d.text for d, c in zip(docs, converted, strict=True)]
    short = [k for k, text in enumerate(texts) if len(text) <= cfg["part_chars"]]
    records: dict[int, AnnotatedDoc | Exception] = {}
    try:
        records.update(zip(short, model.predict((docs[k].doc_id, texts[k]) for k in short), strict=True))
    except Exception:
        for k in short:
            try:
                records[k] = next(iter(model.predict([(docs[k].doc_id, texts[k])])))
            except Exception as err:
                records[k] = err
    for k in (k for k in range(len(docs)) if k not in records):
        try:
            records[k] = predict_in_parts(model, docs[k].doc_id, texts[k], cfg["part_chars"],
                                          Budget(cfg["doc_seconds"]))
        except Exception as err:
            records[k] = err
    out: list[Annotation] = []
    for k, c in enumerate(converted):
        record = records[k]
        out.append((record if isinstance(record, Exception) or c is None else map_back(record, c), c))
    return out


def document_record(doc: Document, annotated: AnnotatedDoc, converted: Simplified | None, sha256: str,
                    model_name: str) -> dict[str, Any]:
    """The JSON line of one document: where it came from, its blocks, what the model found."""
    meta = doc.meta
    # The table reader matches official row names in simplified characters; its offsets and
    # cells stay valid on a one-for-one conversion.
    table_text = converted.text if converted is not None and converted.same_offsets else doc.text
    return {
        "doc_id": doc.doc_id,
        "source": meta["source"],
        "archive": meta["archive"],
        "sha256": sha256,
        "text_sha256": meta["text_sha256"],
        "encoding": meta["encoding"],
        "format": meta["format"],
        "title": meta["title"],
        "agency": meta["agency"],
        "year": meta["year"],
        "traditional": meta["traditional"],
        "simplified": converted is not None,
        "chars": len(doc.text),
        "sections": [
            {"kind": b.kind, "start": b.start, "end": b.end, "heading": b.heading} for b in doc.blocks
        ],
        "entities": [e.to_dict() for e in annotated.entities],
        "relations": [r.to_dict() for r in annotated.relations],
        "facts": quantity_facts(doc.text, annotated, meta["year"]),
        "tables": read_tables(table_text, doc.blocks).to_dict(),
        "model": model_name,
    }

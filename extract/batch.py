"""The unit of work of ``xxgk extract``: a list of sources in, one outcome per source out.

``process_batch`` is the one function every engine runs — in the calling process, in local
worker processes, or on Dask workers — so every engine gives the same results. It is a plain
function of plain, picklable data. Each process loads a model once (``worker_model`` caches it),
and this module imports nothing heavy at import time, so a worker can set ``OMP_NUM_THREADS``
before numpy is loaded (one thread per process is faster than several processes contending
for threads; see the environment facts).

A source that cannot be read, or that makes the model raise, becomes an ``error`` outcome
naming it and the batch goes on; only a model that cannot be loaded stops the batch.
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
from xxgk.extract.read import read_source
from xxgk.extract.simplify import map_back
from xxgk.extract.simplify import simplify as to_simplified
from xxgk.extract.sources import Source
from xxgk.extract.tables import read_tables

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
    """One outcome per source, in order. ``simplify``: reports in traditional characters are read
    by the model in simplified ones (:mod:`xxgk.extract.simplify`)."""
    loaded = worker_model(model) if sources else None
    return [_process(source, loaded, simplify) for source in sources]


def _error(path: str, stage: str, err: BaseException) -> Outcome:
    reason = str(err) if isinstance(err, ReadError) else f"{type(err).__name__}: {err}"
    return "error", {"path": path, "stage": stage, "reason": reason}


def _process(source: Source, model: Any, simplify: bool) -> Outcome:
    try:
        doc = read_source(source)
    except Exception as err:  # a damaged file must not stop the run: report it, go on
        return _error(source.doc_id, "read", err)
    try:
        return "document", document_record(doc, model, bytes_sha256(source.data), simplify)
    except Exception as err:  # likewise a model failing on one document
        return _error(source.doc_id, "model", err)


def document_record(doc: Document, model: Any, sha256: str, simplify: bool = False) -> dict[str, Any]:
    """The JSON line of one document: where it came from, its blocks, what the model found."""
    meta = doc.meta
    converted = to_simplified(doc.text) if simplify and meta["traditional"] else None
    if converted is None:
        annotated = next(iter(model.predict([(doc.doc_id, doc.text)])))
    else:
        annotated = map_back(next(iter(model.predict([(doc.doc_id, converted.text)]))), converted)
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
        "model": model.name,
    }

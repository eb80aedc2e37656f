"""``xxgk extract``: inputs in, a model's entities, relations and facts out, robustly.

The main process walks the inputs (:func:`~xxgk.extract.sources.iter_sources`, one file's bytes
at a time), numbers each source by its place in the walk, settles what needs no model — inputs
that cannot be read, copies of a file already seen (same sha256 of the bytes), a doc_id given
twice by overlapping inputs — and sends the rest in batches to an engine (this process, local
worker processes, or Dask), which runs :func:`~xxgk.extract.batch.process_batch` on them. Each
finished batch is committed as a part file (:mod:`xxgk.extract.parts`); when every source is
settled, the parts are merged in doc_id order into the final files
(:func:`~xxgk.extract.writers.consolidate`).

So a killed run leaves valid parts, ``resume`` does only what is missing, and the final files
of a resumed run, or of a run with any number of workers or engines, are byte-identical to
those of one uninterrupted run in one process.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from xxgk.extract.batch import bytes_sha256
from xxgk.extract.document import ReadFailure
from xxgk.extract.engine_local import EngineError, MapFn, local_engine
from xxgk.extract.parts import Entry, PartStore, RunStateError
from xxgk.extract.settings import load_settings
from xxgk.extract.sources import Source, iter_sources
from xxgk.extract.writers import FILE_OF_KIND, Summary, check_format, consolidate

ENGINES = ("local", "dask")


@dataclass(frozen=True)
class RunOptions:
    """How to run; ``None`` means the setting of ``[runner]`` in ``configs/extract.toml``."""

    model: str | None = None  # a model name or path; None: the default model (configs/models.toml)
    fmt: str | None = None  # jsonl | parquet | both
    workers: int | None = None  # local: processes (default 1); dask: LocalCluster workers
    engine: str = "local"
    scheduler: str | None = None  # a Dask scheduler address
    resume: bool = False
    simplify: bool = False  # traditional-character reports converted for the model (extract/simplify.py)
    batch_size: int | None = None


@dataclass(frozen=True)
class Task:
    """A source the model must see."""

    seq: int
    source: Source
    sha256: str


@dataclass
class Batch:
    """Sources for one engine call, and outcomes settled without the model since the last one."""

    tasks: list[Task] = field(default_factory=list)
    ready: list[Entry] = field(default_factory=list)


@dataclass
class Progress:
    """Running counts, passed to ``on_progress`` after each committed part."""

    documents: int = 0
    errors: int = 0
    duplicates: int = 0
    chars: int = 0
    done_before: int = 0  # outcomes committed by an earlier, interrupted run

    def add(self, entries: Iterable[Entry]) -> None:
        for entry in entries:
            counter = FILE_OF_KIND[entry.kind]
            setattr(self, counter, getattr(self, counter) + 1)
            self.chars += entry.record.get("chars", 0)


@dataclass(frozen=True)
class RunResult:
    summary: Summary
    model: str
    progress: Progress  # what this invocation did (the summary counts the whole run)
    seconds: float
    out: Path


def plan(inputs: Iterable[str], done: Mapping[int, tuple[str, str | None]]) -> Iterator[Task | Entry]:
    """Every source of ``inputs`` not in ``done`` (seq → key, sha256), as a Task or a settled Entry.

    The first source with given bytes is the one processed; later copies are ``duplicate``
    entries naming it. A doc_id already given by an earlier source (two inputs holding the same
    relative path) is an ``error`` entry. Raises RunStateError when a done seq is now another
    file: the inputs changed since the interrupted run.
    """
    first: dict[str, str] = {}  # sha256 → doc_id processed
    owner: dict[str, str] = {}  # doc_id → the file it came from
    for seq, item in enumerate(iter_sources(inputs)):
        step: Task | Entry
        if isinstance(item, ReadFailure):
            key, sha = item.path, None
            step = Entry(seq, key, sha, "error", {"path": key, "stage": "read", "reason": item.reason})
        else:
            key, sha = item.doc_id, bytes_sha256(item.data)
            if key in owner:
                reason = f"doc_id also given by {owner[key]}: pass overlapping inputs once"
                step = Entry(seq, key, sha, "error", {"path": key, "stage": "input", "reason": reason})
            elif sha in first:
                step = Entry(seq, key, sha, "duplicate", {"doc_id": key, "duplicate_of": first[sha], "sha256": sha})
            else:
                first[sha] = key
                step = Task(seq, item, sha)
            owner.setdefault(key, item.path)
        if seq in done:
            if done[seq] != (key, sha):
                raise RunStateError(f"input #{seq} is {key} now but was {done[seq][0]} in the interrupted run "
                                    "(or its content changed): the inputs changed; start a new run")
            continue
        yield step


def batches(steps: Iterable[Task | Entry], size: int, max_bytes: int) -> Iterator[Batch]:
    """Group steps into batches of at most ``size`` tasks (or ``size`` settled entries), closing
    a batch early once its files reach ``max_bytes``: the model holds a batch's documents at once,
    so a batch of long reports would otherwise set the peak memory."""
    batch, held = Batch(), 0
    for step in steps:
        if isinstance(step, Task):
            batch.tasks.append(step)
            held += len(step.source.data)
        else:
            batch.ready.append(step)
        if len(batch.tasks) >= size or len(batch.ready) >= size or held >= max_bytes:
            yield batch
            batch, held = Batch(), 0
    if batch.tasks or batch.ready:
        yield batch


def open_engine(options: RunOptions, model: str, in_flight: int) -> AbstractContextManager[MapFn]:
    if options.engine == "dask":
        from xxgk.extract.engine_dask import dask_engine

        return dask_engine(model, options.scheduler, options.workers, in_flight, options.simplify)
    if options.engine != "local":
        raise EngineError(f"unknown engine {options.engine!r}: expected one of {', '.join(ENGINES)}")
    if options.scheduler:
        raise EngineError("--scheduler is for --engine dask")
    return local_engine(model, options.workers or 1, in_flight, options.simplify)


def resolve_model(name: str | None) -> str:
    """The model every worker will load: rules-v1, or a pipeline folder (the default model if None).
    Resolved once, here, so that all workers load the same one. Raises LookupError."""
    from xxgk.models.registry import resolve

    return str(resolve(name))


def run_extract(
    inputs: list[str], out: Path, options: RunOptions,
    on_progress: Callable[[Progress], None] | None = None,
) -> RunResult:
    """Run (or with ``options.resume`` finish) an extraction into ``out``; see the module doc.

    Raises RunStateError (``out`` not usable), LookupError (unknown model), EngineError.
    """
    cfg = load_settings()["runner"]
    started = time.perf_counter()
    fmt, size = options.fmt or cfg["format"], options.batch_size or cfg["batch_size"]
    check_format(fmt)
    if size < 1:
        raise ValueError(f"batch size must be at least 1, not {size}")
    model = resolve_model(options.model)
    # The engine starts first, so that a bad engine option or a missing extra leaves `out` untouched.
    with open_engine(options, model, cfg["in_flight_per_worker"]) as engine_map:
        settings = {"inputs": list(inputs), "model": model, "simplify": options.simplify}
        store = PartStore.open(out, settings, options.resume)
        progress = Progress(done_before=len(store.done))
        steps = plan(inputs, dict(store.done))
        work = ((batch, [task.source for task in batch.tasks])
                for batch in batches(steps, size, cfg["batch_bytes"]))
        for batch, outcomes in engine_map(work):
            entries = batch.ready + [
                Entry(task.seq, task.source.doc_id, task.sha256, kind, record)
                for task, (kind, record) in zip(batch.tasks, outcomes, strict=True)
            ]
            store.commit(entries)
            progress.add(entries)
            if on_progress:
                on_progress(progress)
    summary = consolidate(
        ((entry.kind, entry.record) for entry in store.merged(cfg["merge_fan_in"])), out,
        fmt, rows_per_group=cfg["parquet_rows"], sample_facts=cfg["sample_facts"],
    )
    return RunResult(summary, model, progress, time.perf_counter() - started, out)

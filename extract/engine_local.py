"""Engines run :func:`~xxgk.extract.batch.process_batch` over a stream of batches; this one on
this machine: in the calling process (one worker) or in a pool of worker processes.

An engine is a context manager giving a ``map``: ``(tag, sources)`` pairs in, ``(tag, outcomes)``
pairs out, in the order the work finishes. ``bounded_map`` keeps only a few batches in flight
(``in_flight`` per worker), so the stream is read no faster than the workers process it and
memory stays flat however many documents there are. The Dask engine shares it.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, TypeVar

from xxgk.errors import InputError
from xxgk.extract.batch import Outcome, init_worker, process_batch
from xxgk.extract.sources import Source

T = TypeVar("T")
Work = Iterable[tuple[T, list[Source]]]
MapFn = Callable[[Work[Any]], Iterator[tuple[Any, list[Outcome]]]]


class EngineError(InputError):
    """An engine cannot start (a missing extra, a bad option) or its workers died."""


def bounded_map(
    submit: Callable[[list[Source]], Any], wait_any: Callable[[set[Any]], set[Any]],
    work: Work[T], limit: int,
) -> Iterator[tuple[T, list[Outcome]]]:
    """Submit ``(tag, sources)`` work, at most ``limit`` pending, yielding results as they come.

    ``submit`` returns a future (concurrent.futures or Dask); ``wait_any`` returns the done ones.
    """
    pending: dict[Any, T] = {}
    items = iter(work)
    more = True
    while True:
        while more and len(pending) < limit:
            item = next(items, None)
            if item is None:
                more = False
            else:
                pending[submit(item[1])] = item[0]
        if not pending:
            return
        for future in wait_any(set(pending)):
            yield pending.pop(future), future.result()


def _first_completed(pending: set[Future[list[Outcome]]]) -> set[Future[list[Outcome]]]:
    return wait(pending, return_when=FIRST_COMPLETED).done


@contextmanager
def local_engine(model: str, workers: int, in_flight: int, simplify: bool = False) -> Iterator[MapFn]:
    """One worker: this process. More: ``spawn``-ed processes (no fork of a threaded parent),
    each loading the model once in its initializer."""
    if workers <= 1:
        yield lambda work: ((tag, process_batch(sources, model, simplify)) for tag, sources in work)
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=init_worker, initargs=(model,))
    try:
        yield lambda work: bounded_map(lambda sources: pool.submit(process_batch, sources, model, simplify),
                                       _first_completed, work, workers * in_flight)
    except BrokenProcessPool as err:
        raise EngineError("a worker process died (it could not load the model, ran out of memory, or was "
                          "killed; see above); the work done so far is kept: rerun with --resume") from err
    finally:
        pool.shutdown(wait=True, cancel_futures=True)

"""The Dask engine: the same :func:`~xxgk.extract.batch.process_batch`, on a Dask cluster.

Without a scheduler address it starts a ``LocalCluster`` of worker processes (settings:
``[runner.dask]`` in ``configs/extract.toml``); each worker loads the model once
(``worker_model`` is cached per process) and Dask's nannies start workers with one
OpenMP/BLAS thread. Work is submitted a few batches at a time (``bounded_map``), not as one
bag built from every source, so the client never holds the whole input. The file bytes travel
with the work, so remote workers need no access to the inputs — only to the model (a shipped
name, or a path that exists on every worker). Dask is the ``dask`` extra, imported here only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from xxgk.extract.batch import process_batch
from xxgk.extract.engine_local import EngineError, MapFn, bounded_map
from xxgk.extract.settings import load_settings


@contextmanager
def dask_engine(model: str, scheduler: str | None, workers: int | None, in_flight: int,
                simplify: bool = False) -> Iterator[MapFn]:
    """A ``map`` running on the cluster at ``scheduler``, or on a new LocalCluster of ``workers``."""
    try:
        from distributed import Client, LocalCluster, wait
    except ImportError as err:
        raise EngineError("--engine dask needs Dask: pip install 'xxgk[dask]'") from err
    with ExitStack() as stack:
        if scheduler is None:
            cfg = load_settings()["runner"]["dask"]
            cluster = stack.enter_context(LocalCluster(
                n_workers=workers or cfg["n_workers"], threads_per_worker=cfg["threads_per_worker"],
                processes=True, host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR,
            ))
            address = cluster.scheduler_address
        else:
            address = scheduler
        try:
            client = stack.enter_context(Client(address))
        except OSError as err:
            raise EngineError(f"cannot reach the Dask scheduler at {address}: {err}") from err
        slots = max(1, sum(client.nthreads().values())) * in_flight
        yield lambda work: bounded_map(
            lambda sources: client.submit(process_batch, sources, model, simplify, pure=False),
            lambda pending: set(wait(list(pending), return_when="FIRST_COMPLETED").done),
            work, slots,
        )

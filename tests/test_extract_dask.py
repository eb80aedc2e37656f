"""The Dask engine runs the same per-batch function as the local one: a real LocalCluster of two
worker processes gives byte-identical files. Dask is the `dask` extra: skipped without it."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from test_extract_runner import RULES, final_files, make_inputs

from xxgk.extract.engine_local import EngineError
from xxgk.extract.runner import RunOptions, run_extract


@pytest.mark.dask
def test_local_cluster_run_equals_the_local_run(tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason="the dask engine needs the `dask` extra (dask[distributed])")
    inputs = make_inputs(tmp_path / "in")
    run_extract([str(inputs)], tmp_path / "local", RunOptions(model=RULES, batch_size=2))
    started = time.monotonic()
    result = run_extract([str(inputs)], tmp_path / "dask",
                         RunOptions(model=RULES, engine="dask", workers=2, batch_size=2))
    assert time.monotonic() - started < 60
    assert final_files(tmp_path / "dask") == final_files(tmp_path / "local")
    assert result.summary.documents == 9 and result.summary.errors == 3


def test_a_missing_dask_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed → ImportError
    inputs = make_inputs(tmp_path / "in", bad=False)
    with pytest.raises(EngineError, match=r"needs Dask: pip install 'xxgk\[dask\]'"):
        run_extract([str(inputs)], tmp_path / "out", RunOptions(model=RULES, engine="dask"))
    assert not (tmp_path / "out").exists()  # nothing started: a rerun needs no --resume


def test_scheduler_without_the_dask_engine_is_refused(tmp_path: Path) -> None:
    inputs = make_inputs(tmp_path / "in", bad=False)
    with pytest.raises(EngineError, match="--scheduler is for --engine dask"):
        run_extract([str(inputs)], tmp_path / "out", RunOptions(model=RULES, scheduler="tcp://127.0.0.1:1"))
    assert not (tmp_path / "out").exists()

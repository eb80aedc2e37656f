"""The harness's tunables (resamples, seed, context width, …) from ``configs/eval.toml``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from xxgk.schema import config_path


@dataclass(frozen=True)
class EvalConfig:
    resamples: int
    seed: int
    level: float
    min_overlap_percent: float
    context_chars: int
    console_rows: int
    top_documents: int
    slice_min_docs: int
    curve_fractions: tuple[float, ...]
    curve_seed: int
    crossval_folds: int
    crossval_seed: int

    def __post_init__(self) -> None:
        if self.resamples < 1:
            raise ValueError(f"eval config: resamples must be positive, got {self.resamples}")
        if not 0 < self.level < 1:
            raise ValueError(f"eval config: level must be in (0, 1), got {self.level}")
        if not 0 < self.min_overlap_percent <= 100:
            raise ValueError(f"eval config: min_overlap_percent not in (0, 100]: {self.min_overlap_percent}")
        if not self.curve_fractions or any(not 0 < f <= 1 for f in self.curve_fractions):
            raise ValueError(f"eval config: curve fractions must be in (0, 1], got {self.curve_fractions}")
        if self.crossval_folds < 3:
            raise ValueError(f"eval config: cross-validation needs at least 3 folds, got {self.crossval_folds}")


def load_config(path: Path | None = None) -> EvalConfig:
    """Read ``configs/eval.toml`` (or another file of the same shape)."""
    file = Path(path) if path else config_path("eval.toml")
    with file.open("rb") as fh:
        data = tomllib.load(fh)
    try:
        return EvalConfig(
            resamples=int(data["bootstrap"]["resamples"]),
            seed=int(data["bootstrap"]["seed"]),
            level=float(data["bootstrap"]["level"]),
            min_overlap_percent=float(data["matching"]["min_overlap_percent"]),
            context_chars=int(data["errors"]["context_chars"]),
            console_rows=int(data["errors"]["console_rows"]),
            top_documents=int(data["compare"]["top_documents"]),
            slice_min_docs=int(data["slices"]["min_docs"]),
            curve_fractions=tuple(sorted(float(f) for f in data["curve"]["fractions"])),
            curve_seed=int(data["curve"]["seed"]),
            crossval_folds=int(data["crossval"]["folds"]),
            crossval_seed=int(data["crossval"]["seed"]),
        )
    except KeyError as err:
        raise ValueError(f"{file}: missing setting {err}") from err

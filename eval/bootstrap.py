"""Bootstrap over documents, vectorised: resample per-document count vectors, never rescore.

A resample is a vector of weights (how often each document was drawn); the resampled totals of
every figure at once are one matrix product, ``weights @ counts``. Intervals are percentile
intervals. Two systems scored on the same documents are compared with the same weights
(a paired bootstrap), which cancels the variation that comes from which documents were drawn.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np


def resample_weights(n_docs: int, resamples: int, seed: int) -> np.ndarray:
    """``(resamples, n_docs)`` draw counts; every row sums to ``n_docs``. Same seed, same rows."""
    if n_docs < 1:
        raise ValueError("cannot resample zero documents")
    rng = np.random.default_rng(seed)
    return rng.multinomial(n_docs, np.full(n_docs, 1.0 / n_docs), size=resamples)


def resampled_totals(per_doc: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Totals of each resample: ``(resamples, *per_doc.shape[1:])``."""
    return np.tensordot(weights, per_doc, axes=1)


def interval(samples: np.ndarray, level: float) -> np.ndarray:
    """Percentile interval over axis 0, ignoring NaN (undefined) resamples: ``(2, *shape[1:])``."""
    tail = (1.0 - level) / 2.0 * 100.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slice → NaN interval
        return np.nanpercentile(samples, [tail, 100.0 - tail], axis=0)


@dataclass(frozen=True)
class PairedDelta:
    delta: float
    low: float
    high: float
    p_value: float


def paired_delta(point: float, deltas: np.ndarray, level: float) -> PairedDelta:
    """Interval and two-sided p-value of a difference from its paired bootstrap distribution.

    ``deltas`` are the differences (B − A) of the same figure on the same resamples. The
    p-value inverts the percentile interval: it is the smallest α at which the (1 − α)
    interval would exclude 0, i.e. twice the smaller share of resampled deltas on either side
    of 0 (ties count on both sides), with the usual +1 correction
    ``(1 + k) / (1 + B)`` so that a finite number of resamples never gives p = 0.
    """
    deltas = deltas[~np.isnan(deltas)]  # resamples where the figure is undefined for either system
    n = deltas.shape[0]
    if n == 0:  # the figure is undefined on every resample: no interval, no test
        return PairedDelta(float(point), float("nan"), float("nan"), float("nan"))
    below = (1 + np.count_nonzero(deltas <= 0)) / (1 + n)
    above = (1 + np.count_nonzero(deltas >= 0)) / (1 + n)
    low, high = interval(deltas, level)
    return PairedDelta(float(point), float(low), float(high), float(min(1.0, 2 * min(below, above))))

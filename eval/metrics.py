"""Precision, recall and F1 from count arrays, vectorised over any leading axes.

One formula serves every mode and the relations: nervaluate's ``(correct + ½·partial)``
numerator is the plain ``correct`` one whenever ``partial`` is 0, which it is in every mode
except ``partial``; relations fill only ``correct``, ``missed`` and ``spurious``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xxgk.eval.matching import FIELDS

CORRECT, INCORRECT, PARTIAL, MISSED, SPURIOUS = range(len(FIELDS))


@dataclass(frozen=True)
class Tally:
    """Per-document counts of a family of figures.

    ``counts`` has shape ``(documents, variants, scopes, len(FIELDS))``: variants are the
    matching modes (entities) or strict/relaxed (relations); scope 0 is ``micro``, the others
    are the labels of the schema. Keeping documents apart is what lets the bootstrap resample
    them without rescoring anything.
    """

    variants: tuple[str, ...]
    scopes: tuple[str, ...]
    counts: np.ndarray

    def __post_init__(self) -> None:
        want = (len(self.variants), len(self.scopes), len(FIELDS))
        if self.counts.ndim != 4 or self.counts.shape[1:] != want:
            raise ValueError(f"tally counts of shape {self.counts.shape}, expected (docs, *{want})")

    def total(self) -> np.ndarray:
        return self.counts.sum(axis=0)


def actual(counts: np.ndarray) -> np.ndarray:
    """Predictions: correct + incorrect + partial + spurious."""
    return counts[..., CORRECT] + counts[..., INCORRECT] + counts[..., PARTIAL] + counts[..., SPURIOUS]


def possible(counts: np.ndarray) -> np.ndarray:
    """Gold spans: correct + incorrect + partial + missed."""
    return counts[..., CORRECT] + counts[..., INCORRECT] + counts[..., PARTIAL] + counts[..., MISSED]


def prf(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall, F1 (0 where undefined, as nervaluate) for counts ``(..., FIELDS)``."""
    hits = counts[..., CORRECT] + 0.5 * counts[..., PARTIAL]
    act, pos = actual(counts), possible(counts)
    precision = np.divide(hits, act, out=np.zeros(hits.shape), where=act > 0)
    recall = np.divide(hits, pos, out=np.zeros(hits.shape), where=pos > 0)
    both = precision + recall
    f1 = np.divide(2 * precision * recall, both, out=np.zeros(hits.shape), where=both > 0)
    return precision, recall, f1

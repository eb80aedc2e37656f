"""Error slices: strict micro F1 of the documents that share manifest values, with intervals.

A slice is one combination of values of the requested fields (``--by era,level`` gives
``era=-2018 & level=township`` and so on); a field is any key of the corpus manifest or a derived
one (:func:`xxgk.corpus.derived_field`: ``era``, the report-format band of the year). Each slice
is bootstrapped on its own documents (same seed and resamples as the whole run); in a comparison
all systems share a slice's resamples, so its deltas are paired. A slice with fewer than
``min_docs`` documents is reported but marked small: its interval says little.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from xxgk.corpus import derived_field
from xxgk.eval.bootstrap import interval, paired_delta, resample_weights
from xxgk.eval.config import EvalConfig
from xxgk.eval.data import EvalInputError
from xxgk.eval.metrics import Tally
from xxgk.eval.scoring import Scores
from xxgk.eval.summary import F1, FAMILIES, bootstrap_prf, figure

DERIVED = ("era",)
UNKNOWN = "unknown"


def parse_fields(by: str | Sequence[str]) -> list[str]:
    """``"era,level"`` (or a list of such) → ``["era", "level"]``."""
    items = [by] if isinstance(by, str) else list(by)
    fields = [f.strip() for item in items for f in item.split(",") if f.strip()]
    if not fields:
        raise EvalInputError("--by needs at least one manifest field")
    return fields


def slice_groups(doc_ids: Sequence[str], manifest: Mapping[str, Mapping[str, Any]],
                 fields: Sequence[str]) -> dict[str, list[int]]:
    """Slice name → indices into ``doc_ids``; values missing from the manifest read ``unknown``."""
    known = set(DERIVED) | {key for record in manifest.values() for key in record}
    if unknown := [f for f in fields if f not in known]:
        raise EvalInputError(f"--by: no manifest field {', '.join(unknown)} "
                             f"(fields: {', '.join(sorted(known))})")
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, doc_id in enumerate(doc_ids):
        record = manifest.get(doc_id, {})
        values = []
        for f in fields:
            value = derived_field(record, f)
            values.append(UNKNOWN if value is None else str(value))
        groups.setdefault(tuple(values), []).append(i)
    return {" & ".join(f"{f}={v}" for f, v in zip(fields, values, strict=True)): idx
            for values, idx in sorted(groups.items())}


def _strict_micro(tally: Tally, idx: Sequence[int]) -> Tally:
    """The strict variant's per-document counts of the chosen documents, as a one-variant tally."""
    v = tally.variants.index("strict")
    return Tally(("strict",), tally.scopes, tally.counts[np.asarray(idx), v:v + 1])


def _figure(tally: Tally, boot: np.ndarray, level: float) -> dict[str, Any]:
    return figure(tally.total()[0, 0], interval(boot[:, 0, 0], level))


def slice_figures(scores: Scores, groups: Mapping[str, Sequence[int]], config: EvalConfig,
                  min_docs: int) -> list[dict[str, Any]]:
    """Per slice: documents, ``small``, strict micro entity and relation figures with intervals."""
    rows = []
    for name, idx in groups.items():
        weights = resample_weights(len(idx), config.resamples, config.seed)
        row: dict[str, Any] = {"slice": name, "docs": len(idx), "small": len(idx) < min_docs}
        for family in FAMILIES:
            tally = _strict_micro(getattr(scores, family), idx)
            row[family] = _figure(tally, bootstrap_prf(tally, weights), config.level)
        rows.append(row)
    return rows


def compare_slices(systems: Sequence[tuple[str, Scores]], groups: Mapping[str, Sequence[int]],
                   config: EvalConfig, min_docs: int) -> list[dict[str, Any]]:
    """Per slice: every system's strict micro figures, and each one's F1 delta against the first
    (paired: the same resamples of the slice's documents), with interval and p-value."""
    base_name = systems[0][0]
    rows = []
    for name, idx in groups.items():
        weights = resample_weights(len(idx), config.resamples, config.seed)
        row: dict[str, Any] = {"slice": name, "docs": len(idx), "small": len(idx) < min_docs,
                               "systems": {}, "deltas": {}}
        boots: dict[str, dict[str, np.ndarray]] = {}
        for system, scores in systems:
            row["systems"][system], boots[system] = {}, {}
            for family in FAMILIES:
                tally = _strict_micro(getattr(scores, family), idx)
                boots[system][family] = bootstrap_prf(tally, weights)
                row["systems"][system][family] = _figure(tally, boots[system][family], config.level)
        for system, _ in systems[1:]:
            row["deltas"][system] = {}
            for family in FAMILIES:
                point = row["systems"][system][family]["f1"] - row["systems"][base_name][family]["f1"]
                test = paired_delta(point, boots[system][family][:, 0, 0, F1] - boots[base_name][family][:, 0, 0, F1],
                                    config.level)
                defined = not np.isnan(test.low)
                row["deltas"][system][family] = {"delta": test.delta,
                                                 "ci": [test.low, test.high] if defined else None,
                                                 "p_value": test.p_value if defined else None}
        rows.append(row)
    return rows

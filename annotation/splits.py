"""Document-level train/dev/test splits, grouped by agency, balanced on rare labels, fixed in a file."""

from __future__ import annotations

import json
import random
import tomllib
from collections import Counter, defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from xxgk.schema import config_path

SPLITS = ("train", "dev", "test")


def load_split_settings() -> dict[str, Any]:
    with config_path("splits.toml").open("rb") as fh:
        return tomllib.load(fh)


def make_splits(
    label_counts: Mapping[str, Counter[str]],
    manifest: Mapping[str, Mapping[str, Any]],
    settings: Mapping[str, Any] | None = None,
) -> dict[str, list[str]]:
    """Assign whole agencies to splits.

    ``label_counts`` maps each doc_id to the counts of its entity and relation labels. Complete
    reports are placed first (so test and dev each get their minimum), then the other agencies,
    richest in the balanced labels first, each to the split that keeps every share nearest its
    target fraction.
    """
    s = settings or load_split_settings()
    fractions, balance = s["fractions"], list(s["balance"])
    groups: dict[str, list[str]] = defaultdict(list)
    for doc_id in sorted(label_counts):
        groups[manifest.get(doc_id, {}).get("agency") or doc_id].append(doc_id)

    def vector(agency: str) -> list[float]:
        counts = sum((label_counts[d] for d in groups[agency]), Counter())
        return [len(groups[agency]), *(counts[label] for label in balance)]

    totals = [sum(col) or 1 for col in zip(*(vector(a) for a in groups), strict=True)]
    filled = {name: [0.0] * len(totals) for name in SPLITS}
    out: dict[str, list[str]] = {name: [] for name in SPLITS}

    def place(agency: str, split: str) -> None:
        out[split].extend(groups[agency])
        filled[split] = [a + b for a, b in zip(filled[split], vector(agency), strict=True)]

    def cost(agency: str, split: str) -> float:
        vec = vector(agency)
        return sum(
            ((filled[name][k] + (vec[k] if name == split else 0)) / totals[k] - fractions[name]) ** 2
            for name in SPLITS
            for k in range(len(totals))
        )

    rng = random.Random(s["seed"])
    agencies = sorted(groups)
    rng.shuffle(agencies)
    complete = [a for a in agencies if any(manifest.get(d, {}).get("complete") for d in groups[a])]
    for agency in complete[: s["min_test_complete"]]:
        place(agency, "test")
    for agency in complete[s["min_test_complete"] : s["min_test_complete"] + s["min_dev_complete"]]:
        place(agency, "dev")
    rest = [a for a in agencies if a not in complete[: s["min_test_complete"] + s["min_dev_complete"]]]
    for agency in sorted(rest, key=lambda a: -sum(vector(a)[1:])):
        place(agency, min(SPLITS, key=lambda name: cost(agency, name)))
    if len(out["test"]) < s["min_test_docs"]:
        raise ValueError(f"test split has {len(out['test'])} docs, fewer than {s['min_test_docs']}")
    return {name: sorted(ids) for name, ids in out.items()}


def read_splits(path: str | Path) -> dict[str, list[str]]:
    """The fixed splits; refuses a file that puts one document in two splits."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    seen: dict[str, str] = {}
    for name in SPLITS:
        for doc_id in data.get(name, []):
            if doc_id in seen:
                raise ValueError(f"{path}: {doc_id} is in both {seen[doc_id]} and {name}")
            seen[doc_id] = name
    return {name: list(data.get(name, [])) for name in SPLITS}

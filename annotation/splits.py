"""Document-level train/dev/test splits, grouped by agency, drawn once and fixed in a file."""

from __future__ import annotations

import json
import random
import tomllib
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from xxgk.schema import config_path

SPLITS = ("train", "dev", "test")


def load_split_settings() -> dict[str, Any]:
    with config_path("splits.toml").open("rb") as fh:
        return tomllib.load(fh)


def make_splits(
    doc_ids: Iterable[str], manifest: dict[str, dict[str, Any]], settings: dict[str, Any] | None = None
) -> dict[str, list[str]]:
    """Assign whole agencies to splits: test first (complete reports first), then dev, rest train."""
    s = settings or load_split_settings()
    groups: dict[str, list[str]] = defaultdict(list)
    for doc_id in sorted(doc_ids):
        groups[manifest.get(doc_id, {}).get("agency") or doc_id].append(doc_id)
    rng = random.Random(s["seed"])
    agencies = sorted(groups)
    rng.shuffle(agencies)

    def complete(agency: str) -> bool:
        return any(manifest.get(d, {}).get("complete") for d in groups[agency])

    n = sum(len(v) for v in groups.values())
    n_test = max(s["min_test_docs"], round(n * s["test_fraction"]))
    n_dev = round(n * s["dev_fraction"])
    out: dict[str, list[str]] = {name: [] for name in SPLITS}
    with_complete = [a for a in agencies if complete(a)]
    for agency in with_complete[: s["min_test_complete"]]:
        out["test"].extend(groups[agency])
    for agency in agencies:
        if any(d in out["test"] for d in groups[agency]):
            continue
        target = "test" if len(out["test"]) < n_test else "dev" if len(out["dev"]) < n_dev else "train"
        out[target].extend(groups[agency])
    return {name: sorted(ids) for name, ids in out.items()}


def read_splits(path: str | Path) -> dict[str, list[str]]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    seen: dict[str, str] = {}
    for name in SPLITS:
        for doc_id in data.get(name, []):
            if doc_id in seen:
                raise ValueError(f"{path}: {doc_id} is in both {seen[doc_id]} and {name}")
            seen[doc_id] = name
    return {name: list(data.get(name, [])) for name in SPLITS}

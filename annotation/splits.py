"""Document-level splits, grouped by agency, fixed in a file.

``make_splits`` drew the first train/dev/test from annotated documents (balanced on rare labels);
``extend_splits`` places documents that joined the corpus later: a ``sealed`` test share first,
stratified by report era and part, then the rest into train and dev. Neither ever moves a
document that is already in a split.
"""

from __future__ import annotations

import json
import random
import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from xxgk.corpus import derived_field
from xxgk.schema import config_path

SPLITS = ("train", "dev", "test", "sealed")


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
    names = tuple(fractions)
    groups: dict[str, list[str]] = defaultdict(list)
    for doc_id in sorted(label_counts):
        groups[manifest.get(doc_id, {}).get("agency") or doc_id].append(doc_id)

    def vector(agency: str) -> list[float]:
        counts = sum((label_counts[d] for d in groups[agency]), Counter())
        return [len(groups[agency]), *(counts[label] for label in balance)]

    totals = [sum(col) or 1 for col in zip(*(vector(a) for a in groups), strict=True)]
    filled = {name: [0.0] * len(totals) for name in names}
    out: dict[str, list[str]] = {name: [] for name in names}

    def place(agency: str, split: str) -> None:
        out[split].extend(groups[agency])
        filled[split] = [a + b for a, b in zip(filled[split], vector(agency), strict=True)]

    def cost(agency: str, split: str) -> float:
        vec = vector(agency)
        return sum(
            ((filled[name][k] + (vec[k] if name == split else 0)) / totals[k] - fractions[name]) ** 2
            for name in names
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
        place(agency, min(names, key=lambda name: cost(agency, name)))
    if len(out["test"]) < s["min_test_docs"]:
        raise ValueError(f"test split has {len(out['test'])} docs, fewer than {s['min_test_docs']}")
    return {name: sorted(ids) for name, ids in out.items()}


def agency_key(doc_id: str, record: Mapping[str, Any]) -> str:
    """The agency a document is grouped by: its manifest agency without spaces and without a
    trailing 办公厅/办公室 (the office writes the government's report, so they are one agency);
    the doc id itself when the agency is unknown."""
    agency = re.sub(r"\s+", "", record.get("agency") or "")
    return re.sub(r"(办公厅|办公室)$", "", agency) or f"doc:{doc_id}"


def _stratified_draw(
    groups: Mapping[str, list[str]], stratum: Mapping[str, tuple[Any, ...]], fraction: float, rng: random.Random
) -> set[str]:
    """Whole groups, drawn in a seeded order, until each stratum holds ``round(fraction × size)``
    of its documents; a group is taken only if none of its strata would overshoot."""
    sizes = Counter(stratum[d] for ids in groups.values() for d in ids)
    target = {key: round(fraction * n) for key, n in sizes.items()}
    taken: Counter[tuple[Any, ...]] = Counter()
    drawn: set[str] = set()
    order = sorted(groups)
    rng.shuffle(order)
    for group in order:
        need = Counter(stratum[d] for d in groups[group])
        if all(taken[key] + n <= target[key] for key, n in need.items()):
            taken.update(need)
            drawn.add(group)
    return drawn


def extend_splits(
    splits: Mapping[str, list[str]],
    new_ids: list[str],
    manifest: Mapping[str, Mapping[str, Any]],
    settings: Mapping[str, Any] | None = None,
) -> dict[str, list[str]]:
    """Place ``new_ids`` (documents in no split yet) and return the whole new splits.

    A new document whose agency already has a document in a split goes to that split. The other
    agencies are drawn, whole: first ``sealed`` (the ``[extend]`` fraction of the new documents,
    stratified by the ``strata`` manifest fields), then ``dev`` (its fraction of what is left,
    stratified the same way); the rest is ``train``.
    """
    s = (settings or load_split_settings())["extend"]
    placed = {d: name for name, ids in splits.items() for d in ids}
    if overlap := sorted(set(new_ids) & set(placed)):
        raise ValueError(f"already in a split: {', '.join(overlap[:5])}")
    split_of_agency = {agency_key(d, manifest.get(d, {})): name for d, name in placed.items()}
    out = {name: list(splits.get(name, [])) for name in SPLITS}
    groups: dict[str, list[str]] = defaultdict(list)
    for doc_id in sorted(new_ids):
        key = agency_key(doc_id, manifest.get(doc_id, {}))
        if key in split_of_agency:
            out[split_of_agency[key]].append(doc_id)
        else:
            groups[key].append(doc_id)
    stratum = {d: tuple(derived_field(manifest.get(d, {}), f) for f in s["strata"]) for ids in groups.values()
               for d in ids}
    rng = random.Random(s["seed"])
    for name in ("sealed", "dev"):
        drawn = _stratified_draw(groups, stratum, s["fractions"][name], rng)
        for group in sorted(drawn):
            out[name].extend(groups.pop(group))
    out["train"].extend(d for ids in groups.values() for d in ids)
    if len(out["sealed"]) < s["min_sealed"]:
        raise ValueError(f"sealed split has {len(out['sealed'])} docs, fewer than {s['min_sealed']}")
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

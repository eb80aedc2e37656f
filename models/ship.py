"""Measure a trained pipeline and ship it into ``models/xxgk-zh-<version>/`` with its meta.

The meta records what a reader needs to trust a number: the schema version, hashes of the gold,
splits and synthetic data it came from, the config, scores on dev and test, speed and size.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import spacy

from xxgk.models.registry import SHIPPED_PREFIX, models_dir
from xxgk.standoff import jsonl_files


def files_sha256(paths: Iterable[Path]) -> str:
    """One hash over files in a stable order (names and contents)."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def data_hashes(gold: Path, splits: Path, synthetic: Path | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "gold_sha256": files_sha256(jsonl_files(gold)),
        "gold_files": len(jsonl_files(gold)),
        "splits_sha256": files_sha256([splits]),
    }
    if synthetic is not None:
        out["synthetic_sha256"] = files_sha256([synthetic])
    return out


def measure_speed(model_dir: Path, texts: list[str], repeats: int = 1) -> dict[str, float]:
    """Chars/s and tokens/s of ``nlp.pipe`` over whole texts in one process (char tokens = words)."""
    nlp = spacy.load(model_dir)
    list(nlp.pipe(texts[:2]))  # warm up
    start = time.perf_counter()
    tokens = 0
    for _ in range(repeats):
        tokens += sum(len(doc) for doc in nlp.pipe(texts, batch_size=64))
    seconds = time.perf_counter() - start
    chars = sum(len(t) for t in texts) * repeats
    return {"chars_per_s": round(chars / seconds), "words_per_s": round(tokens / seconds),
            "docs": len(texts) * repeats, "seconds": round(seconds, 2)}


def dir_size_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6, 2)


def write_meta(model_dir: Path, version: str, xxgk_meta: dict[str, Any]) -> None:
    """Name and version the pipeline and merge ``xxgk_meta`` into its ``meta.json``'s ``xxgk``."""
    meta_file = model_dir / "meta.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta.update({"name": "xxgk-zh", "version": version, "xxgk": {**meta.get("xxgk", {}), **xxgk_meta}})
    meta_file.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def ship(model_dir: Path, version: str) -> Path:
    """Copy a pipeline into ``models/`` atomically; refuse to overwrite a shipped version."""
    target = models_dir() / f"{SHIPPED_PREFIX}{version}"
    if target.exists():
        raise FileExistsError(f"{target} exists: ship a new version instead of overwriting")
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    shutil.copytree(model_dir, tmp, dirs_exist_ok=True)
    tmp.rename(target)
    return target

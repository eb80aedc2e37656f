"""A corpus folder: ``DOC_ID.txt`` files (UTF-8) plus an optional ``manifest.jsonl``."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from xxgk.errors import InputError
from xxgk.schema import config_path


class CorpusError(InputError):
    """A corpus folder or one of its files cannot be read."""


def read_text(path: Path) -> str:
    """The exact text of a corpus file: UTF-8, no newline translation, no normalisation."""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise CorpusError(f"{path}: not UTF-8 ({err})") from err


def load_eras() -> list[tuple[str, int]]:
    """The report-format bands of ``configs/corpus.toml``: (name, last year), in order."""
    with config_path("corpus.toml").open("rb") as fh:
        return [(band["name"], int(band["last"])) for band in tomllib.load(fh)["eras"]]


def era(year: int | None, eras: list[tuple[str, int]] | None = None) -> str | None:
    """The report-format band of a report year (``-2018``, ``2019-2020``, ``2021-``); None if unknown."""
    if year is None:
        return None
    return next((name for name, last in eras or load_eras() if year <= last), None)


def derived_field(record: Mapping[str, Any], name: str) -> Any:
    """A manifest field, or one derived from it (``era`` from ``year``)."""
    if name == "era":
        return era(record.get("year"))
    return record.get(name)


@dataclass
class Corpus:
    root: Path
    _texts: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.root = Path(self.root)
        if not self.root.is_dir():
            raise CorpusError(f"corpus folder not found: {self.root}")

    @cached_property
    def doc_ids(self) -> list[str]:
        return sorted(p.stem for p in self.root.glob("*.txt"))

    @cached_property
    def manifest(self) -> dict[str, dict[str, Any]]:
        path = self.root / "manifest.jsonl"
        if not path.exists():
            return {}
        out = {}
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as err:
                raise CorpusError(f"{path}:{n}: invalid JSON ({err.msg})") from err
            doc_id = rec.get("doc_id") or Path(rec.get("file", "")).stem
            out[doc_id] = rec
        return out

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and (self.root / f"{doc_id}.txt").is_file()

    def text(self, doc_id: str) -> str:
        if doc_id not in self._texts:
            path = self.root / f"{doc_id}.txt"
            if not path.is_file():
                raise CorpusError(f"document {doc_id!r} not in corpus {self.root}")
            self._texts[doc_id] = read_text(path)
        return self._texts[doc_id]

    def items(self) -> Iterator[tuple[str, str]]:
        for doc_id in self.doc_ids:
            yield doc_id, self.text(doc_id)


@dataclass
class CorpusUnion:
    """Several corpus folders read as one (e.g. real reports plus marked synthetic text)."""

    parts: list[Corpus]

    def __contains__(self, doc_id: object) -> bool:
        return any(doc_id in part for part in self.parts)

    @property
    def manifest(self) -> dict[str, dict[str, Any]]:
        return {k: v for part in self.parts for k, v in part.manifest.items()}

    def text(self, doc_id: str) -> str:
        for part in self.parts:
            if doc_id in part:
                return part.text(doc_id)
        raise CorpusError(f"document {doc_id!r} not in any of {[str(p.root) for p in self.parts]}")

"""The durable state of an ``xxgk extract`` run: append-only part files and their manifest.

::

    OUT/parts/run.json          inputs and model of the run (a resume must name the same)
    OUT/parts/part-00000.jsonl  one line per outcome, sorted by (key, seq)
    OUT/parts/manifest.jsonl    one line per committed part: its name and its (seq, key, sha256)

A part is written under a temporary name and renamed, then named in the manifest. A part the
manifest does not name (the run was killed between the two) is deleted on resume and its
documents are done again, so every outcome ends up in exactly one committed part, however the
run was stopped. ``seq`` is the position of a source in the walk of the inputs, which is
stable, so a resume skips exactly what was done, and merging the parts by (key, seq) gives
the same sequence whatever the number of workers, the order work finished in, or the kills.
"""

from __future__ import annotations

import heapq
import json
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from xxgk.atomic import atomic_path
from xxgk.errors import InputError
from xxgk.extract.writers import json_line

PART_GLOB = "part-*.jsonl"


class RunStateError(InputError):
    """The output folder cannot take this run (not empty, another run's state, changed inputs)."""


@dataclass(frozen=True)
class Entry:
    """One outcome as stored: ``key`` (doc_id, or the path of a failed input) orders the output."""

    seq: int
    key: str
    sha256: str | None
    kind: str  # document | error | duplicate
    record: dict[str, Any]

    def sort_key(self) -> tuple[str, int]:
        return self.key, self.seq


def _read_part(path: Path) -> Iterator[Entry]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            yield Entry(**json.loads(line))


def _write_run(path: Path, entries: Iterable[Entry]) -> None:
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as fh:
        fh.writelines(json_line(asdict(e)) for e in entries)


class PartStore:
    """The ``parts`` folder of an output folder: what is done, and how to add to it."""

    def __init__(self, root: Path, done: dict[int, tuple[str, str | None]], next_part: int):
        self.root = root
        self.done = done  # seq → (key, sha256) of every committed outcome
        self.next_part = next_part

    @classmethod
    def open(cls, out: Path, run: dict[str, Any], resume: bool) -> PartStore:
        """Start a run in ``out`` (absent or empty), or with ``resume`` continue the one there."""
        root = out / "parts"
        run_file = root / "run.json"
        if resume and run_file.is_file():
            previous = json.loads(run_file.read_text(encoding="utf-8"))
            if previous != run:
                raise RunStateError(f"{out} holds a run of {previous}, not of {run}: use another folder")
            return cls._recover(root)
        if out.exists() and not out.is_dir():
            raise RunStateError(f"{out}: is a file, not a folder; -o takes a folder (new, empty, or of a run)")
        if out.exists() and any(out.iterdir()):
            hint = "it holds no run to resume" if resume else "pass --resume to continue the run there"
            raise RunStateError(f"output folder {out} is not empty: {hint}, or choose a new folder")
        root.mkdir(parents=True, exist_ok=True)
        with atomic_path(run_file) as tmp:
            tmp.write_text(json.dumps(run, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
        return cls(root, {}, 0)

    @classmethod
    def _recover(cls, root: Path) -> PartStore:
        """Keep the parts the manifest names (a torn last line names none); delete the rest."""
        manifest = root / "manifest.jsonl"
        lines = manifest.read_text(encoding="utf-8").splitlines() if manifest.exists() else []
        kept: list[dict[str, Any]] = []
        for line in lines:
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                continue
            if (root / item["part"]).is_file():
                kept.append(item)
        names = {item["part"] for item in kept}
        for path in root.iterdir():
            if path.name.startswith(".tmp-") or (path.match(PART_GLOB) and path.name not in names):
                path.unlink()
        with atomic_path(manifest) as tmp:
            tmp.write_text("".join(json_line(item) for item in kept), encoding="utf-8")
        done = {seq: (key, sha) for item in kept for seq, key, sha in item["entries"]}
        next_part = max((int(name.removeprefix("part-").removesuffix(".jsonl")) + 1 for name in names), default=0)
        return cls(root, done, next_part)

    def commit(self, entries: list[Entry]) -> None:
        """Write one part (sorted, atomically), then record it in the manifest."""
        if not entries:
            return
        entries = sorted(entries, key=Entry.sort_key)
        name = f"part-{self.next_part:05d}.jsonl"
        _write_run(self.root / name, entries)
        with (self.root / "manifest.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json_line({"part": name, "entries": [[e.seq, e.key, e.sha256] for e in entries]}))
        self.next_part += 1
        self.done.update((e.seq, (e.key, e.sha256)) for e in entries)

    def merged(self, fan_in: int) -> Iterator[Entry]:
        """Every committed outcome in (key, seq) order; more than ``fan_in`` parts are merged in
        rounds through temporary files, so open files stay bounded."""
        paths = sorted(self.root.glob(PART_GLOB))
        scratch = Path(tempfile.mkdtemp(prefix=".tmp-merge-", dir=self.root))
        try:
            round_no = 0
            while len(paths) > fan_in:
                merged_paths = []
                for i in range(0, len(paths), fan_in):
                    group = paths[i : i + fan_in]
                    path = scratch / f"run-{round_no}-{i // fan_in:05d}.jsonl"
                    _write_run(path, heapq.merge(*map(_read_part, group), key=Entry.sort_key))
                    merged_paths.append(path)
                paths, round_no = merged_paths, round_no + 1
            yield from heapq.merge(*map(_read_part, paths), key=Entry.sort_key)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

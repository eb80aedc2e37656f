"""``xxgk bench``: how fast ``xxgk extract`` runs, and in how much memory, per model and workers.

Each measurement is a whole extract run (walk, read, model, parts, consolidation) in a fresh
process, so that every run pays the same start-up (worker processes, model loading) and its
memory is its own: the peak RSS is the largest sum, over samples, of that process and all its
children. The time of a setting is the best of ``repeat`` runs (noise only ever slows a run
down); the time to train a shipped model is read from its ``meta.json`` (``xxgk.train_seconds``).

The scaling rows (``--scaling``) time one document of growing length (``[bench] scaling_chars``):
the corpus's reports joined into one line with half-width punctuation, the text that lost its
breaks which once made the cost grow with the square of the length. Each is timed in a fresh
process right after a warm-up run on the smallest report (so the model is loaded and the
start-up is not in the figure); seconds per 10,000 characters should stay flat.

Start-up (spawning workers, imports, loading the model, writing and consolidating an output) is
a fixed cost that dominates a small corpus. So each setting is also run on the corpus's smallest
document alone: that run's time is the start-up, and ``chars / (seconds - startup)`` is the rate
after start-up, the one that holds for an archive of thousands of reports.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import psutil

from xxgk.extract.settings import load_settings

DEFAULT = "DEFAULT"


def default_corpus() -> Path:
    """``[bench] corpus`` when that folder exists, else the bundled examples."""
    configured = Path(load_settings()["bench"]["corpus"])
    return configured if configured.is_dir() else Path(str(resources.files("xxgk.extract") / "examples"))


@dataclass(frozen=True)
class BenchRow:
    model: str
    workers: int
    docs: int
    chars: int
    seconds: float  # best of the repeats, start-up included
    docs_per_s: float
    chars_per_s: float
    startup_seconds: float  # best of the repeats of a run on the smallest document alone
    chars_per_s_after_startup: float | None  # None: the corpus is too small to tell
    peak_rss_mb: float
    train_seconds: float | None  # None: not a trained model, or not recorded


@dataclass(frozen=True)
class ScalingRow:
    model: str
    chars: int  # of the one document
    seconds: float  # best of the repeats, after a warm-up run in the same process
    seconds_per_10k: float


@dataclass
class BenchReport:
    corpus: str
    repeat: int
    rows: list[BenchRow] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    scaling: list[ScalingRow] = field(default_factory=list)

    def scaling_spread(self, model: str) -> float | None:
        """Largest over smallest seconds per 10k characters of a model's scaling rows."""
        rates = [r.seconds_per_10k for r in self.scaling if r.model == model and r.seconds_per_10k > 0]
        return round(max(rates) / min(rates), 2) if len(rates) > 1 else None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def model_choices(names: list[str]) -> tuple[list[tuple[str, str, float | None]], list[str]]:
    """``(name, model to load, train_seconds)`` for each name (``DEFAULT``: the default model,
    ``configs/models.toml``), and a note for each name that cannot be benchmarked."""
    from xxgk.models.registry import RULES, default_model_name, shipped_models

    shipped = {m.name: m for m in shipped_models()}
    chosen, skipped = [], []
    for name in names:
        if name == DEFAULT:
            try:
                name = default_model_name()
            except LookupError as err:
                skipped.append(f"{DEFAULT}: {err}")
                continue
        if name == RULES:
            chosen.append((name, name, None))
        elif name in shipped:
            model = shipped[name]
            chosen.append((name, str(model.path), model.meta.get("xxgk", {}).get("train_seconds")))
        elif (Path(name) / "meta.json").is_file():  # a trained pipeline folder not (yet) shipped
            meta = json.loads((Path(name) / "meta.json").read_text(encoding="utf-8"))
            chosen.append((name, name, meta.get("xxgk", {}).get("train_seconds")))
        else:
            skipped.append(f"{name}: not rules-v1 nor a shipped model ({', '.join(shipped) or 'none shipped'})")
    return chosen, skipped


def _extract_in_child(conn: Any, corpus: str, model: str, workers: int) -> None:
    """Body of the measured process: one extract run into a scratch folder; sends the figures."""
    from xxgk.extract.runner import RunOptions, run_extract

    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as out:
        started = time.perf_counter()
        result = run_extract([corpus], Path(out) / "run", RunOptions(model=model, workers=workers))
        conn.send((time.perf_counter() - started, result.summary.documents, result.summary.chars))


def _warm_then_time(conn: Any, warm_up: str, corpus: str, model: str) -> None:
    """Body of a scaling process: one extract run to load everything, then the timed one."""
    from xxgk.extract.runner import RunOptions, run_extract

    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as out:
        run_extract([warm_up], Path(out) / "warm", RunOptions(model=model, workers=1))
        started = time.perf_counter()
        run_extract([corpus], Path(out) / "run", RunOptions(model=model, workers=1))
        conn.send(time.perf_counter() - started)


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:  # a worker exiting between the listing and the reading
            continue
    return total


def smallest_document(corpus: Path) -> Path:
    """The smallest file of ``corpus`` whose extension is a document format (not an archive)."""
    formats = load_settings()["formats"]
    files = [p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() in formats]
    if not files:
        raise RuntimeError(f"no document ({', '.join(formats)}) in {corpus} to measure the start-up with")
    return min(files, key=lambda p: (p.stat().st_size, str(p)))


def _in_child(target: Any, *args: Any) -> tuple[Any, int]:
    """Run ``target(conn, *args)`` in a fresh (spawned) process: what it sends, and the peak RSS of
    the process and its children, sampled every ``rss_interval`` seconds while it runs."""
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=target, args=(send, *args))
    child.start()
    send.close()
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        process = psutil.Process(child.pid)
        while not stop.is_set():
            try:
                peak = max(peak, _tree_rss(process))
            except psutil.Error:
                return
            stop.wait(load_settings()["bench"]["rss_interval"])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        return receive.recv(), peak
    except EOFError as err:  # the run failed: its traceback is on stderr
        raise RuntimeError(f"a benchmark run failed (exit code {child.exitcode}); "
                           "run `xxgk extract` on the same input to see why") from err
    finally:
        stop.set()
        sampler.join()
        child.join()


def measure(corpus: Path, model: str, workers: int) -> tuple[float, int, int, int]:
    """``(seconds, docs, chars, peak_rss_bytes)`` of one extract run in a fresh process."""
    (seconds, docs, chars), peak = _in_child(_extract_in_child, str(corpus), model, workers)
    return seconds, docs, chars, peak


def reencoded_corpus(corpus: Path, out: Path, n: int) -> Path:
    """``out`` filled with every file of ``corpus``, each UTF-8 ``.txt`` file also in the next
    ``n - 1`` encodings of ``[bench] encodings`` (``NAME.ENCODING.txt``)."""
    encodings = load_settings()["bench"]["encodings"]
    if not 1 <= n <= len(encodings):
        raise ValueError(f"--encodings must be between 1 and {len(encodings)}, not {n}")
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        target = out / path.relative_to(corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        if path.suffix.lower() != ".txt":
            continue
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        for encoding in encodings[1:n]:
            target.with_name(f"{path.stem}.{encoding}.txt").write_bytes(text.encode(encoding))
    return out


def one_line_document(corpus: Path, chars: int) -> str:
    """``chars`` characters of the corpus's UTF-8 ``.txt`` reports, joined on one line with
    half-width punctuation (repeated if the corpus is shorter)."""
    texts = []
    for path in sorted(corpus.rglob("*.txt")):
        try:
            texts.append(path.read_bytes().decode("utf-8"))
        except UnicodeDecodeError:
            continue
    if not texts:
        raise RuntimeError(f"no UTF-8 .txt report in {corpus} to build the scaling document from")
    line = " ".join(texts).translate(str.maketrans({"\n": " ", "\r": " ", "。": ".", "，": ",", "；": ";",
                                                     "：": ":", "！": "!", "？": "?"}))
    return (line * (chars // len(line) + 1))[:chars]


def bench(corpus: Path, models: list[str], workers: list[int], repeat: int = 1, encodings: int = 1,
          scaling: list[int] | None = None) -> BenchReport:
    """One row per (model, workers): speed of the best of ``repeat`` runs, the largest peak RSS,
    the start-up (best of ``repeat`` runs on the smallest document) and the rate after it.
    ``encodings`` > 1 runs over the corpus re-encoded (:func:`reencoded_corpus`); ``scaling``
    adds a row per model and document length (one worker)."""
    chosen, skipped = model_choices(models)
    report = BenchReport(str(corpus) if encodings == 1 else f"{corpus} × {encodings} encodings", repeat,
                         skipped=skipped)
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as scratch:
        one, many = Path(scratch) / "one", Path(scratch) / "corpus"
        one.mkdir()
        if encodings > 1:
            corpus = reencoded_corpus(corpus, many, encodings)
        smallest = smallest_document(corpus)
        shutil.copy2(smallest, one / smallest.name)
        for name, model, train_seconds in chosen:
            for n in workers:
                runs = [measure(corpus, model, n) for _ in range(repeat)]
                startup = min(measure(one, model, n)[0] for _ in range(repeat))
                seconds, docs, chars, _ = min(runs)
                after = round(chars / (seconds - startup)) if seconds > startup else None
                report.rows.append(BenchRow(
                    model=name, workers=n, docs=docs, chars=chars, seconds=round(seconds, 3),
                    docs_per_s=round(docs / seconds, 1), chars_per_s=round(chars / seconds),
                    startup_seconds=round(startup, 3), chars_per_s_after_startup=after,
                    peak_rss_mb=round(max(r[3] for r in runs) / 2**20, 1), train_seconds=train_seconds,
                ))
            for chars in scaling or []:
                folder = Path(scratch) / f"scaling-{chars}"
                folder.mkdir(exist_ok=True)
                (folder / "one-line.txt").write_text(one_line_document(corpus, chars), encoding="utf-8")
                seconds = min(_in_child(_warm_then_time, str(one), str(folder), model)[0] for _ in range(repeat))
                report.scaling.append(ScalingRow(name, chars, round(seconds, 3), round(seconds / chars * 1e4, 4)))
    return report

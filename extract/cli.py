"""Commands of the extract package: ``xxgk extract`` and ``xxgk bench``.

Thin: parse options, call :func:`~xxgk.extract.runner.run_extract` or
:func:`~xxgk.extract.bench.bench`, print. The runner, the writers (pyarrow) and the models are
imported inside the commands, so ``xxgk --help`` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import Progress, ProgressColumn, SpinnerColumn, Task, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from xxgk.errors import BAD_INPUT, InputError, describe, err_console
from xxgk.extract.table_cli import tables_cmd

if TYPE_CHECKING:
    from xxgk.extract.bench import BenchReport
    from xxgk.extract.runner import RunResult

console = Console()


class RateColumn(ProgressColumn):
    """Documents per second since the start."""

    def render(self, task: Task) -> Text:
        elapsed = task.elapsed or 0
        return Text(f"{task.completed / elapsed:.1f} docs/s" if elapsed else "", style="progress.data.speed")


def _choice(value: str | None, allowed: tuple[str, ...], option: str) -> str | None:
    if value is not None and value not in allowed:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(allowed)}", param_hint=option)
    return value


def extract_cmd(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders, glob patterns or archives (.zip, .tar.gz…).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output folder: new or empty, or with --resume "
                                                                "the folder of an interrupted run.")],
    model: Annotated[str | None, typer.Option("--model", help="Model name or folder, or rules-v1 "
                                                              "(default: configs/models.toml).")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="jsonl, parquet or both "
                                                             "(default: configs/extract.toml).")] = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Worker processes, each loading the "
                                                "model once (local default 1; dask: LocalCluster size).")] = None,
    engine: Annotated[str, typer.Option("--engine", help="local or dask.")] = "local",
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler address "
                                                  "(default: start a LocalCluster).")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Finish an interrupted run in OUTPUT.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when any input failed.")] = False,
    batch_size: Annotated[int | None, typer.Option("--batch-size", min=1, help="Documents per batch "
                                                   "(default: configs/extract.toml).")] = None,
    simplify: Annotated[bool, typer.Option("--simplify", help="Let the model read reports written in traditional "
                                           "characters converted to simplified ones (OpenCC); offsets and text "
                                           "stay those of the report as read.")] = False,
) -> None:
    """Run a model over report files: documents, entities, relations and facts as JSONL/Parquet.

    Exit status 1 when no document could be processed, or with --strict when any input failed
    (every failure is listed in OUTPUT/errors.jsonl).
    """
    from xxgk.extract.runner import ENGINES, RunOptions, run_extract
    from xxgk.extract.writers import FORMATS

    options = RunOptions(model=model, fmt=_choice(fmt, FORMATS, "--format"), workers=workers,
                         engine=_choice(engine, ENGINES, "--engine") or "local", scheduler=scheduler,
                         resume=resume, batch_size=batch_size, simplify=simplify)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed} done"),
               RateColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=err_console, transient=True) as bar:
            task = bar.add_task("extracting", total=None)
            result = run_extract(inputs, output, options, on_progress=lambda p: bar.update(
                task, completed=p.documents + p.errors + p.duplicates,
                description=f"{p.documents} docs, {p.errors} errors, {p.duplicates} duplicates"))
    except (InputError, LookupError, ValueError) as err:
        err_console.print(f"[red]error:[/red] {describe(err)}", highlight=False)
        raise typer.Exit(BAD_INPUT) from err
    except KeyboardInterrupt:
        err_console.print(f"interrupted: the finished batches are kept; finish with "
                          f"`xxgk extract … -o {output} --resume`")
        raise typer.Exit(130) from None
    _print_summary(result)
    summary = result.summary
    if summary.documents == 0:
        err_console.print("[red]no document could be processed[/red]")
        raise typer.Exit(1)
    if strict and summary.errors:
        raise typer.Exit(1)


def _print_summary(result: RunResult) -> None:
    s, p = result.summary, result.progress
    rate = (p.documents / result.seconds) if result.seconds else 0
    console.print(f"[bold]{s.documents}[/bold] documents ({s.chars} chars), [bold]{s.errors}[/bold] errors, "
                  f"[bold]{s.duplicates}[/bold] duplicates → {result.out}  "
                  f"[dim]({result.model}; this run: {p.documents} docs in {result.seconds:.1f}s, {rate:.1f} docs/s"
                  + (f"; {p.done_before} done before" if p.done_before else "") + ")[/dim]", highlight=False)
    counts = Table(title="Found")
    for col in ("kind", "label", "count"):
        counts.add_column(col, justify="right" if col == "count" else "left")
    for kind, per_label in (("entities", s.entities), ("relations", s.relations)):
        for label, count in per_label.items():
            counts.add_row(kind, label, str(count))
    counts.add_row("facts", "QUANTITY rows", str(s.facts))
    console.print(counts)
    if s.sample_facts:
        facts = Table(title=f"Facts (first {len(s.sample_facts)} of {s.facts}; all in facts.parquet)")
        cols = ("doc_id", "quantity", "value", "unit", "item", "channels", "date")
        for col in cols:
            facts.add_column(col, overflow="fold")
        for row in s.sample_facts:
            facts.add_row(*("、".join(row[c]) if c == "channels" else str(row[c] if row[c] is not None else "")
                            for c in cols))
        console.print(facts)
    if s.errors:
        console.print(f"[yellow]{s.errors} input(s) failed[/yellow]: see {result.out / 'errors.jsonl'}")


def _ints(value: str, option: str) -> list[int]:
    try:
        numbers = [int(part) for part in value.split(",") if part.strip()]
    except ValueError as err:
        raise typer.BadParameter(f"expected numbers separated by commas, not {value!r}", param_hint=option) from err
    if not numbers or min(numbers) < 1:
        raise typer.BadParameter("expected positive numbers", param_hint=option)
    return numbers


def bench_cmd(
    corpus: Annotated[Path | None, typer.Argument(help="Folder of reports (default: ../shared/corpus if "
                                                       "present, else the bundled examples).")] = None,
    workers: Annotated[str | None, typer.Option("--workers", help="Worker counts, comma-separated "
                                                "(default 1,2).")] = None,
    models: Annotated[str | None, typer.Option("--models", help="Models, comma-separated; DEFAULT is the "
                                               "default model (default DEFAULT,rules-v1).")] = None,
    repeat: Annotated[int, typer.Option("--repeat", min=1, help="Runs per setting; the best counts.")] = 1,
    encodings: Annotated[int, typer.Option("--encodings", min=1, help="Read each UTF-8 report this many times, "
                                           "in as many encodings ([bench] encodings): a larger run.")] = 1,
    scaling: Annotated[bool, typer.Option("--scaling", help="Also time one document of growing length "
                                          "([bench] scaling_chars): seconds per 10k chars should stay flat.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Speed (docs/s, chars/s) and peak memory of `xxgk extract` per model and number of workers."""
    from xxgk.extract.bench import bench, default_corpus
    from xxgk.extract.settings import load_settings

    cfg = load_settings()["bench"]
    folder = corpus or default_corpus()
    if not folder.is_dir():
        raise typer.BadParameter(f"not a folder: {folder}", param_hint="CORPUS")
    names = [m.strip() for m in (models or cfg["models"]).split(",") if m.strip()]
    try:
        report = bench(folder, names, _ints(workers or cfg["workers"], "--workers"), repeat, encodings,
                       scaling=cfg["scaling_chars"] if scaling else None)
    except (RuntimeError, ValueError, OSError) as err:
        err_console.print(f"[red]error:[/red] {describe(err)}", highlight=False)
        raise typer.Exit(BAD_INPUT) from err
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_bench(report)
    if not report.rows:
        raise typer.Exit(1)


def _print_bench(report: BenchReport) -> None:
    table = Table(title=f"xxgk extract on {report.corpus} (best of {report.repeat}; start-up included)")
    cols = ("model", "workers", "docs", "chars", "seconds", "docs/s", "chars/s", "start-up s",
            "chars/s after start-up", "peak RSS MB", "train s")
    for col in cols:
        table.add_column(col, justify="left" if col == "model" else "right")
    for r in report.rows:
        train = "-" if r.train_seconds is None else f"{r.train_seconds}"
        after = "-" if r.chars_per_s_after_startup is None else f"{r.chars_per_s_after_startup:,}"
        table.add_row(r.model, str(r.workers), str(r.docs), str(r.chars), f"{r.seconds:.2f}", f"{r.docs_per_s:.1f}",
                      f"{r.chars_per_s:,}", f"{r.startup_seconds:.2f}", after, f"{r.peak_rss_mb:.0f}", train)
    console.print(table)
    if report.scaling:
        grown = Table(title="One document of growing length (one line, half-width punctuation; one worker; "
                            "start-up taken off)")
        for col in ("model", "chars", "seconds", "s per 10k chars", "spread (max/min)"):
            grown.add_column(col, justify="left" if col == "model" else "right")
        for r in report.scaling:
            spread = report.scaling_spread(r.model)
            grown.add_row(r.model, f"{r.chars:,}", f"{r.seconds:.2f}", f"{r.seconds_per_10k:.3f}",
                          "-" if spread is None else f"{spread:.2f}×")
        console.print(grown)
    for note in report.skipped:
        console.print(f"[yellow]skipped[/yellow] {note}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("tables")(tables_cmd)
    app.command("extract")(extract_cmd)
    app.command("bench")(bench_cmd)

"""The ``xxgk`` command line: thin wrappers that parse options, call one function, print.

Each subpackage contributes its commands through a ``cli`` module with a ``register(app)``
function; heavy imports (spaCy, Label Studio, Dask) happen inside the commands, so ``--help``
stays fast.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from xxgk import __version__
from xxgk.corpus import Corpus
from xxgk.errors import BAD_INPUT, run
from xxgk.records import AnnotatedDoc
from xxgk.standoff import validate
from xxgk.stats import corpus_stats

app = typer.Typer(help="xxgk: data from 政府信息公开工作年度报告.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
corpus_app = typer.Typer(help="Check and describe stand-off annotation files.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")
console = Console()

GoldArg = Annotated[Path, typer.Argument(help="Gold/prediction JSONL file, or a folder of them.")]
CorpusOpt = Annotated[Path, typer.Option("--corpus", help="Folder of DOC_ID.txt files.")]


def _version(value: bool) -> None:
    if value:
        console.print(f"xxgk {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an error instead of one line "
                                        "(allowed anywhere on the command line).")] = False,
) -> None:
    """xxgk turns the narrative of government information-disclosure annual reports into data."""


def _valid_docs(gold: Path, corpus: Corpus) -> list[AnnotatedDoc]:
    """The documents of a gold file, or exit 2 (bad input) pointing at `xxgk corpus validate`."""
    docs, problems = validate(gold, corpus)
    if problems:
        console.print(f"[red]error:[/red] {gold}: {len(problems)} problem(s); run `xxgk corpus validate` first")
        raise typer.Exit(BAD_INPUT)
    return docs


@corpus_app.command("validate")
def validate_cmd(gold: GoldArg, corpus: CorpusOpt) -> None:
    """Check every record against its text and the schema; exit 1 listing every problem."""
    docs, problems = validate(gold, Corpus(corpus))
    for problem in problems:
        console.print(str(problem), markup=False, highlight=False)
    if problems:
        console.print(f"[red]{len(problems)} problem(s)[/red] in {gold}")
        raise typer.Exit(1)
    console.print(f"[green]ok[/green]: {len(docs)} documents valid in {gold}")


@corpus_app.command("stats")
def stats_cmd(
    gold: GoldArg,
    corpus: CorpusOpt,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    split: Annotated[str | None, typer.Option("--split", help="Only this split (train, dev, test, sealed).")] = None,
    splits: Annotated[Path, typer.Option("--splits", help="splits.json: without --split, one column per split "
                                         "when the file exists.")] = Path("annotation/splits.json"),
) -> None:
    """Documents, characters, entities and relations per label, and documents by report era, level
    and part: for the whole gold and each split holding some of it (or only --split)."""
    corp = Corpus(corpus)
    docs = _valid_docs(gold, corp)
    columns: dict[str, list[AnnotatedDoc]] = {"all gold": docs}
    if split is not None or splits.is_file():
        from xxgk.annotation.splits import read_splits

        ids = read_splits(splits)
        if split is not None and split not in ids:
            raise typer.BadParameter(f"no split {split!r} in {splits} (has {', '.join(ids)})", param_hint="--split")
        wanted = [split] if split is not None else list(ids)
        chosen = {name: [d for d in docs if d.doc_id in set(ids[name])] for name in wanted}
        columns = chosen if split is not None else {**columns, **{n: c for n, c in chosen.items() if c}}
    stats = {name: corpus_stats(members, corp) for name, members in columns.items()}
    if as_json:
        typer.echo(json.dumps(stats if len(stats) > 1 else next(iter(stats.values())), ensure_ascii=False, indent=2))
        return
    names = list(stats)
    table = Table(title=f"{gold}: documents, characters and annotations per split")
    for col in ("kind", "label", *names):
        table.add_column(col, justify="left" if col in ("kind", "label") else "right")
    table.add_row("", "documents", *(str(stats[n]["docs"]) for n in names))
    table.add_row("", "characters", *(str(stats[n]["chars"]) for n in names))
    for kind in ("entities", "relations"):
        for label in stats[names[0]][kind]:
            table.add_row(kind, label, *(str(stats[n][kind][label]) for n in names))
    for field in stats[names[0]]["by"]:
        values = sorted({v for n in names for v in stats[n]["by"][field]})
        for value in values:
            table.add_row(f"docs by {field}", value, *(str(stats[n]["by"][field].get(value, 0)) for n in names))
    console.print(table)


@corpus_app.command("split")
def split_cmd(
    gold: GoldArg,
    corpus: CorpusOpt,
    output: Annotated[Path, typer.Option("-o", "--output", help="splits.json to write.")],
) -> None:
    """Draw train/dev/test by document, grouped by agency (settings: configs/splits.toml)."""
    from xxgk.annotation.splits import make_splits

    corp = Corpus(corpus)
    docs = _valid_docs(gold, corp)
    counts = {d.doc_id: Counter([e.label for e in d.entities] + [r.label for r in d.relations]) for d in docs}
    splits = make_splits(counts, corp.manifest)
    output.write_text(json.dumps(splits, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    console.print({name: len(ids) for name, ids in splits.items()})


@corpus_app.command("extend-splits")
def extend_splits_cmd(
    corpus: CorpusOpt,
    splits: Annotated[Path, typer.Option("--splits", help="The fixed splits.json to extend.")] = Path(
        "annotation/splits.json"),
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Where to write (default: --splits).")] = None,
) -> None:
    """Place the corpus documents that are in no split yet: a sealed test share first, then dev and
    train, whole agencies (settings: [extend] in configs/splits.toml). Placed documents never move."""
    from xxgk.annotation.splits import extend_splits, read_splits

    corp = Corpus(corpus)
    current = read_splits(splits)
    placed = {d for ids in current.values() for d in ids}
    new_ids = [d for d in corp.doc_ids if d not in placed]
    extended = extend_splits(current, new_ids, corp.manifest)
    target = output or splits
    target.write_text(json.dumps(extended, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    console.print({name: len(ids) - len(current[name]) for name, ids in extended.items()}, "new documents placed")


def _register_subcommands() -> None:
    for package in ("extract", "models", "eval", "annotation"):
        name = f"xxgk.{package}.cli"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name).register(app)


_register_subcommands()


def entry() -> None:
    """The ``xxgk`` console script: the app, with bad input reported in one line (:mod:`xxgk.errors`)."""
    run(app)

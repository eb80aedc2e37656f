"""``xxgk label``: labeling config, local server, push tasks, pull gold, offline conversion.

Thin wrappers: parse options, call one function, print. The SDK, the server package and the
model (spaCy) are imported inside the commands that need them, so ``xxgk --help`` stays fast.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from xxgk.annotation.convert import GoldResult
from xxgk.annotation.select import STRATEGIES
from xxgk.annotation.settings import ENV_PASSWORD, ENV_TOKEN, ENV_URL, ENV_USERNAME, load_settings
from xxgk.corpus import Corpus
from xxgk.errors import InputError, reported
from xxgk.records import AnnotatedDoc

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio

    from xxgk.annotation.client import PushReport

console = Console(soft_wrap=True)
label_app = typer.Typer(help="The Label Studio loop: config, server, push tasks, pull gold, convert.",
                        no_args_is_help=True)


Strategy = StrEnum("Strategy", {name: name for name in STRATEGIES})


class Prefer(StrEnum):
    newest = "newest"


CorpusOpt = Annotated[Path, typer.Option("--corpus", help="Folder of DOC_ID.txt files.")]
ProjectOpt = Annotated[str, typer.Option("--project", help="Project title (found by exact title).")]
UrlOpt = Annotated[str | None, typer.Option("--url", envvar=ENV_URL, show_default=False,
                                            help="Server URL (default: configs/labelstudio.toml).")]
TokenOpt = Annotated[str, typer.Option("--token", envvar=ENV_TOKEN, show_default=False, help="API token.")]
PreferOpt = Annotated[Prefer | None, typer.Option(
    "--prefer", help="Several annotations on a task: take the newest (default: skip the task and list it).")]
DataDirOpt = Annotated[Path | None, typer.Option(
    "--data-dir", help="sqlite data dir (default: the settings', under the project root).")]
PortOpt = Annotated[int | None, typer.Option("--port", help="Port on 127.0.0.1 (0: any free one).")]
UsernameOpt = Annotated[str, typer.Option("--username", envvar=ENV_USERNAME, show_default=False,
                                          help="Admin e-mail, created on first start.")]
PasswordOpt = Annotated[str, typer.Option("--password", envvar=ENV_PASSWORD, show_default=False,
                                          help="Admin password.")]
DocsOpt = Annotated[list[str] | None, typer.Option("--docs", help="Doc ids (repeat, or separate by commas).")]
GoldOpt = Annotated[Path | None, typer.Option("--gold", help="Gold JSONL: its docs, as finished annotations")]
ModelOpt = Annotated[str | None, typer.Option("--model", help="Model for pre-annotations (name or path).")]
PerSectionOpt = Annotated[bool, typer.Option("--per-section", help="One task per section, not per document.")]
SelectOpt = Annotated[Strategy | None, typer.Option("--select", help="Pick -n docs: least sure, or random.")]
CountOpt = Annotated[int | None, typer.Option("-n", min=1, help="How many docs --select picks.")]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Seed of --select random (default: settings).")]
KeepEmptyOpt = Annotated[bool, typer.Option(
    "--keep-empty", help="Write documents whose annotations are empty (default: warn and leave them out).")]


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(1)


@label_app.command("config")
def config_cmd() -> None:
    """Print the labeling config generated from the schema (paste into Settings → Labeling Interface)."""
    from xxgk.annotation.labelstudio_config import label_config

    typer.echo(label_config())


@label_app.command("serve")
def serve_cmd(
    data_dir: DataDirOpt = None,
    port: PortOpt = None,
    username: UsernameOpt = "",
    password: PasswordOpt = "",
    token: TokenOpt = "",
) -> None:
    """Run Label Studio on 127.0.0.1 (offline, no telemetry) until Ctrl-C."""
    from xxgk.annotation.server import ServerError, start_server, token_accepted
    from xxgk.annotation.settings import Credentials

    settings = load_settings().server
    credentials = Credentials(username, password, token)
    where = data_dir.resolve() if data_dir else settings.data_dir
    signal.signal(signal.SIGTERM, _interrupt)  # a supervisor's stop must not orphan the server
    try:
        with console.status(f"starting Label Studio (data in {where}; a fresh one takes about a minute)"):
            server = start_server(settings, credentials, data_dir=where, port=port)
    except ServerError as err:
        raise _fail(str(err)) from None
    except KeyboardInterrupt:
        raise _fail("interrupted while starting; the server was stopped") from None
    console.print(f"[green]Label Studio is up[/green] after {server.seconds_to_ready:.1f} s: open "
                  f"[bold]{server.url}[/bold] and sign in as {username}", highlight=False)
    console.print(f"data: {server.data_dir}   log: {server.log}   API: export {ENV_URL}={server.url}",
                  highlight=False)
    if server.fresh:
        console.print(f"[yellow]note:[/yellow] {server.data_dir} held no Label Studio database: this is a new, "
                      "empty one (no projects yet)", highlight=False)
    if not token_accepted(server.url, token):
        console.print(f"[yellow]warning:[/yellow] the server refuses {ENV_TOKEN}: this data dir was created "
                      "with another token (the first start sets it)")
    console.print("Ctrl-C stops it.")
    try:
        server.process.wait()
    except KeyboardInterrupt:
        console.print("stopping Label Studio")
    finally:
        server.stop()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextmanager
def _session(url: str | None, token: str) -> Iterator[tuple[LabelStudio, str]]:
    """An SDK client for ``url`` (or the configured server); errors become a clean exit."""
    from xxgk.annotation.client import LabelStudioError, connect, talking_to

    url = url or load_settings().server.url
    if not token:
        raise _fail(f"set {ENV_TOKEN} (or --token) to the server's API token")
    try:
        with talking_to(url):
            yield connect(url, token), url
    except LabelStudioError as err:
        raise _fail(str(err)) from None


def _doc_ids(corpus: Corpus, docs: list[str] | None, gold: dict[str, AnnotatedDoc]) -> list[str]:
    """``--docs`` (repeated or comma-separated), else the gold file's docs, else the whole corpus."""
    if gold:
        return list(gold)
    if not docs:
        return corpus.doc_ids
    ids = [d for item in docs for d in item.split(",") if d]
    unknown = [d for d in ids if d not in corpus]
    if unknown:
        raise _fail(f"not in corpus {corpus.root}: {', '.join(unknown)}")
    return ids


def _predict(model: str, corpus: Corpus, doc_ids: list[str]) -> tuple[str, dict[str, AnnotatedDoc]]:
    """Run a registered model (spaCy lives behind this import, never in the Label Studio code)."""
    from xxgk.models.registry import load_model

    try:
        loaded = load_model(model)
    except LookupError as err:
        raise _fail(str(err)) from None
    with console.status(f"predicting {len(doc_ids)} documents with {loaded.name}"):
        predictions = {d.doc_id: d for d in loaded.predict((i, corpus.text(i)) for i in doc_ids)}
    return loaded.name, predictions


def _sections(text: str) -> list[tuple[int, int]]:
    """One task per block the schema annotates (tables are left out), from the section splitter."""
    from xxgk.extract.document import PROSE_KINDS
    from xxgk.extract.sections import split_sections

    return [(b.start, b.end) for b in split_sections(text)
            if b.kind in PROSE_KINDS and text[b.start:b.end].strip()]


@label_app.command("push")
def push_cmd(
    project: ProjectOpt,
    corpus: CorpusOpt,
    docs: DocsOpt = None,
    gold: GoldOpt = None,
    model: ModelOpt = None,
    per_section: PerSectionOpt = False,
    select: SelectOpt = None,
    n: CountOpt = None,
    seed: SeedOpt = None,
    url: UrlOpt = None,
    token: TokenOpt = "",
) -> None:
    """Create or update a project and import tasks, with model predictions as pre-annotations."""
    from xxgk.annotation.client import project_doc_ids, push
    from xxgk.standoff import StandoffError, load_docs

    if docs and gold:
        raise _fail("give --docs or --gold, not both")
    if (select is None) != (n is None):
        raise _fail("--select and -n go together")
    if select is Strategy.uncertain and not model:
        raise _fail("--select uncertain needs --model (its scores rank the documents)")
    corp = Corpus(corpus)
    try:
        gold_docs = {d.doc_id: d for d in load_docs(gold, corp)} if gold else {}
    except StandoffError as err:
        raise _fail(f"{gold} is not valid gold:\n{err}") from None
    ids = _doc_ids(corp, docs, gold_docs)
    with _session(url, token) as (client, where):
        present = project_doc_ids(client, project)
        pool = [d for d in ids if d not in present]
        chosen, version, predictions = _choose(corp, pool, select, n, seed, model)
        report = push(client, project, ((d, corp.text(d)) for d in chosen), predictions=predictions,
                      model_version=version, gold=gold_docs, sections=_sections if per_section else None)
    console.print(f"project [bold]{escape(project)}[/bold] (id {report.project_id}): {report.project.value}  "
                  f"{where}/projects/{report.project_id}", highlight=False)
    if select:
        console.print(f"selected {len(chosen)} of {len(pool)} by {select.value}", highlight=False)
    _print_sent(report, predictions, gold_docs, version, per_section)
    already = [d for d in ids if d in present] + report.already
    if already:
        console.print(f"already in the project, left alone ({len(already)}): {', '.join(already)}", highlight=False)
    if report.dropped_entities or report.dropped_relations:
        console.print(f"pre-annotations outside every task, not sent: {report.dropped_entities} entities, "
                      f"{report.dropped_relations} relations", highlight=False)


def _print_sent(report: PushReport, predictions: dict[str, AnnotatedDoc], gold: dict[str, AnnotatedDoc],
                version: str, per_section: bool) -> None:
    """One row per document sent: its tasks, and the pre-annotations or finished annotations they carry."""
    if not report.sent:
        console.print("nothing sent: no document to add")
        return
    columns = [(f"pre-annotations ({version})", predictions)] if version else []
    columns += [("finished annotations", gold)] if gold else []
    console.print(f"sent {len(report.sent)} document(s), {report.tasks} task(s)"
                  + (" (per section)" if per_section else "") + ":", highlight=False)
    table = Table()
    for name in ("doc", "tasks", *(name for name, _ in columns)):
        table.add_column(name)
    for doc_id, tasks in report.sent.items():
        table.add_row(doc_id, str(tasks), *(_counts(source.get(doc_id)) for _, source in columns))
    console.print(table)


def _counts(doc: AnnotatedDoc | None) -> str:
    return f"{len(doc.entities)} entities, {len(doc.relations)} relations" if doc else "none"


def _choose(corpus: Corpus, pool: list[str], select: Strategy | None, n: int | None, seed: int | None,
            model: str | None) -> tuple[list[str], str, dict[str, AnnotatedDoc]]:
    """``(doc ids to push, model version, predictions)``: uncertainty needs the model's scores on
    the whole pool; otherwise the model runs on the chosen documents only."""
    from xxgk.annotation.select import most_uncertain, random_docs

    if select is Strategy.uncertain and model and n:
        version, predictions = _predict(model, corpus, pool)
        try:
            return most_uncertain(predictions.values(), n), version, predictions
        except ValueError as err:
            raise _fail(str(err)) from None
    chosen = pool
    if select is Strategy.random and n:
        chosen = random_docs(pool, n, load_settings().select_seed if seed is None else seed)
    return (chosen, *_predict(model, corpus, chosen)) if model else (chosen, "", {})


@label_app.command("pull")
def pull_cmd(
    project: ProjectOpt,
    corpus: CorpusOpt,
    output: Annotated[Path, typer.Option("-o", "--output", help="Gold JSONL to write.")],
    prefer: PreferOpt = None,
    keep_empty: KeepEmptyOpt = False,
    url: UrlOpt = None,
    token: TokenOpt = "",
) -> None:
    """Export the project's finished annotations as validated schema JSONL gold."""
    from xxgk.annotation.client import pull

    corp = Corpus(corpus)
    with _session(url, token) as (client, _):
        result = pull(client, project, corp, prefer_newest=prefer is Prefer.newest, keep_empty=keep_empty)
    _write_gold(result, output, keep_empty)


@label_app.command("convert")
def convert_cmd(
    source: Annotated[Path, typer.Argument(help="Label Studio JSON export (.json), or gold JSONL / folder.")],
    target: Annotated[Path, typer.Argument(help="Gold JSONL, or Label Studio JSON tasks to import.")],
    corpus: CorpusOpt,
    prefer: PreferOpt = None,
    keep_empty: KeepEmptyOpt = False,
) -> None:
    """Offline, both ways: Label Studio JSON export → gold JSONL, or gold JSONL → Label Studio tasks."""
    from xxgk.annotation.convert import gold_from_tasks, tasks_from_gold
    from xxgk.standoff import load_docs

    with reported():
        corp = Corpus(corpus)
        if source.suffix == ".json":
            result = gold_from_tasks(_read_export(source), corp, prefer_newest=prefer is Prefer.newest,
                                     keep_empty=keep_empty)
        else:
            docs = load_docs(source, corp)
    if source.suffix == ".json":
        _write_gold(result, target, keep_empty)
        return
    tasks = tasks_from_gold(docs, corp)
    target.write_text(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    console.print(f"{len(tasks)} tasks ({sum(len(d.entities) for d in docs)} entities, "
                  f"{sum(len(d.relations) for d in docs)} relations) → {target}", highlight=False)


def _read_export(source: Path) -> list[Any]:
    """The tasks of a Label Studio JSON export; InputError naming the file when it is not one."""
    try:
        tasks = json.loads(source.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as err:
        raise InputError(f"{source}: not UTF-8 text ({err.reason}): not a Label Studio JSON export") from err
    except json.JSONDecodeError as err:
        raise InputError(f"{source}: not valid JSON ({err.msg}, line {err.lineno} column {err.colno}): "
                         "a truncated or damaged export?") from err
    if not isinstance(tasks, list):
        raise InputError(f"{source}: not a Label Studio JSON export (a list of tasks)")
    return tasks


def _write_gold(result: GoldResult, output: Path, keep_empty: bool) -> None:
    """Write the gold records, then say what was left out and why; exit 1 if anything was wrong."""
    from xxgk.standoff import write_docs

    count = write_docs(result.docs, output)
    console.print(f"[green]{count}[/green] documents ({sum(len(d.entities) for d in result.docs)} entities, "
                  f"{sum(len(d.relations) for d in result.docs)} relations) → {output}", highlight=False)
    if result.empty:
        fate = "written with 0 entities (--keep-empty)" if keep_empty else "left out (--keep-empty writes them)"
        console.print(f"[yellow]warning:[/yellow] {len(result.empty)} document(s) submitted with empty annotations, "
                      f"{fate}: {', '.join(result.empty)}", highlight=False)
    if result.unchanged:
        console.print(f"[yellow]note:[/yellow] {len(result.unchanged)} document(s) are the model's pre-annotations "
                      f"submitted unchanged (label_studio.unchanged_prediction in the gold): "
                      f"{', '.join(result.unchanged)}", highlight=False)
    if result.utf16_spans:
        console.print(f"{result.utf16_spans} span(s) had UTF-16 offsets; converted to code points")
    if result.disagreements:
        table = Table(title="tasks with several annotations")
        for column in ("doc", "task", "annotations", "strict entity F1", "taken"):
            table.add_column(column)
        for d in result.disagreements:
            taken = f"newest ({d.taken})" if d.taken is not None else "[yellow]none: doc skipped[/yellow]"
            ids = ", ".join(map(str, d.annotation_ids))
            table.add_row(d.doc_id, str(d.task_id), ids, f"{d.f1:.3f}", taken)
        console.print(table)
    if result.pending:
        console.print(f"not yet fully annotated, left out: {', '.join(result.pending)}", highlight=False)
    for issue in result.issues:
        console.print(str(issue), markup=False, highlight=False)
    if result.issues:  # the command ran and found problems: status 1, not the bad-input 2
        console.print(f"[red]{len(result.issues)} problem(s)[/red]: those documents were left out", highlight=False)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(label_app, name="label")

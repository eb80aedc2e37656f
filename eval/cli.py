"""``xxgk eval`` (with ``curve`` and ``agreement``) and ``xxgk compare``: parse, call one
function of :mod:`xxgk.eval.api`, render. Scoring modules, matplotlib and the model package
are imported inside the commands, so ``xxgk --help`` stays fast and spaCy is loaded only
when a model is actually run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from xxgk.errors import err_console, reported

if TYPE_CHECKING:
    from xxgk.eval.config import EvalConfig
    from xxgk.eval.report import Block
    from xxgk.eval.systems import Model

console = Console()

GoldOpt = Annotated[Path | None, typer.Option("--gold", help="Gold JSONL file, or a folder of them.")]
CorpusOpt = Annotated[Path | None, typer.Option("--corpus", help="Folder of DOC_ID.txt files.")]
SplitOpt = Annotated[str | None, typer.Option("--split", help="Score only this split (train, dev, test); "
                                                            "default: every gold document.")]
SplitsOpt = Annotated[Path, typer.Option("--splits", help="JSON file: split name → list of doc ids.")]
IgnoreOpt = Annotated[bool, typer.Option("--ignore-unknown",
                                         help="Skip (and report) predictions for documents not in gold.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the full result as JSON instead of tables.")]
JsonOutOpt = Annotated[Path | None, typer.Option("--json-out", help="Also write the full JSON result here.")]
ReportOpt = Annotated[Path | None, typer.Option("--report", help="Write report.md and report.html here.")]
EvalConfigOpt = Annotated[Path | None, typer.Option("--eval-config",
                                                    help="Tunables file (default: configs/eval.toml).")]
ByOpt = Annotated[str | None, typer.Option(
    "--by", help="Error slices: manifest field(s), comma-separated (year, level, part, province, era = "
                 "-2018 / 2019-2020 / 2021-); strict F1 with intervals per combination of values.")]
DEFAULT_SPLITS = Path("annotation/splits.json")
SYNTHETIC, SYNTHETIC_CORPUS = Path("annotation/synthetic/synthetic-v1.jsonl"), Path("annotation/synthetic/corpus")


def _load_model(name_or_path: str) -> Model:
    from xxgk.models.registry import load_model

    return load_model(name_or_path)


def _config(path: Path | None) -> EvalConfig:
    from xxgk.eval.config import load_config

    try:
        return load_config(path)
    except (ValueError, OSError) as err:
        raise typer.BadParameter(str(err), param_hint="--eval-config") from err


def _require(**options: Any) -> None:
    missing = [f"--{name.replace('_', '-')}" for name, value in options.items() if value is None]
    if missing:
        raise typer.BadParameter(f"missing option(s): {', '.join(missing)}")


def _emit(result: dict[str, Any], title: str, blocks: Callable[[bool], list[Block]], *, as_json: bool,
          json_out: Path | None, report: Path | None) -> None:
    """The three outputs: tables (or JSON) on stdout, a JSON file, a report folder."""
    from xxgk.eval.report import print_blocks, write_report

    text = json.dumps(result, ensure_ascii=False, indent=2)
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(text + "\n", encoding="utf-8")
    if as_json:
        typer.echo(text)
    else:
        print_blocks(title, blocks(False), console)
    if report:
        written = write_report(report, title, blocks(True))
        pages = ", ".join(str(p) for p in written if p.suffix != ".png")
        err_console.print(f"report: {pages}", highlight=False)


def eval_main(
    ctx: typer.Context,
    model: Annotated[str | None, typer.Option("--model", help="Model name or folder to run.")] = None,
    pred: Annotated[Path | None, typer.Option("--pred", help="Saved predictions (JSONL) to score.")] = None,
    gold: GoldOpt = None,
    corpus: CorpusOpt = None,
    split: SplitOpt = None,
    splits: SplitsOpt = DEFAULT_SPLITS,
    ignore_unknown: IgnoreOpt = False,
    as_json: JsonOpt = False,
    json_out: JsonOutOpt = None,
    report: ReportOpt = None,
    eval_config: EvalConfigOpt = None,
    by: ByOpt = None,
    pred_out: Annotated[Path | None, typer.Option("--pred-out", help="With --model: also write the model's "
                                                  "predictions (JSONL); refused for the sealed split.")] = None,
) -> None:
    """Score a model (--model) or saved predictions (--pred) against gold: entities in the four
    SemEval-2013 modes, relations strict and relaxed, per label, with bootstrap intervals. On the
    sealed split only aggregate figures are shown."""
    if ctx.invoked_subcommand is not None:
        return
    if model is None and pred is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(2)
    if model is not None and pred is not None:
        raise typer.BadParameter("give either --model or --pred, not both")
    if pred_out is not None and model is None:
        raise typer.BadParameter("--pred-out writes a model's predictions: give --model")
    _require(gold=gold, corpus=corpus)
    from xxgk.eval.api import GoldSpec, run_eval
    from xxgk.eval.views import eval_blocks
    from xxgk.standoff import write_docs

    config = _config(eval_config)
    with reported():
        result = run_eval(GoldSpec(gold, corpus, split, splits), config, pred=pred, model=model,
                          load_model=_load_model, ignore_unknown=ignore_unknown, by=[by] if by else None,
                          keep_predictions=pred_out is not None)
    if pred_out is not None:
        write_docs(result.pop("predictions"), pred_out)
        err_console.print(f"predictions of {result['system']} → {pred_out}", highlight=False)
    for line in ("missing_predictions", "ignored_unknown") if as_json else ():  # tables show them
        if result[line]:
            err_console.print(f"[yellow]note:[/yellow] {line.replace('_', ' ')}: {', '.join(result[line])}")
    _emit(result, f"xxgk eval: {result['system']}",
          lambda plots: eval_blocks(result, console_rows=config.console_rows, plots=plots),
          as_json=as_json, json_out=json_out, report=report)


def compare_cmd(
    systems: Annotated[list[str], typer.Argument(
        help="Two or more systems, prediction .jsonl files or models; the first is the baseline.")],
    gold: GoldOpt = None,
    corpus: CorpusOpt = None,
    split: SplitOpt = None,
    splits: SplitsOpt = DEFAULT_SPLITS,
    ignore_unknown: IgnoreOpt = False,
    as_json: JsonOpt = False,
    json_out: JsonOutOpt = None,
    report: ReportOpt = None,
    eval_config: EvalConfigOpt = None,
    by: ByOpt = None,
) -> None:
    """Compare systems on the same gold: F1 side by side, deltas vs the first with paired-bootstrap
    intervals and p-values, and the documents that differ most (not on the sealed split)."""
    if len(systems) < 2:
        raise typer.BadParameter("give at least two systems")
    _require(gold=gold, corpus=corpus)
    from xxgk.eval.api import GoldSpec, run_compare
    from xxgk.eval.views import compare_blocks

    config = _config(eval_config)
    with reported():
        result = run_compare(systems, GoldSpec(gold, corpus, split, splits), config, load_model=_load_model,
                             ignore_unknown=ignore_unknown, by=[by] if by else None)
    _emit(result, f"xxgk compare: {' vs '.join(result['systems'])}",
          lambda plots: compare_blocks(result, console_rows=config.console_rows, plots=plots),
          as_json=as_json, json_out=json_out, report=report)


def curve_cmd(
    config: Annotated[Path | None, typer.Option("--config", help="Training config for the trainer.")] = None,
    gold: GoldOpt = None,
    corpus: CorpusOpt = None,
    splits: SplitsOpt = DEFAULT_SPLITS,
    output: Annotated[Path, typer.Option("--output", help="Folder for the models.")] = Path("runs/curve"),
    seed: Annotated[int, typer.Option("--seed", help="Training seed.")] = 0,
    as_json: JsonOpt = False,
    json_out: JsonOutOpt = None,
    report: ReportOpt = None,
    eval_config: EvalConfigOpt = None,
) -> None:
    """Learning curve: train on growing shares of the train split, score on dev, say if still rising."""
    _require(gold=gold, corpus=corpus)
    from xxgk.eval.api import GoldSpec, run_curve
    from xxgk.eval.views import curve_blocks
    from xxgk.models.training import train_model

    settings = _config(eval_config)
    with reported():
        result = run_curve(GoldSpec(gold, corpus, None, splits), output, settings, train_model=train_model,
                           load_model=_load_model, train_config=config, seed=seed,
                           progress=lambda msg: err_console.print(msg, highlight=False))
    _emit(result, "xxgk learning curve", lambda plots: curve_blocks(result, plots=plots),
          as_json=as_json, json_out=json_out, report=report)


def cv_cmd(
    pred_out: Annotated[Path, typer.Option("--pred-out", help="Out-of-fold predictions (JSONL) go here.")],
    config: Annotated[Path | None, typer.Option("--config", help="Training config (default configs/ner.cfg).")] = None,
    gold: GoldOpt = None,
    corpus: CorpusOpt = None,
    splits: SplitsOpt = DEFAULT_SPLITS,
    synthetic: Annotated[Path | None, typer.Option("--synthetic", help="Marked synthetic gold, added to "
                                                   "every fold's training.")] = SYNTHETIC,
    synthetic_corpus: Annotated[Path, typer.Option("--synthetic-corpus", help="Its texts.")] = SYNTHETIC_CORPUS,
    output: Annotated[Path, typer.Option("--output", help="Folder for the fold models.")] = Path("runs/cv"),
    seed: Annotated[int | None, typer.Option("--seed", help="Training seed (default: the config's).")] = None,
    overrides: Annotated[list[str] | None, typer.Option("--set", help="Override a config value, spaCy style: "
                                                        "section.key=value (JSON); repeatable. The merged config "
                                                        "is kept as OUTPUT/config.cfg.")] = None,
    eval_config: EvalConfigOpt = None,
) -> None:
    """Cross-validation over the train and dev documents (never test): K models, each predicting the
    fold it did not see. Compare configs with `xxgk compare A.jsonl B.jsonl --split train+dev`.
    Run again with the same --output to resume: folds already trained on the same documents, config
    and seed are loaded, not trained."""
    _require(gold=gold, corpus=corpus)
    from xxgk.eval.crossval import crossval_predict
    from xxgk.models.training import config_with_overrides, load_training_data, train_model
    from xxgk.standoff import write_docs

    settings = _config(eval_config)
    with reported(ValueError):
        config = config_with_overrides(config, overrides or [], output)
        data = load_training_data(gold, corpus, splits, synthetic, synthetic_corpus)
        preds = crossval_predict(data.train + data.dev, data.corpus, output, k=settings.crossval_folds,
                                 fold_seed=settings.crossval_seed, train_model=train_model, load_model=_load_model,
                                 extra_train=data.synthetic, train_config=config, seed=seed,
                                 progress=lambda msg: err_console.print(msg, highlight=False))
    write_docs(preds, pred_out)
    console.print(f"{len(preds)} out-of-fold predictions → {pred_out}; score them with `xxgk eval --pred {pred_out} "
                  f"--split train+dev` or pair two configs with `xxgk compare A.jsonl B.jsonl --split train+dev`")


def agreement_cmd(
    pass1: Annotated[Path, typer.Argument(help="First annotation pass (JSONL file or folder).")],
    pass2: Annotated[Path, typer.Argument(help="Second annotation pass (JSONL file or folder).")],
    corpus: CorpusOpt = None,
    as_json: JsonOpt = False,
    json_out: JsonOutOpt = None,
    report: ReportOpt = None,
    eval_config: EvalConfigOpt = None,
) -> None:
    """Inter-annotator agreement of two passes: strict entity and relation F1 per label, with intervals."""
    _require(corpus=corpus)
    from xxgk.eval.api import run_agreement
    from xxgk.eval.views import agreement_blocks

    config = _config(eval_config)
    with reported():
        result = run_agreement(pass1, pass2, corpus, config)
    _emit(result, f"xxgk agreement: {pass1} vs {pass2}", lambda plots: agreement_blocks(result, plots=plots),
          as_json=as_json, json_out=json_out, report=report)


def register(app: typer.Typer) -> None:
    eval_app = typer.Typer(invoke_without_command=True)
    eval_app.callback()(eval_main)
    eval_app.command("curve")(curve_cmd)
    eval_app.command("cv")(cv_cmd)
    eval_app.command("agreement")(agreement_cmd)
    app.add_typer(eval_app, name="eval")
    app.command("compare")(compare_cmd)

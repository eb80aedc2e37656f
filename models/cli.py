"""Commands of the models package: train, predict, models list."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

console = Console()
models_app = typer.Typer(help="Shipped model versions.", no_args_is_help=True)


GoldOpt = Annotated[Path, typer.Option("--gold", help="Gold JSONL file or folder.")]
CorpusOpt = Annotated[Path, typer.Option("--corpus", help="Folder of DOC_ID.txt files.")]
SplitsOpt = Annotated[Path, typer.Option("--splits", help="splits.json (train/dev/test doc ids).")]
SyntheticOpt = Annotated[Path | None, typer.Option("--synthetic", help="Marked synthetic gold, train only.")]
SyntheticCorpusOpt = Annotated[Path, typer.Option("--synthetic-corpus", help="Texts of the synthetic gold.")]
GOLD, CORPUS, SPLITS = Path("annotation/gold"), Path("../shared/corpus"), Path("annotation/splits.json")
SYNTHETIC, SYNTHETIC_CORPUS = Path("annotation/synthetic/synthetic-v1.jsonl"), Path("annotation/synthetic/corpus")


def train_cmd(
    gold: GoldOpt = GOLD,
    corpus: CorpusOpt = CORPUS,
    splits: SplitsOpt = SPLITS,
    synthetic: SyntheticOpt = SYNTHETIC,
    synthetic_corpus: SyntheticCorpusOpt = SYNTHETIC_CORPUS,
    config: Annotated[Path | None, typer.Option("--config", help="spaCy config (default configs/ner.cfg).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Default: the config's [system] seed.")] = None,
    version: Annotated[str, typer.Option("--version", help="Version of the model (semver).")] = "0.0.0",
    output: Annotated[Path, typer.Option("--output", help="Working folder for the run.")] = Path("training"),
    ship_it: Annotated[bool, typer.Option("--ship", help="Copy the result into models/xxgk-zh-VERSION.")] = False,
) -> None:
    """Train NER (spacy train, or the CRFs of a CRF config) + relations on the train split and score
    dev; with --ship also score test and the sealed split (aggregate), measure speed and size, and
    copy into models/ (what `xxgk models ship` does)."""
    import time

    from xxgk.models.ship import data_hashes, write_meta
    from xxgk.models.training import load_training_data, resolve_seed, train_model
    from xxgk.schema import load_schema

    data = load_training_data(gold, corpus, splits, synthetic, synthetic_corpus)
    train, dev, extra = data.train, data.dev, data.synthetic
    console.print(f"train: {len(train)} docs + {len(extra)} synthetic; dev: {len(dev)} docs")
    started = time.perf_counter()
    seed = resolve_seed(config, seed)
    model_dir = train_model(train + extra, dev, data.corpus, output, config=config, seed=seed)
    train_seconds = round(time.perf_counter() - started, 1)
    write_meta(model_dir, version, {
        "schema_version": load_schema().version,
        **data_hashes(gold, splits, synthetic if extra else None),
        "train_docs": len(train), "synthetic_docs": len(extra), "dev_docs": len(dev),
        "seed": seed, "train_seconds": train_seconds, "config": str(config or "configs/ner.cfg"),
    })
    console.print(f"trained in {train_seconds}s → {model_dir}")
    # The test split is scored only for a model being shipped, so development runs never see it.
    _measure_and_ship(model_dir, version, gold, corpus, splits, ship_it=ship_it)


@models_app.command("ship")
def ship_cmd(
    model_dir: Annotated[Path, typer.Argument(help="A pipeline folder made by `xxgk train`.")],
    version: Annotated[str, typer.Option("--version", help="Version to ship it as (semver).")],
    gold: GoldOpt = GOLD,
    corpus: CorpusOpt = CORPUS,
    splits: SplitsOpt = SPLITS,
) -> None:
    """Score a trained pipeline on dev, test and the sealed split (aggregate figures only), measure
    it, and copy it into models/. The gold and splits must be the ones it was trained with (their
    hashes are checked)."""
    import json

    from xxgk.models.ship import data_hashes

    recorded = json.loads((model_dir / "meta.json").read_text(encoding="utf-8")).get("xxgk", {})
    now = data_hashes(gold, splits, None)
    for key in ("gold_sha256", "splits_sha256"):
        if recorded.get(key) != now[key]:
            console.print(f"[red]{key} differs from the one recorded at training[/red]: retrain instead")
            raise typer.Exit(1)
    _measure_and_ship(model_dir, version, gold, corpus, splits, ship_it=True)


def _measure_and_ship(model_dir: Path, version: str, gold: Path, corpus: Path, splits: Path, *,
                      ship_it: bool) -> None:
    from xxgk.corpus import Corpus
    from xxgk.models.ship import dir_size_mb, measure_speed, ship, write_meta

    # test and the sealed split are scored only for a model being shipped, once, in aggregate
    scored = ("dev", "test", "sealed") if ship_it else ("dev",)
    scores = {split: _scores(model_dir, gold, corpus, splits, split) for split in scored}
    write_meta(model_dir, version, {
        "scores": scores,
        "speed": measure_speed(model_dir, [text for _, text in Corpus(corpus).items()]),
        "size_mb": dir_size_mb(model_dir),
    })
    for split in scored:
        console.print(f"{split}: entities strict F1 {_f1(scores, split, 'entities')}, "
                      f"relations strict F1 {_f1(scores, split, 'relations')}")
    if ship_it:
        console.print(f"shipped → {ship(model_dir, version)}")


def _scores(model_dir: Path, gold: Path, corpus: Path, splits: Path, split: str) -> dict:
    """The harness's figures for one split, without the per-document and error lists."""
    from xxgk.eval.api import GoldSpec, run_eval
    from xxgk.eval.config import load_config
    from xxgk.models.registry import load_model

    result = run_eval(GoldSpec(gold, corpus, split, splits), load_config(), model=str(model_dir),
                      load_model=load_model)
    return {key: result[key] for key in ("entities", "relations", "bootstrap") if key in result}


def predict_cmd(
    corpus: Annotated[Path, typer.Argument(help="Folder of DOC_ID.txt files.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Prediction JSONL to write.")],
    model: Annotated[str | None, typer.Option("--model", help="Model name or path "
                                              "(default: configs/models.toml).")] = None,
) -> None:
    """Run a model over every document of a corpus folder; one schema JSON line per document."""
    from xxgk.corpus import Corpus
    from xxgk.models.registry import load_model
    from xxgk.standoff import write_docs

    corp = Corpus(corpus)
    loaded = load_model(model)
    with console.status(f"predicting with {loaded.name}"):
        count = write_docs(loaded.predict(corp.items()), output)
    console.print(f"{count} documents → {output} ({loaded.name})")


@models_app.command("segmenter")
def segmenter_cmd(
    out: Annotated[Path, typer.Option("--out", help="Folder for the spacy-pkuseg model.")],
    gold: GoldOpt = GOLD,
    corpus: CorpusOpt = CORPUS,
    splits: SplitsOpt = SPLITS,
    synthetic: SyntheticOpt = SYNTHETIC,
    synthetic_corpus: SyntheticCorpusOpt = SYNTHETIC_CORPUS,
    iterations: Annotated[int, typer.Option("--iterations")] = 5,
    holdout_every: Annotated[int, typer.Option("--holdout-every", help="Hold out every k-th line (0: none).")] = 0,
) -> None:
    """Train a domain spacy-pkuseg segmenter from the train split (jieba words, a break forced at
    every gold entity boundary; needs the `seg` extra). Use it with configs/ner-pkuseg.cfg."""
    from xxgk.models.ner.segmenter import jieba_cut, train_segmenter, training_lines
    from xxgk.models.training import load_training_data

    data = load_training_data(gold, corpus, splits, synthetic, synthetic_corpus)
    lines = list(training_lines(data.train + data.synthetic, data.corpus.text, jieba_cut()))
    info = train_segmenter(lines, out, iterations=iterations, holdout_every=holdout_every)
    console.print(info)


@models_app.command("rescore")
def rescore_cmd(
    name: Annotated[str, typer.Argument(help="A shipped version (xxgk-zh-VERSION).")],
    gold: GoldOpt = GOLD,
    corpus: CorpusOpt = CORPUS,
    splits: SplitsOpt = SPLITS,
    speed: Annotated[bool, typer.Option("--speed", help="Also measure its nlp.pipe speed again (after it "
                                        "was measured on a busy machine); run nothing else meanwhile.")] = False,
) -> None:
    """Score a shipped model again on dev and test with today's gold, splits and harness (after the
    gold or the scoring changed), and record the figures in its meta.json with the hashes of what
    they were scored on. The sealed split is not rescored: it is scored once, when a model ships."""
    from datetime import date

    from xxgk.corpus import Corpus
    from xxgk.models.registry import shipped_models
    from xxgk.models.ship import data_hashes, measure_speed, write_meta

    shipped = {m.name: m for m in shipped_models()}
    if name not in shipped:
        raise typer.BadParameter(f"not a shipped version ({', '.join(shipped)})", param_hint="NAME")
    model = shipped[name]
    scores = {**model.meta.get("xxgk", {}).get("scores", {}),
              **{split: _scores(model.path, gold, corpus, splits, split) for split in ("dev", "test")}}
    hashes = data_hashes(gold, splits, None)
    rescored: dict[str, object] = {"scores": scores, "rescored": {
        "on": date.today().isoformat(), "splits": ["dev", "test"],
        **{k: hashes[k] for k in ("gold_sha256", "splits_sha256")}}}
    if speed:
        rescored["speed"] = measure_speed(model.path, [text for _, text in Corpus(corpus).items()])
    write_meta(model.path, model.meta["version"], rescored)
    for split in ("dev", "test"):
        console.print(f"{name} {split}: entities strict F1 {_f1(scores, split, 'entities')}, "
                      f"relations strict F1 {_f1(scores, split, 'relations')}")
    if speed:
        console.print(f"{name} nlp.pipe: {rescored['speed']['chars_per_s']:,} chars/s")


@models_app.command("list")
def list_cmd() -> None:
    """Shipped model versions with their test and sealed-split scores; * marks the default
    (configs/models.toml)."""
    from xxgk.models.registry import RULES, default_model_name, shipped_models
    from xxgk.schema import load_schema

    default = default_model_name()
    table = Table(title="xxgk models (* = the default, configs/models.toml)")
    table.add_column("name", no_wrap=True)
    for col in ("schema", "train docs", "dev ents F1", "test ents F1", "test rels F1", "sealed ents F1",
                "sealed rels F1", "MB"):
        table.add_column(col, justify="right")
    shipped = shipped_models()
    for m in shipped:
        x = m.meta.get("xxgk", {})
        scores = x.get("scores", {})
        table.add_row(
            m.name + (" *" if m.name == default else ""), str(x.get("schema_version", "?")),
            str(x.get("train_docs", "?")), _f1(scores, "dev", "entities"), _f1(scores, "test", "entities"),
            _f1(scores, "test", "relations"), _f1(scores, "sealed", "entities"), _f1(scores, "sealed", "relations"),
            f"{x.get('size_mb', '?')}",
        )
    table.add_row(RULES + (" *" if default == RULES else ""), load_schema().version, *["-"] * 6, "0")
    console.print(table)


def _f1(scores: dict, split: str, family: str) -> str:
    try:
        return f"{scores[split][family]['strict']['micro']['f1']:.3f}"
    except KeyError:
        return "-"


def register(app: typer.Typer) -> None:
    app.command("train")(train_cmd)
    app.command("predict")(predict_cmd)
    app.add_typer(models_app, name="models")

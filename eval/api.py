"""One function per command: read the inputs, score, return the plain result the CLI renders.

Model code comes in as parameters (``load_model``, ``train_model``), so importing this module
never imports ``xxgk.models`` or spaCy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xxgk.corpus import Corpus
from xxgk.eval.agreement import agreement
from xxgk.eval.compare import compare
from xxgk.eval.config import EvalConfig
from xxgk.eval.curve import TrainModel, curve_summary, learning_curve
from xxgk.eval.data import SEALED, EvalInputError, is_sealed, load_gold
from xxgk.eval.scoring import Scores, score
from xxgk.eval.slices import compare_slices, parse_fields, slice_figures, slice_groups
from xxgk.eval.summary import summarise
from xxgk.eval.systems import LoadModel, model_pairing, prediction_pairing, system_pairing
from xxgk.schema import load_schema
from xxgk.standoff import load_docs


@dataclass(frozen=True)
class GoldSpec:
    """Which gold documents to score against: a file or folder, its corpus, optionally one split."""

    gold: Path
    corpus: Path
    split: str | None = None
    splits: Path | None = None

    @property
    def sealed(self) -> bool:
        return is_sealed(self.split)

    def describe(self) -> dict[str, Any]:
        return {"gold": str(self.gold), "corpus": str(self.corpus), "split": self.split or "all",
                "schema_version": load_schema().version}


WITHHELD = (f"per-document figures, error lists and predictions are withheld for the {SEALED} split: "
            "it is scored only in aggregate (annotation/README.md)")


def _slices(by: Sequence[str] | None, spec: GoldSpec, corpus: Corpus, doc_ids: Sequence[str]) -> dict[str, Any]:
    if not by:
        return {}
    fields = parse_fields(by)
    return {"fields": fields, "groups": slice_groups(doc_ids, corpus.manifest, fields)}


def _sealed_slices(rows: list[dict[str, Any]], spec: GoldSpec) -> list[dict[str, Any]]:
    """On the sealed split a small slice is nearly a per-document score: its figures are withheld."""
    if not spec.sealed:
        return rows
    return [row if not row["small"] else {"slice": row["slice"], "docs": row["docs"], "small": True,
                                          "withheld": True} for row in rows]


def run_eval(spec: GoldSpec, config: EvalConfig, *, pred: Path | None = None, model: str | None = None,
             load_model: LoadModel | None = None, ignore_unknown: bool = False,
             by: Sequence[str] | None = None, keep_predictions: bool = False) -> dict[str, Any]:
    """Score saved predictions (``pred``) or a model (``model``, loaded with ``load_model``).

    ``by`` adds error slices (manifest fields); ``keep_predictions`` returns the model's
    predictions under ``"predictions"`` (refused on the sealed split, like every per-document output).
    """
    if (pred is None) == (model is None):
        raise ValueError("give exactly one of pred and model")
    corpus = Corpus(spec.corpus)
    gold = load_gold(spec.gold, corpus, split=spec.split, splits_path=spec.splits)
    if pred is not None:
        name, pairing = prediction_pairing(pred, gold, corpus, ignore_unknown=ignore_unknown)
    elif load_model is None:
        raise ValueError("scoring a model needs load_model")
    else:
        name, pairing = model_pairing(str(model), gold, corpus, load_model)
    if keep_predictions and spec.sealed:
        raise EvalInputError(WITHHELD)
    scores = score(pairing.pairs, corpus, config)
    result = {"system": name, **spec.describe(), **pairing.notes(), **summarise(scores, config)}
    if sliced := _slices(by, spec, corpus, scores.doc_ids):
        rows = slice_figures(scores, sliced["groups"], config, config.slice_min_docs)
        result["slices"] = {"fields": sliced["fields"], "min_docs": config.slice_min_docs,
                            "rows": _sealed_slices(rows, spec)}
    if keep_predictions:
        result["predictions"] = [p.pred for p in pairing.pairs]
    return _withhold(result) if spec.sealed else result


def _withhold(result: dict[str, Any]) -> dict[str, Any]:
    """The aggregate part of a result on the sealed split; ``withheld`` says what was left out."""
    dropped = [key for key in ("documents", "errors") if key in result]
    return {**{k: v for k, v in result.items() if k not in dropped}, "withheld": WITHHELD}


def run_compare(sources: Sequence[str], spec: GoldSpec, config: EvalConfig, *, load_model: LoadModel,
                ignore_unknown: bool = False, by: Sequence[str] | None = None) -> dict[str, Any]:
    """Compare systems (prediction files or models) on the same gold documents."""
    corpus = Corpus(spec.corpus)
    gold = load_gold(spec.gold, corpus, split=spec.split, splits_path=spec.splits)
    systems: list[tuple[str, Scores]] = []
    notes = {}
    for source in sources:
        name, pairing = system_pairing(source, gold, corpus, load_model=load_model,
                                       ignore_unknown=ignore_unknown)
        systems.append((name, score(pairing.pairs, corpus, config)))
        notes[name] = pairing.notes()
    result = {**spec.describe(), "notes": notes, **compare(systems, config)}
    if sliced := _slices(by, spec, corpus, systems[0][1].doc_ids):
        rows = compare_slices(systems, sliced["groups"], config, config.slice_min_docs)
        result["slices"] = {"fields": sliced["fields"], "min_docs": config.slice_min_docs,
                            "rows": _sealed_slices(rows, spec)}
    return _withhold(result) if spec.sealed else result


def run_curve(spec: GoldSpec, output_dir: Path, config: EvalConfig, *, train_model: TrainModel,
              load_model: LoadModel, train_config: Path | None = None, seed: int = 0,
              progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Learning curve over the ``train`` split, scored on ``dev`` (``spec.split`` is ignored)."""
    if spec.splits is None:
        raise ValueError("a learning curve needs a splits file")
    corpus = Corpus(spec.corpus)
    train = load_gold(spec.gold, corpus, split="train", splits_path=spec.splits)
    dev = load_gold(spec.gold, corpus, split="dev", splits_path=spec.splits)
    steps = learning_curve(train.docs, dev.docs, corpus, output_dir, train_model=train_model,
                           load_model=load_model, config=config, train_config=train_config, seed=seed,
                           progress=progress)
    described = {**spec.describe(), "split": "train → dev"}
    return {**described, "train_docs": len(train.docs), "train_config": str(train_config or ""),
            **curve_summary(steps, config)}


def run_agreement(pass1: Path, pass2: Path, corpus_dir: Path, config: EvalConfig) -> dict[str, Any]:
    """Agreement of two annotation passes (both validated as gold)."""
    corpus = Corpus(corpus_dir)
    result = agreement(load_docs(pass1, corpus), load_docs(pass2, corpus), corpus, config)
    return {"pass1": str(pass1), "pass2": str(pass2), "corpus": str(corpus_dir),
            "schema_version": load_schema().version, **result}

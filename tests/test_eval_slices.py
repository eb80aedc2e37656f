"""Error slices (`--by`) and the sealed split (aggregate figures only)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from test_eval_bootstrap import some_predictions
from test_eval_fixtures import config, gold_docs, write_corpus, write_jsonl
from typer.testing import CliRunner

from xxgk.cli import app
from xxgk.eval.api import GoldSpec, run_compare, run_eval
from xxgk.eval.data import EvalInputError
from xxgk.eval.slices import parse_fields, slice_groups

MANIFEST = {
    "d1": {"doc_id": "d1", "year": 2015, "level": "township"},
    "d2": {"doc_id": "d2", "year": 2020, "level": "township"},
    "d3": {"doc_id": "d3", "year": 2023, "level": "city"},
    "d4": {"doc_id": "d4", "year": None, "level": "city"},
}


@pytest.fixture
def paths(tmp_path: Path) -> dict[str, Path]:
    corpus = write_corpus(tmp_path)
    (corpus.root / "manifest.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in MANIFEST.values()), encoding="utf-8")
    splits = tmp_path / "splits.json"
    splits.write_text(json.dumps({"train": [], "dev": ["d1", "d2"], "test": [], "sealed": ["d1", "d2", "d3", "d4"]}))
    return {"corpus": corpus.root, "gold": write_jsonl(tmp_path / "gold.jsonl", gold_docs()),
            "some": write_jsonl(tmp_path / "some.jsonl", some_predictions()), "splits": splits}


def test_groups_by_derived_era_and_level_with_unknown_values() -> None:
    groups = slice_groups(["d1", "d2", "d3", "d4"], MANIFEST, parse_fields("era, level"))
    assert groups == {"era=-2018 & level=township": [0], "era=2019-2020 & level=township": [1],
                      "era=2021- & level=city": [2], "era=unknown & level=city": [3]}
    assert slice_groups(["d1", "d2", "d3"], MANIFEST, ["level"]) == {"level=city": [2], "level=township": [0, 1]}
    with pytest.raises(EvalInputError, match="no manifest field colour"):
        slice_groups(["d1"], MANIFEST, ["colour"])


def test_slice_figures_add_up_to_the_whole_and_mark_small_slices(paths: dict[str, Path]) -> None:
    result = run_eval(GoldSpec(paths["gold"], paths["corpus"]), config(slice_min_docs=3), pred=paths["some"],
                      by=["level"])
    rows = {r["slice"]: r for r in result["slices"]["rows"]}
    assert set(rows) == {"level=city", "level=township"}
    assert all(r["small"] for r in rows.values()) and result["slices"]["min_docs"] == 3
    for family in ("entities", "relations"):
        whole = result[family]["strict"]["micro"]
        for count in ("correct", "missed", "spurious", "possible", "actual"):
            assert sum(r[family][count] for r in rows.values()) == whole[count]
    township = rows["level=township"]["entities"]
    low, high = township["ci"]["f1"]
    assert 0 <= low <= township["f1"] <= high <= 1
    big = run_eval(GoldSpec(paths["gold"], paths["corpus"]), config(slice_min_docs=2), pred=paths["some"],
                   by=["level"])
    assert [r["small"] for r in big["slices"]["rows"]] == [False, False]


def test_compare_slices_are_paired_per_slice(paths: dict[str, Path]) -> None:
    result = run_compare([str(paths["some"]), str(paths["gold"])], GoldSpec(paths["gold"], paths["corpus"]),
                         config(), load_model=None, by=["era"])
    rows = result["slices"]["rows"]
    assert [r["slice"] for r in rows] == ["era=-2018", "era=2019-2020", "era=2021-", "era=unknown"]
    perfect = str(paths["gold"])
    for row in rows:
        if row["systems"][perfect]["entities"]["possible"]:
            assert row["systems"][perfect]["entities"]["f1"] == 1.0
            delta = row["deltas"][perfect]["entities"]
            assert delta["delta"] == pytest.approx(1.0 - row["systems"][str(paths["some"])]["entities"]["f1"])


def test_sealed_split_gives_aggregates_only(paths: dict[str, Path]) -> None:
    spec = GoldSpec(paths["gold"], paths["corpus"], "sealed", paths["splits"])
    result = run_eval(spec, config(slice_min_docs=2), pred=paths["some"], by=["era"])
    assert "documents" not in result and "errors" not in result and "sealed" in result["withheld"]
    assert result["entities"]["strict"]["micro"]["possible"] > 0
    withheld = [r for r in result["slices"]["rows"] if r.get("withheld")]
    assert withheld and all(r["docs"] < 2 and "entities" not in r for r in withheld)
    compared = run_compare([str(paths["some"]), str(paths["gold"])], spec, config(), load_model=None)
    assert "documents" not in compared and "withheld" in compared
    with pytest.raises(EvalInputError, match="withheld"):
        run_eval(spec, config(), pred=paths["some"], keep_predictions=True)
    dev = run_eval(GoldSpec(paths["gold"], paths["corpus"], "dev", paths["splits"]), config(), pred=paths["some"])
    assert dev["documents"] and "withheld" not in dev


def test_cli_by_and_sealed(paths: dict[str, Path], tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--gold", paths["gold"], "--corpus", paths["corpus"], "--splits", paths["splits"]]
    out = runner.invoke(app, [str(a) for a in ["eval", "--pred", paths["some"], *base, "--by", "level",
                                                "--report", tmp_path / "rep"]])
    assert out.exit_code == 0, out.output
    assert "Slices by level" in out.stdout and "level=township *" in out.stdout
    assert (tmp_path / "rep" / "slices_f1.png").read_bytes()[:4] == b"\x89PNG"
    sealed = runner.invoke(app, [str(a) for a in ["eval", "--pred", paths["some"], *base, "--split", "sealed",
                                                   "--json"]])
    assert sealed.exit_code == 0, sealed.output
    data = json.loads(sealed.stdout)
    assert "errors" not in data and "documents" not in data
    assert np.isclose(data["entities"]["strict"]["micro"]["f1"],
                      run_eval(GoldSpec(paths["gold"], paths["corpus"]), config(),
                               pred=paths["some"])["entities"]["strict"]["micro"]["f1"])
    tables = runner.invoke(app, [str(a) for a in ["eval", "--pred", paths["some"], *base, "--split", "sealed"]])
    assert "withheld for the sealed" in " ".join(tables.stdout.split()) and "Errors (" not in tables.stdout
    refused = runner.invoke(app, [str(a) for a in ["eval", "--model", "rules-v1", *base, "--split", "sealed",
                                                    "--pred-out", tmp_path / "p.jsonl"]])
    assert refused.exit_code == 2 and "withheld" in refused.output and not (tmp_path / "p.jsonl").exists()

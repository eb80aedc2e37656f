"""The commands end to end through typer's CliRunner, on a tiny temporary corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_eval_bootstrap import some_predictions
from test_eval_fixtures import doc, gold_docs, write_corpus, write_jsonl
from typer.testing import CliRunner

from xxgk.cli import app

runner = CliRunner()


@pytest.fixture
def paths(tmp_path: Path) -> dict[str, str]:
    corpus = write_corpus(tmp_path)
    return {
        "corpus": str(corpus.root),
        "gold": str(write_jsonl(tmp_path / "gold.jsonl", gold_docs())),
        "some": str(write_jsonl(tmp_path / "some.jsonl", some_predictions())),
        "perfect": str(write_jsonl(tmp_path / "perfect.jsonl", gold_docs())),
        "stray": str(write_jsonl(tmp_path / "stray.jsonl", [*gold_docs(), doc("zz", "无关", [])])),
    }


def invoke(*args: str) -> object:
    return runner.invoke(app, [str(a) for a in args])


def test_eval_json_to_stdout_and_file(paths: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "out" / "scores.json"
    result = invoke("eval", "--pred", paths["some"], "--gold", paths["gold"], "--corpus", paths["corpus"],
                    "--json", "--json-out", out)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data == json.loads(out.read_text(encoding="utf-8"))
    assert set(data["entities"]) == {"strict", "exact", "partial", "type"}
    assert set(data["relations"]) == {"strict", "relaxed"}
    assert data["docs"] == 4 and data["errors"] and data["documents"][0]["doc_id"] == "d1"
    assert data["confusion"]["labels"][-1] == "none"


def test_eval_tables_and_report(paths: dict[str, str], tmp_path: Path) -> None:
    report = tmp_path / "report"
    result = invoke("eval", "--pred", paths["some"], "--gold", paths["gold"], "--corpus", paths["corpus"],
                    "--report", report)
    assert result.exit_code == 0, result.output
    assert "Entities" in result.stdout and "Errors" in result.stdout
    html = (report / "report.html").read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,') == 3  # entity F1, relation F1, confusion
    md = (report / "report.md").read_text(encoding="utf-8")
    assert "![" in md and (report / "confusion.png").read_bytes()[:4] == b"\x89PNG"


def test_compare_writes_a_self_contained_report(paths: dict[str, str], tmp_path: Path) -> None:
    report = tmp_path / "cmp"
    result = invoke("compare", paths["some"], paths["perfect"], "--gold", paths["gold"], "--corpus",
                    paths["corpus"], "--report", report)
    assert result.exit_code == 0, result.output
    html = (report / "report.html").read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,') == 3  # entity F1, relation F1, deltas
    assert "paired bootstrap" in html and (report / "report.md").exists()
    assert "F1 side by side" in result.stdout


def test_compare_json(paths: dict[str, str]) -> None:
    result = invoke("compare", paths["some"], paths["perfect"], "--gold", paths["gold"], "--corpus",
                    paths["corpus"], "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["systems"] == [paths["some"], paths["perfect"]]
    assert all("p_value" in d for d in data["deltas"][paths["perfect"]])


def test_unknown_documents_fail_clearly_or_are_skipped(paths: dict[str, str]) -> None:
    args = ("eval", "--pred", paths["stray"], "--gold", paths["gold"], "--corpus", paths["corpus"])
    failed = invoke(*args)
    assert failed.exit_code == 2
    assert "zz" in failed.output and "--ignore-unknown" in failed.output
    skipped = invoke(*args, "--ignore-unknown", "--json")
    assert skipped.exit_code == 0, skipped.output
    assert json.loads(skipped.stdout)["ignored_unknown"] == ["zz"]


def test_agreement(paths: dict[str, str], tmp_path: Path) -> None:
    result = invoke("eval", "agreement", paths["gold"], paths["some"], "--corpus", paths["corpus"], "--json",
                    "--report", tmp_path / "agreement")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["docs"] == 3 and data["only_in_pass1"] == ["d4"]
    assert set(data["entities"]["labels"]) >= {"ORG", "DATE"} and "ci" in data["relations"]["micro"]
    md = (tmp_path / "agreement" / "report.md").read_text(encoding="utf-8")
    assert "| label | pass 1 | pass 2 | agreed | F1 | F1 95% CI |" in md


def test_usage_errors(paths: dict[str, str]) -> None:
    both = invoke("eval", "--pred", paths["some"], "--model", "x", "--gold", paths["gold"], "--corpus",
                  paths["corpus"])
    assert both.exit_code == 2
    assert invoke("eval").exit_code == 2
    assert invoke("eval", "--pred", paths["some"]).exit_code == 2  # no --gold / --corpus
    one = invoke("compare", paths["some"], "--gold", paths["gold"], "--corpus", paths["corpus"])
    assert one.exit_code == 2

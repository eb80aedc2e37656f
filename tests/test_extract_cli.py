"""``xxgk extract`` and ``xxgk bench`` end to end through typer's CliRunner: the README's first
command on the bundled examples, exit statuses, and the default model when one is shipped."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from test_extract_runner import RULES, make_inputs, read_jsonl
from typer.testing import CliRunner

from xxgk.cli import app
from xxgk.models.registry import default_model_name, shipped_models

runner = CliRunner()
EXAMPLES = Path(str(resources.files("xxgk.extract") / "examples"))


def invoke(*args: object) -> object:
    return runner.invoke(app, [str(a) for a in args])


def test_extract_on_the_bundled_examples_prints_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = invoke("extract", EXAMPLES, "-o", out, "--model", RULES)
    assert result.exit_code == 0, result.output
    assert "4 documents" in result.stdout and "0 errors" in result.stdout
    assert "QUANTITY" in result.stdout and "COUNT_OF" in result.stdout and "Facts (first 5" in result.stdout
    docs = {d["doc_id"]: d for d in read_jsonl(out / "documents.jsonl")}
    assert len(docs) == 4
    assert {d["encoding"] for d in docs.values()} == {"utf-8", "gb18030"}
    assert {d["format"] for d in docs.values()} == {"txt", "html"}
    for doc in docs.values():  # title, channel counts, a table, a dated commitment, a signature
        assert 300 <= doc["chars"] <= 900 and doc["agency"] and doc["year"]
        assert {s["kind"] for s in doc["sections"]} >= {"title", "narrative", "table", "signature"}
        facts = doc["facts"]
        assert any(f["channels"] for f in facts) and any(f["item"] for f in facts)
        assert any(e["label"] == "COMMITMENT" for e in doc["entities"])
        assert any(r["label"] == "DUE" for r in doc["relations"])


def test_exit_status_when_nothing_could_be_processed(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    result = invoke("extract", tmp_path / "in", "-o", tmp_path / "out", "--model", RULES)
    assert result.exit_code == 1
    assert "no document could be processed" in result.output
    assert read_jsonl(tmp_path / "out" / "errors.jsonl")[0]["path"] == "empty.txt"


def test_strict_fails_on_any_failed_input(tmp_path: Path) -> None:
    inputs = make_inputs(tmp_path / "in")
    lenient = invoke("extract", inputs, "-o", tmp_path / "a", "--model", RULES, "--format", "jsonl")
    assert lenient.exit_code == 0 and "3 input(s) failed" in lenient.stdout
    strict = invoke("extract", inputs, "-o", tmp_path / "b", "--model", RULES, "--format", "jsonl", "--strict")
    assert strict.exit_code == 1
    assert (tmp_path / "b" / "documents.jsonl").read_bytes() == (tmp_path / "a" / "documents.jsonl").read_bytes()


def test_usage_errors_are_messages_not_tracebacks(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert invoke("extract", EXAMPLES, "-o", out, "--model", RULES).exit_code == 0
    again = invoke("extract", EXAMPLES, "-o", out, "--model", RULES)
    assert again.exit_code == 2 and "pass --resume" in again.output
    resumed = invoke("extract", EXAMPLES, "-o", out, "--model", RULES, "--resume")
    assert resumed.exit_code == 0 and "4 done before" in resumed.stdout
    bad_format = invoke("extract", EXAMPLES, "-o", tmp_path / "x", "--format", "csv")
    assert bad_format.exit_code == 2 and "jsonl, parquet, both" in bad_format.output
    unknown = invoke("extract", EXAMPLES, "-o", tmp_path / "y", "--model", "nope")
    assert unknown.exit_code == 2 and "unknown model" in unknown.output


def test_bench_json_on_the_examples(tmp_path: Path) -> None:
    result = invoke("bench", EXAMPLES, "--workers", "1", "--models", f"{RULES},DEFAULT", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    [row] = [r for r in report["rows"] if r["model"] == RULES]
    assert (row["workers"], row["docs"], row["train_seconds"]) == (1, 4, None)
    assert row["docs_per_s"] > 0 and row["chars_per_s"] > 0 and row["peak_rss_mb"] > 10
    assert 0 < row["startup_seconds"]
    after = row["chars_per_s_after_startup"]
    assert after is None or after > row["chars_per_s"]
    if default_model_name() in {m.name for m in shipped_models()}:
        assert default_model_name() in {r["model"] for r in report["rows"]}
    else:
        assert report["skipped"]


def test_bench_scaling_rows_time_one_long_document(monkeypatch: pytest.MonkeyPatch) -> None:
    from xxgk.extract.settings import load_settings

    monkeypatch.setitem(load_settings()["bench"], "scaling_chars", [3000, 12000])
    result = invoke("bench", EXAMPLES, "--workers", "1", "--models", RULES, "--scaling", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["scaling"]
    assert [(r["model"], r["chars"]) for r in rows] == [(RULES, 3000), (RULES, 12000)]
    # seconds are rounded to 1 ms, the rate to 0.1 ms per 10k: the tolerance is what both roundings allow
    assert all(r["seconds"] > 0 and r["seconds_per_10k"] == pytest.approx(
        r["seconds"] / r["chars"] * 1e4, abs=0.0005 / r["chars"] * 1e4 + 0.00005) for r in rows)


def test_extract_with_the_default_model(tmp_path: Path) -> None:
    if not shipped_models():
        pytest.skip("no shipped model in models/xxgk-zh-*/ (the default model is trained with `xxgk train --ship`)")
    out = tmp_path / "out"
    result = invoke("extract", EXAMPLES, "-o", out, "--workers", "2")
    assert result.exit_code == 0, result.output
    docs = read_jsonl(out / "documents.jsonl")
    assert len(docs) == 4 and all(d["model"] == default_model_name() for d in docs)
    assert all("score" in r for d in docs for r in d["relations"])


def test_bench_startup_run_uses_the_smallest_document_not_an_archive(tmp_path: Path) -> None:
    from xxgk.extract.bench import smallest_document

    (tmp_path / "sub").mkdir()
    for name, size in {"a.txt": 10, "b.zip": 2, "sub/c.HTML": 5, "d.xyz": 1}.items():
        (tmp_path / name).write_bytes(b"x" * size)
    assert smallest_document(tmp_path) == tmp_path / "sub" / "c.HTML"
    (tmp_path / "empty").mkdir()
    with pytest.raises(RuntimeError, match="no document"):
        smallest_document(tmp_path / "empty")


def test_bench_reencoded_corpus_reads_each_utf8_report_in_more_encodings(tmp_path: Path) -> None:
    from xxgk.extract.bench import reencoded_corpus

    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    text = "某局2023年发布信息374条。\n"
    (src / "sub" / "a.txt").write_text(text, encoding="utf-8")
    (src / "b.txt").write_bytes(text.encode("gbk"))  # not UTF-8: copied once
    (src / "c.html").write_text(f"<p>{text}</p>", encoding="utf-8")
    out = reencoded_corpus(src, tmp_path / "out", 3)
    names = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert names == ["b.txt", "c.html", "sub/a.gb18030.txt", "sub/a.txt", "sub/a.utf-16.txt"]
    assert (out / "sub" / "a.utf-16.txt").read_bytes().decode("utf-16") == text
    assert len({(out / "sub" / n).read_bytes() for n in ("a.txt", "a.gb18030.txt", "a.utf-16.txt")}) == 3
    with pytest.raises(ValueError, match="between 1 and 4"):
        reencoded_corpus(src, tmp_path / "bad", 9)

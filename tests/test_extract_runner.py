"""``xxgk extract``'s runner on tiny inputs written here, with rules-v1 (no spaCy model needed):
workers and kills change nothing in the final files, every bad input is named, nothing is lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pyarrow.parquet as pq
import pytest
from test_extract_inputs import zip_bytes

from xxgk.extract.facts import quantity_facts
from xxgk.extract.parts import PartStore, RunStateError
from xxgk.extract.runner import Progress, RunOptions, run_extract
from xxgk.extract.settings import load_settings
from xxgk.records import AnnotatedDoc, Entity, Relation

RULES = "rules-v1"

REPORT = (
    "某县人民政府{year}年政府信息公开工作年度报告\n"
    "一、总体情况\n{year}年，本县在门户网站发布信息{n}条，通过微信公众号推送文章156篇。全年受理申请17件。\n"
    "二、主动公开政府信息情况\n信息内容\t本年新制作数量\n规范性文件\t{n}\n"
    "三、存在的主要问题及改进情况\n下一步，我县将进一步提升政府信息公开工作水平。\n"
)
BAD = {"empty.txt": "empty file", "junk.txt": "undecodable", "truncated.zip": "not a readable zip archive"}


def report(n: int, year: int = 2023) -> bytes:
    return REPORT.format(n=1000 + n, year=year).encode("utf-8")


def make_inputs(root: Path, docs: int = 9, bad: bool = True) -> Path:
    """``docs`` distinct reports (one GBK-encoded, two in a zip), a copy of one in a subfolder and
    one in the zip, and the bad inputs of BAD."""
    (root / "sub").mkdir(parents=True)
    for i in range(docs - 3):
        (root / f"r{i:03d}.txt").write_bytes(report(i))
    (root / "gbk.txt").write_bytes(REPORT.format(n=7, year=2022).encode("gbk"))
    (root / "x-bundle.zip").write_bytes(zip_bytes({"z1.txt": report(101), "z2.txt": report(102),
                                                 "copy.txt": report(0)}))
    (root / "sub" / "copy-of-r001.txt").write_bytes(report(1))
    if bad:
        (root / "empty.txt").write_bytes(b"")
        (root / "junk.txt").write_bytes(bytes(range(256)) * 8)
        (root / "truncated.zip").write_bytes(zip_bytes({"a.txt": report(500)})[:40])
    return root


def final_files(out: Path) -> dict[str, bytes]:
    """Every final file of an output folder (not the run's parts), by name."""
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    return make_inputs(tmp_path / "in")


@pytest.fixture
def reference(inputs: Path, tmp_path: Path) -> dict[str, bytes]:
    """The final files of one uninterrupted run in this process."""
    out = tmp_path / "ref"
    run_extract([str(inputs)], out, RunOptions(model=RULES, batch_size=2))
    return final_files(out)


def test_one_and_two_workers_give_identical_files(inputs: Path, tmp_path: Path,
                                                  reference: dict[str, bytes]) -> None:
    out = tmp_path / "two"
    result = run_extract([str(inputs)], out, RunOptions(model=RULES, workers=2, batch_size=1))
    assert final_files(out) == reference
    assert result.summary.documents == 9 and result.model == RULES
    assert {"documents.jsonl", "errors.jsonl", "duplicates.jsonl", "summary.json", "documents.parquet",
            "entities.parquet", "relations.parquet", "facts.parquet", "tables.parquet", "errors.parquet",
            "duplicates.parquet"} == set(reference)


def test_document_lines_carry_source_blocks_entities_and_model(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_extract([str(inputs)], out, RunOptions(model=RULES, fmt="jsonl"))
    docs = read_jsonl(out / "documents.jsonl")
    assert [d["doc_id"] for d in docs] == sorted(d["doc_id"] for d in docs)
    by_id = {d["doc_id"]: d for d in docs}
    assert set(by_id) == {*(f"r{i:03d}.txt" for i in range(6)), "gbk.txt", "x-bundle.zip/z1.txt", "x-bundle.zip/z2.txt"}
    gbk = by_id["gbk.txt"]
    assert gbk["encoding"] == "gb18030" and gbk["format"] == "txt" and gbk["year"] == 2022
    assert gbk["agency"] == "某县人民政府" and gbk["title"].endswith("年度报告")
    member = by_id["x-bundle.zip/z1.txt"]
    assert member["archive"] == "x-bundle.zip" and member["source"] == str(inputs / "x-bundle.zip")
    assert len(member["sha256"]) == 64 and len(member["text_sha256"]) == 64
    assert {s["kind"] for s in member["sections"]} >= {"title", "narrative", "table"}
    assert member["model"] == RULES and member["entities"] and member["relations"]
    quantity = next(e for e in member["entities"] if e["label"] == "QUANTITY")
    assert quantity["norm"]["value"] == 1101
    assert not (out / "documents.parquet").exists()  # --format jsonl


def test_every_bad_input_is_named_and_nothing_is_lost(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_extract([str(inputs)], out, RunOptions(model=RULES))
    errors = read_jsonl(out / "errors.jsonl")
    assert {e["path"]: e["stage"] for e in errors} == dict.fromkeys(BAD, "read")
    for e in errors:
        assert BAD[e["path"]] in e["reason"]
    s = result.summary
    files_found = 9 + 2 + len(BAD)  # documents, copies, bad inputs
    assert s.documents + s.duplicates + s.errors == files_found
    assert (s.documents, s.duplicates, s.errors) == (9, 2, 3)


def test_duplicates_are_processed_once_and_name_both_paths(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_extract([str(inputs)], out, RunOptions(model=RULES))
    dups = read_jsonl(out / "duplicates.jsonl")
    assert [(d["doc_id"], d["duplicate_of"]) for d in dups] == [
        ("sub/copy-of-r001.txt", "r001.txt"), ("x-bundle.zip/copy.txt", "r000.txt"),
    ]
    assert all(len(d["sha256"]) == 64 for d in dups)
    doc_ids = [d["doc_id"] for d in read_jsonl(out / "documents.jsonl")]
    assert "sub/copy-of-r001.txt" not in doc_ids and "r001.txt" in doc_ids


def test_same_relative_name_in_two_inputs_gives_two_doc_ids_and_overlap_is_reported(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    (tmp_path / "a" / "r.txt").write_bytes(report(1))
    (tmp_path / "b" / "r.txt").write_bytes(report(2))
    out = tmp_path / "out"
    result = run_extract([str(tmp_path / "a"), str(tmp_path / "b")], out, RunOptions(model=RULES))
    assert result.summary.documents == 2 and not (out / "errors.jsonl").read_text()
    assert [d["doc_id"] for d in read_jsonl(out / "documents.jsonl")] == ["b/r.txt", "r.txt"]
    again = tmp_path / "again"  # the same file given twice (a folder and a file in it): the second is named
    result = run_extract([str(tmp_path / "a"), str(tmp_path / "a" / "r.txt")], again, RunOptions(model=RULES))
    assert result.summary.documents == 1
    [error] = read_jsonl(again / "errors.jsonl")
    assert error["path"] == "r.txt" and error["stage"] == "input" and "a/r.txt" in error["reason"]


class Crash(Exception):
    pass


def crash_after(documents: int):
    def on_progress(progress: Progress) -> None:
        if progress.documents >= documents:
            raise Crash

    return on_progress


@pytest.mark.parametrize("workers", [1, 2])
def test_crash_then_resume_gives_the_same_bytes(inputs: Path, tmp_path: Path, reference: dict[str, bytes],
                                                workers: int) -> None:
    out = tmp_path / "out"
    options = RunOptions(model=RULES, workers=workers, batch_size=2)
    with pytest.raises(Crash):
        run_extract([str(inputs)], out, options, on_progress=crash_after(3))
    assert not (out / "documents.jsonl").exists()
    committed = sorted((out / "parts").glob("part-*.jsonl"))
    assert committed
    for part in committed:  # every part left behind is whole
        assert all(json.loads(line)["kind"] for line in part.read_text(encoding="utf-8").splitlines())
    result = run_extract([str(inputs)], out, RunOptions(model=RULES, workers=workers, batch_size=2, resume=True))
    assert final_files(out) == reference
    assert result.progress.done_before >= 3
    assert result.progress.done_before + sum(
        (result.progress.documents, result.progress.errors, result.progress.duplicates)) == 14


def test_resume_drops_a_part_the_manifest_does_not_name(inputs: Path, tmp_path: Path,
                                                        reference: dict[str, bytes]) -> None:
    """A kill between a part's rename and its manifest line, and a torn manifest line."""
    out = tmp_path / "out"
    with pytest.raises(Crash):
        run_extract([str(inputs)], out, RunOptions(model=RULES, batch_size=2), on_progress=crash_after(4))
    parts = out / "parts"
    manifest = (parts / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    (parts / "manifest.jsonl").write_text("\n".join(manifest[:-1]) + "\n" + manifest[-1][:20], encoding="utf-8")
    (parts / ".tmp-part-00099.jsonl.x").write_text("half a part", encoding="utf-8")
    run_extract([str(inputs)], out, RunOptions(model=RULES, batch_size=2, resume=True))
    assert final_files(out) == reference
    assert not list(parts.glob(".tmp-*"))


def test_resuming_a_finished_run_rewrites_the_same_files(inputs: Path, tmp_path: Path,
                                                         reference: dict[str, bytes]) -> None:
    out = tmp_path / "out"
    run_extract([str(inputs)], out, RunOptions(model=RULES, batch_size=2))
    result = run_extract([str(inputs)], out, RunOptions(model=RULES, batch_size=5, resume=True))
    assert final_files(out) == reference and result.progress.documents == 0


def test_sigkill_then_resume_gives_the_same_bytes(tmp_path: Path) -> None:
    """A real kill: the CLI with two workers in a subprocess, SIGKILLed once it has committed a
    part; its workers exit by themselves; a resume in one process gives the same bytes."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(150):
        (inputs / f"r{i:03d}.txt").write_bytes(report(i))
    command = [sys.executable, "-c", "from xxgk.cli import app; app()", "extract", str(inputs),
               "--model", RULES, "--batch-size", "1", "--format", "jsonl"]
    out = tmp_path / "out"
    proc = subprocess.Popen([*command, "-o", str(out), "--workers", "2"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    manifest = out / "parts" / "manifest.jsonl"
    children: list[psutil.Process] = []
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        if manifest.exists() and manifest.stat().st_size:
            children = psutil.Process(proc.pid).children(recursive=True)
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.002)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    _, alive = psutil.wait_procs(children, timeout=15)
    for child in alive:  # clean up before failing
        child.kill()
    assert not alive, "worker processes outlived their killed parent"
    assert not (out / "documents.jsonl").exists()
    resumed = subprocess.run([*command, "-o", str(out), "--resume"], capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    whole = subprocess.run([*command, "-o", str(tmp_path / "whole")], capture_output=True, text=True, timeout=120)
    assert whole.returncode == 0, whole.stderr
    assert final_files(out) == final_files(tmp_path / "whole")


def test_merging_in_rounds_changes_nothing(inputs: Path, tmp_path: Path, reference: dict[str, bytes],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(load_settings()["runner"], "merge_fan_in", 2)
    out = tmp_path / "out"
    run_extract([str(inputs)], out, RunOptions(model=RULES, batch_size=1))
    assert final_files(out) == reference
    assert not list((out / "parts").glob(".tmp-*"))


def test_output_folder_guards(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("not a run", encoding="utf-8")
    with pytest.raises(RunStateError, match="not empty: pass --resume"):
        run_extract([str(inputs)], out, RunOptions(model=RULES))
    with pytest.raises(RunStateError, match="holds no run to resume"):
        run_extract([str(inputs)], out, RunOptions(model=RULES, resume=True))
    done = tmp_path / "done"
    run_extract([str(inputs)], done, RunOptions(model=RULES))
    with pytest.raises(RunStateError, match="holds a run of"):
        run_extract([str(inputs / "sub")], done, RunOptions(model=RULES, resume=True))
    with pytest.raises(LookupError, match="unknown model"):
        run_extract([str(inputs)], tmp_path / "x", RunOptions(model="no-such-model"))


def test_resume_refuses_inputs_that_changed(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(Crash):
        run_extract([str(inputs)], out, RunOptions(model=RULES, batch_size=2), on_progress=crash_after(2))
    (inputs / "gbk.txt").write_bytes(report(999))
    with pytest.raises(RunStateError, match="inputs changed"):
        run_extract([str(inputs)], out, RunOptions(model=RULES, batch_size=2, resume=True))


def test_part_store_recovers_committed_entries(tmp_path: Path) -> None:
    from xxgk.extract.parts import Entry

    store = PartStore.open(tmp_path / "o", {"inputs": ["x"], "model": RULES}, resume=False)
    store.commit([Entry(1, "b", None, "error", {"path": "b"}), Entry(0, "a", "s", "duplicate", {"doc_id": "a"})])
    store.commit([Entry(2, "a", "t", "error", {"path": "a"})])
    again = PartStore.open(tmp_path / "o", {"inputs": ["x"], "model": RULES}, resume=True)
    assert again.done == {0: ("a", "s"), 1: ("b", None), 2: ("a", "t")} and again.next_part == 2
    assert [(e.key, e.seq) for e in again.merged(fan_in=8)] == [("a", 0), ("a", 2), ("b", 1)]


# ----------------------------------------------------------------------------- Parquet and facts

SENTENCE = ("某县人民政府2023年政府信息公开工作年度报告\n一、总体情况\n"
            "2023年，本县在门户网站发布信息1,234条，通过微信公众号推送文章156篇。全年受理申请17件。\n")


def test_parquet_tables_are_readable_and_facts_rows_are_right(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "one.txt").write_text(SENTENCE, encoding="utf-8")
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    result = run_extract([str(tmp_path / "in")], out, RunOptions(model=RULES, fmt="parquet"))
    assert not (out / "documents.jsonl").exists() and (out / "errors.jsonl").exists()
    tables = {name: pq.read_table(out / f"{name}.parquet").to_pylist()
              for name in ("documents", "entities", "relations", "facts", "errors", "duplicates")}
    [doc] = tables["documents"]
    assert doc["doc_id"] == "one.txt" and doc["agency"] == "某县人民政府" and doc["year"] == 2023
    assert doc["entities"] == len(tables["entities"]) and doc["relations"] == len(tables["relations"])
    assert doc["sections"][0]["kind"] == "title"
    assert tables["errors"] == [{"path": "empty.txt", "stage": "read", "reason": "empty file"}]
    assert tables["duplicates"] == []
    quantity = next(e for e in tables["entities"] if e["text"] == "1,234条")
    assert json.loads(quantity["norm"])["value"] == 1234
    via = next(r for r in tables["relations"] if r["label"] == "VIA" and r["head_text"] == "1,234条")
    assert (via["head_label"], via["tail_label"], via["tail_text"]) == ("QUANTITY", "CHANNEL", "门户网站")
    facts = {f["quantity"]: f for f in tables["facts"]}
    assert set(facts) == {"1,234条", "156篇", "17件"}
    first = facts["1,234条"]
    assert {k: first[k] for k in ("doc_id", "agency", "year", "value", "unit", "approx", "kind", "item",
                                  "channels", "date", "date_text", "date_from")} == {
        "doc_id": "one.txt", "agency": "某县人民政府", "year": 2023, "value": 1234.0, "unit": "条",
        "approx": "exact", "kind": "count", "item": "信息", "channels": ["门户网站"], "date": "2023",
        "date_text": "2023年", "date_from": "sentence",
    }
    assert SENTENCE[first["start"]:first["end"]] == "1,234条"
    # 17件 is in the next sentence, which names no date: the report's year stands in
    assert (facts["17件"]["item"], facts["17件"]["date"], facts["17件"]["date_from"]) == ("申请", "2023", "report_year")
    assert result.summary.facts == 3 and result.summary.sample_facts[0]["quantity"] == "1,234条"


def test_quantity_facts_pick_the_nearest_date_of_the_sentence() -> None:
    text = "2020年至2021年6月，经网站和热线收到建议30余件。2019年。"
    ents = [
        Entity("d1", 0, 5, "DATE", "2020年", {"iso": "2020", "granularity": "year"}),
        Entity("d2", 6, 13, "DATE", "2021年6月", {"iso": "2021-06", "granularity": "month"}),
        Entity("c1", 15, 17, "CHANNEL", "网站"),
        Entity("c2", 18, 20, "CHANNEL", "热线"),
        Entity("i1", 22, 24, "ITEM", "建议"),
        Entity("q1", 24, 28, "QUANTITY", "30余件", {"value": 30, "unit": "件", "approx": "lower_bound",
                                                  "kind": "count"}),
        Entity("d3", 29, 34, "DATE", "2019年", {"iso": "2019", "granularity": "year"}),
    ]
    rels = [Relation("q1", "c2", "VIA"), Relation("q1", "c1", "VIA"), Relation("q1", "i1", "COUNT_OF")]
    [row] = quantity_facts(text, AnnotatedDoc("d", "", ents, rels), year=2021)
    assert row["channels"] == ["网站", "热线"] and row["item"] == "建议" and row["approx"] == "lower_bound"
    assert (row["date"], row["date_text"], row["date_from"]) == ("2021-06", "2021年6月", "sentence")
    assert row["quantity_id"] == "q1" and (row["start"], row["end"]) == (24, 28)
    [alone] = quantity_facts("共30余件", AnnotatedDoc("d", "", [Entity("q", 1, 5, "QUANTITY", "30余件")], []),
                             year=None)
    assert (alone["value"], alone["item"], alone["channels"], alone["date"], alone["date_from"]) == (
        None, None, [], None, None)


class _FailsOn:
    """A model that raises on any batch containing one document (as a real bug would)."""

    name = "fails-on-one"

    def __init__(self, bad: str):
        self.bad, self.batches = bad, []

    def predict(self, items):
        items = list(items)
        self.batches.append([doc_id for doc_id, _ in items])
        if any(doc_id == self.bad for doc_id, _ in items):
            raise RuntimeError(f"cannot read {self.bad}")
        return [AnnotatedDoc(doc_id, "0" * 64) for doc_id, _ in items]


def test_a_model_failing_on_one_document_fails_only_that_one() -> None:
    from xxgk.extract.batch import annotate
    from xxgk.extract.document import Document
    from xxgk.extract.sections import split_sections

    text = "某局发布信息374条。\n"
    docs = [Document(f"d{i}.txt", text, split_sections(text), {"traditional": False}) for i in range(4)]
    model = _FailsOn("d2.txt")
    found = annotate(model, docs, simplify=False)
    assert model.batches[0] == [d.doc_id for d in docs]  # the whole batch first, then one by one
    assert [type(a).__name__ for a, _ in found] == ["AnnotatedDoc", "AnnotatedDoc", "RuntimeError", "AnnotatedDoc"]
    assert [a.doc_id for a, _ in found if isinstance(a, AnnotatedDoc)] == ["d0.txt", "d1.txt", "d3.txt"]


def test_batches_close_on_documents_or_on_bytes() -> None:
    from xxgk.extract.runner import Task, batches
    from xxgk.extract.sources import Source

    def task(seq: int, size: int) -> Task:
        return Task(seq, Source(f"d{seq}.txt", f"d{seq}.txt", None, b"x" * size), f"{seq:064d}")

    sizes = [10, 10, 10, 100, 10, 300, 10, 10, 10, 10]
    got = [[t.seq for t in b.tasks] for b in batches([task(i, n) for i, n in enumerate(sizes)], 4, 120)]
    assert got == [[0, 1, 2, 3], [4, 5], [6, 7, 8, 9]]

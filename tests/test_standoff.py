"""Stand-off JSONL: round trip, and one test per validation failure kind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xxgk.cli import app
from xxgk.corpus import Corpus
from xxgk.records import AnnotatedDoc, Entity, Relation, text_sha256
from xxgk.standoff import StandoffError, load_docs, read_records, validate, write_docs

A_TEXT = "2020年，本局在门户网站发布信息120条。"


def good_record() -> dict:
    return {
        "doc_id": "a",
        "text_sha256": text_sha256(A_TEXT),
        "entities": [
            {"id": "d1", "start": 0, "end": 5, "label": "DATE", "text": "2020年"},
            {"id": "c1", "start": 9, "end": 13, "label": "CHANNEL", "text": "门户网站"},
            {"id": "i1", "start": 15, "end": 17, "label": "ITEM", "text": "信息"},
            {"id": "q1", "start": 17, "end": 21, "label": "QUANTITY", "text": "120条"},
        ],
        "relations": [
            {"head": "q1", "tail": "i1", "label": "COUNT_OF"},
            {"head": "q1", "tail": "c1", "label": "VIA"},
        ],
    }


def write_lines(path: Path, *records: object) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_good_record_is_valid(tmp_path, tiny_corpus):
    docs, problems = validate(write_lines(tmp_path / "g.jsonl", good_record()), Corpus(tiny_corpus))
    assert problems == []
    assert [e.text for e in docs[0].entities] == ["2020年", "门户网站", "信息", "120条"]


def test_round_trip_is_lossless(tmp_path, tiny_corpus):
    doc = AnnotatedDoc.from_dict(good_record() | {"source": "test"})
    doc.entities[3] = Entity("q1", 17, 21, "QUANTITY", "120条", norm={"value": 120, "unit": "条"}, score=0.9)
    doc.relations.append(Relation("q1", "i1", "COUNT_OF", score=0.5))
    out = tmp_path / "out.jsonl"
    assert write_docs([doc], out) == 1
    again = [r for _, _, r in read_records(out)]
    assert again[0].to_dict() == doc.to_dict()
    assert not list(tmp_path.glob(".out.jsonl.*")), "atomic write leaves no temp file"


def mutate(change):
    rec = good_record()
    change(rec)
    return rec


BAD = {
    "json": "{not json",
    "format": mutate(lambda r: r["entities"][0].pop("start")),
    "unknown-doc": mutate(lambda r: r.update(doc_id="zzz")),
    "hash": mutate(lambda r: r.update(text_sha256="0" * 64)),
    "offsets": mutate(lambda r: r["entities"][3].update(start=17, end=99)),
    "slice": mutate(lambda r: r["entities"][1].update(text="政府网站")),
    "edge": mutate(lambda r: r["entities"].append(
        {"id": "x1", "start": 21, "end": 22, "label": "ORG", "text": "。"})),
    "overlap": mutate(lambda r: r["entities"].append(
        {"id": "x1", "start": 11, "end": 13, "label": "CHANNEL", "text": "网站"})),
    "label": mutate(lambda r: r["entities"][0].update(label="YEAR")),
    "relation-label": mutate(lambda r: r["relations"].append({"head": "q1", "tail": "i1", "label": "HAS"})),
    "relation-args": mutate(
        lambda r: r["relations"].append({"head": "i1", "tail": "q1", "label": "COUNT_OF"})
    ),
    "dangling": mutate(lambda r: r["relations"].append({"head": "q1", "tail": "i9", "label": "COUNT_OF"})),
    "duplicate-id": mutate(lambda r: r["entities"][2].update(id="q1")),
    "duplicate-relation": mutate(lambda r: r["relations"].append(dict(r["relations"][0]))),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_each_bad_input_is_named(kind, tmp_path, tiny_corpus):
    path = write_lines(tmp_path / "bad.jsonl", BAD[kind])
    _, problems = validate(path, Corpus(tiny_corpus))
    assert kind in {p.kind for p in problems}, [str(p) for p in problems]
    problem = next(p for p in problems if p.kind == kind)
    assert problem.file == str(path) and problem.line == 1
    if kind != "json":
        assert problem.doc_id in {"a", "zzz"}


def test_duplicate_doc_is_named_with_both_lines(tmp_path, tiny_corpus):
    path = write_lines(tmp_path / "dup.jsonl", good_record(), good_record())
    _, problems = validate(path, Corpus(tiny_corpus))
    assert [(p.kind, p.line) for p in problems] == [("duplicate-doc", 2)]
    assert f"{path}:1" in problems[0].message


def test_span_message_names_the_span(tmp_path, tiny_corpus):
    _, problems = validate(write_lines(tmp_path / "b.jsonl", BAD["slice"]), Corpus(tiny_corpus))
    assert "c1 [9:13] CHANNEL '政府网站'" in str(problems[0])
    assert "'门户网站'" in str(problems[0])


def test_all_problems_reported_not_just_first(tmp_path, tiny_corpus):
    path = write_lines(tmp_path / "m.jsonl", BAD["slice"], "{oops", BAD["label"] | {"doc_id": "b"})
    _, problems = validate(path, Corpus(tiny_corpus))
    assert {p.line for p in problems} == {1, 2, 3}


def test_load_docs_raises_with_every_problem(tmp_path, tiny_corpus):
    path = write_lines(tmp_path / "m.jsonl", BAD["slice"], BAD["label"])
    with pytest.raises(StandoffError) as err:
        load_docs(path, Corpus(tiny_corpus))
    assert len(err.value.problems) >= 2


def test_folder_of_jsonl_files(tmp_path, tiny_corpus):
    folder = tmp_path / "gold"
    folder.mkdir()
    write_lines(folder / "a.jsonl", good_record())
    b_text = (tiny_corpus / "b.txt").read_text(encoding="utf-8")
    write_lines(folder / "b.jsonl", {"doc_id": "b", "text_sha256": text_sha256(b_text),
                                     "entities": [], "relations": []})
    docs = load_docs(folder, Corpus(tiny_corpus))
    assert [d.doc_id for d in docs] == ["a", "b"]


def test_cli_validate_and_stats(tmp_path, tiny_corpus):
    runner = CliRunner()
    good = write_lines(tmp_path / "g.jsonl", good_record())
    ok = runner.invoke(app, ["corpus", "validate", str(good), "--corpus", str(tiny_corpus)])
    assert ok.exit_code == 0 and "1 documents valid" in ok.output
    bad = write_lines(tmp_path / "bad.jsonl", BAD["hash"])
    fail = runner.invoke(app, ["corpus", "validate", str(bad), "--corpus", str(tiny_corpus)])
    assert fail.exit_code == 1 and "[hash]" in fail.output
    stats = runner.invoke(app, ["corpus", "stats", str(good), "--corpus", str(tiny_corpus), "--json"])
    data = json.loads(stats.output)
    assert data["docs"] == 1 and data["entities"]["QUANTITY"] == 1 and data["relations"]["VIA"] == 1
    assert data["chars"] == len(A_TEXT)


def test_corpus_reads_exact_text(tmp_path):
    (tmp_path / "crlf.txt").write_bytes("第一行\r\n第二行".encode())
    assert Corpus(tmp_path).text("crlf") == "第一行\r\n第二行"


def test_reference_example_is_valid(shared_corpus):
    example = shared_corpus.parent / "spec" / "example-000.jsonl"
    docs = load_docs(example, Corpus(shared_corpus))
    assert docs[0].doc_id == "000" and len(docs[0].entities) > 50

"""Label Studio JSON ⇄ stand-off JSONL: lossless, code points on both sides, disagreements surfaced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xxgk.annotation.convert import (
    code_point_offset,
    content,
    dropped,
    gold_from_tasks,
    make_tasks,
    resolve_span,
    strict_f1,
    tasks_from_gold,
)
from xxgk.cli import app
from xxgk.corpus import Corpus
from xxgk.records import AnnotatedDoc, Entity, Relation, text_sha256
from xxgk.standoff import load_docs, write_docs

GOLD_DIR = Path(__file__).resolve().parents[1] / "annotation" / "gold"

PLAIN = "2020年，本局在门户网站发布信息120条。"
# CJK Extension B characters (outside the BMP) and an emoji before every span, then a second line.
ASTRAL = "𠀀𠀁局在😀门户网站发布信息120条。\n下一步将进一步加强培训。"


def span(eid: str, text: str, piece: str, label: str, **extra) -> Entity:
    start = text.index(piece)
    return Entity(eid, start, start + len(piece), label, piece, **extra)


def plain_doc() -> AnnotatedDoc:
    t = PLAIN
    return AnnotatedDoc("plain", text_sha256(t), [
        span("d1", t, "2020年", "DATE"),
        span("c1", t, "门户网站", "CHANNEL"),
        span("i1", t, "信息", "ITEM"),
        span("q1", t, "120条", "QUANTITY", norm={"value": 120, "unit": "条"}, score=0.75),
    ], [Relation("q1", "i1", "COUNT_OF"), Relation("q1", "c1", "VIA", score=0.5)],
        {"note": "test", "passes": 2})


def astral_doc() -> AnnotatedDoc:
    t = ASTRAL
    return AnnotatedDoc("astral", text_sha256(t), [
        span("c1", t, "门户网站", "CHANNEL"),
        span("i1", t, "信息", "ITEM"),
        span("q1", t, "120条", "QUANTITY"),
        span("k1", t, "进一步加强培训", "COMMITMENT"),
    ], [Relation("q1", "i1", "COUNT_OF"), Relation("q1", "c1", "VIA")])


@pytest.fixture
def corpus(tmp_path: Path) -> Corpus:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "plain.txt").write_text(PLAIN, encoding="utf-8")
    (root / "astral.txt").write_text(ASTRAL, encoding="utf-8")
    return Corpus(root)


def region(rid: str, start: int, end: int, label: str, text: str | None) -> dict:
    value = {"start": start, "end": end, "labels": [label]}
    if text is not None:
        value["text"] = text
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels", "value": value}


def arc(head: str, tail: str, label: str, direction: str = "right") -> dict:
    return {"type": "relation", "from_id": head, "to_id": tail, "direction": direction, "labels": [label]}


def task(doc_id: str, text: str, *annotations: list[dict], offset: int = 0, task_id: int = 1) -> dict:
    piece = text[offset:] if offset else text
    return {"id": task_id, "data": {"text": piece, "doc_id": doc_id, "text_sha256": text_sha256(text),
                                    "offset": offset},
            "annotations": [{"id": n, "result": r, "created_at": f"2026-01-0{n}T00:00:00Z"}
                            for n, r in enumerate(annotations, 1)]}


def test_round_trip_is_lossless(corpus):
    docs = [plain_doc(), astral_doc()]
    tasks = json.loads(json.dumps(tasks_from_gold(docs, corpus), ensure_ascii=False))
    back = gold_from_tasks(tasks, corpus)
    assert back.issues == [] and back.pending == [] and back.utf16_spans == 0
    assert [d.to_dict() for d in back.docs] == [d.to_dict() for d in docs]


def test_round_trip_of_the_shipped_gold(shared_corpus):
    files = sorted(GOLD_DIR.glob("*.jsonl"))
    if not files:
        pytest.skip(f"no gold in {GOLD_DIR}")
    corpus = Corpus(shared_corpus)
    docs = [d for f in files for d in load_docs(f, corpus)]
    back = gold_from_tasks(json.loads(json.dumps(tasks_from_gold(docs, corpus))), corpus)
    assert back.issues == []
    assert [d.to_dict() for d in back.docs] == [d.to_dict() for d in docs]


def test_task_offsets_are_code_points(corpus):
    (only,) = tasks_from_gold([astral_doc()], corpus)
    results = only["annotations"][0]["result"]
    q1 = next(r for r in results if r.get("id") == "q1")
    assert q1["value"] == {"start": ASTRAL.index("120条"), "end": ASTRAL.index("120条") + 4,
                           "text": "120条", "labels": ["QUANTITY"]}
    assert only["data"] == {"text": ASTRAL, "doc_id": "astral", "text_sha256": text_sha256(ASTRAL),
                            "offset": 0}


def utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def test_utf16_offsets_are_recognised_by_their_text(corpus):
    t = ASTRAL
    results = [region(e.id, utf16(t, e.start), utf16(t, e.end), e.label, e.text)
               for e in astral_doc().entities]
    results += [arc("q1", "i1", "COUNT_OF"), arc("q1", "c1", "VIA")]
    back = gold_from_tasks([task("astral", t, results)], corpus)
    assert back.issues == []
    assert back.utf16_spans == 4
    (doc,) = back.docs
    assert doc.extra.pop("label_studio")["annotation_ids"] == [1]
    assert doc.to_dict() == astral_doc().to_dict()


def test_code_point_offset():
    assert [code_point_offset("a😀b", u) for u in range(5)] == [0, 1, None, 2, 3]
    assert code_point_offset("a😀b", 5) is None
    assert resolve_span("a😀b", 3, 4, "b") == (2, 3, True)
    assert resolve_span("a😀b", 2, 3, "b") == (2, 3, False)
    assert resolve_span("a😀b", 2, 3, None) == (2, 3, False)
    assert resolve_span("a😀b", 0, 9, None) is None


def test_offsets_matching_nothing_are_reported(corpus):
    back = gold_from_tasks([task("astral", ASTRAL, [region("x", 0, 4, "CHANNEL", "门户网站")])], corpus)
    assert back.docs == []
    assert [(i.doc_id, i.task_id, i.kind) for i in back.issues] == [("astral", 1, "offsets")]
    assert "'门户网站'" in str(back.issues[0])


def test_section_tasks_map_back_to_the_document(corpus):
    cut = ASTRAL.index("\n") + 1
    spans = [(0, cut), (cut, len(ASTRAL))]
    tasks = make_tasks("astral", ASTRAL, spans=spans, annotation=astral_doc())
    assert [t["data"]["offset"] for t in tasks] == [0, cut]
    assert tasks[1]["data"]["text"] == "下一步将进一步加强培训。"
    assert tasks[1]["annotations"][0]["result"][0]["value"]["start"] == 4  # relative to the section
    back = gold_from_tasks(tasks[::-1], corpus)  # task order in an export does not matter
    assert back.docs[0].to_dict() == astral_doc().to_dict()


def test_predictions_become_scored_pre_annotations(corpus):
    pred = plain_doc()
    (only,) = make_tasks("plain", PLAIN, prediction=pred, model_version="m-1")
    assert "annotations" not in only
    (p,) = only["predictions"]
    assert p["model_version"] == "m-1" and p["score"] == pytest.approx((0.75 + 0.5) / 2)
    assert {r["type"] for r in p["result"]} == {"labels", "relation"}
    assert next(r for r in p["result"] if r.get("id") == "q1")["score"] == 0.75


def test_what_no_task_shows_is_counted():
    doc = astral_doc()
    cut = ASTRAL.index("\n") + 1
    assert dropped(doc, [(0, len(ASTRAL))]) == (0, 0)
    assert dropped(doc, [(0, cut)]) == (1, 0)  # the commitment's section is not pushed
    between = ASTRAL.index("信息")  # q1 and c1 on either side: VIA crosses, COUNT_OF does not
    assert dropped(doc, [(0, between), (between, len(ASTRAL))]) == (0, 1)


def test_ids_stay_unique_across_sections(corpus):
    cut = ASTRAL.index("\n") + 1
    q, i = ASTRAL.index("120条"), ASTRAL.index("信息")
    first = [region("a", q, q + 4, "QUANTITY", "120条"), region("b", i, i + 2, "ITEM", "信息"),
             arc("a", "b", "COUNT_OF")]
    second = [region("a", 4, 11, "COMMITMENT", "进一步加强培训")]
    tasks = [task("astral", ASTRAL, first), task("astral", ASTRAL, second, offset=cut, task_id=2)]
    back = gold_from_tasks(tasks, corpus)
    (doc,) = back.docs
    assert [e.id for e in doc.entities] == ["a", "b", "a-2"]
    assert doc.entities[2].text == "进一步加强培训" and doc.entities[2].start == cut + 4
    assert [(r.head, r.tail) for r in doc.relations] == [("a", "b")]


def two_opinions() -> tuple[list[dict], list[dict]]:
    one = [region("a", 0, 5, "DATE", "2020年"), region("b", 9, 13, "CHANNEL", "门户网站")]
    two = [region("a", 0, 5, "DATE", "2020年"), region("c", 17, 21, "QUANTITY", "120条")]
    return one, two


def test_several_annotations_are_a_disagreement(corpus):
    one, two = two_opinions()
    t = task("plain", PLAIN, one, two)
    t["annotations"].append({"id": 3, "result": [], "was_cancelled": True})
    back = gold_from_tasks([t], corpus)
    assert back.docs == [] and back.pending == [] and back.issues == []
    (d,) = back.disagreements
    assert (d.doc_id, d.task_id, d.annotation_ids, d.taken) == ("plain", 1, (1, 2), None)
    assert d.f1 == pytest.approx(0.5)
    newest = gold_from_tasks([t], corpus, prefer_newest=True)
    assert newest.disagreements[0].taken == 2
    assert [e.id for e in newest.docs[0].entities] == ["a", "c"]


def test_strict_f1():
    assert strict_f1([], []) == 1.0
    assert strict_f1([(0, 1, "A")], [(0, 1, "B")]) == 0.0
    assert strict_f1([(0, 1, "A"), (2, 3, "A")], [(0, 1, "A")]) == pytest.approx(2 / 3)


def test_unannotated_tasks_leave_their_document_pending(corpus):
    back = gold_from_tasks([task("plain", PLAIN)], corpus)
    assert (back.docs, back.pending, back.issues) == ([], ["plain"], [])


def test_relation_directions(corpus):
    spans = [region("q", 17, 21, "QUANTITY", "120条"), region("i", 15, 17, "ITEM", "信息")]
    back = gold_from_tasks([task("plain", PLAIN, [*spans, arc("i", "q", "COUNT_OF", "left")])], corpus)
    assert [r.to_dict() for r in back.docs[0].relations] == [{"head": "q", "tail": "i", "label": "COUNT_OF"}]
    back = gold_from_tasks([task("plain", PLAIN, [*spans, arc("q", "i", "COUNT_OF", "bi")])], corpus)
    assert back.docs == [] and back.issues[0].kind == "relation"


@pytest.mark.parametrize("change, kind", [
    (lambda t: t["data"].update(text="2021年"), "task-text"),
    (lambda t: t["data"].update(text_sha256="0" * 64), "hash"),
    (lambda t: t["data"].pop("doc_id"), "task"),
    (lambda t: t["data"].update(doc_id="nope"), "unknown-doc"),
    (lambda t: t["annotations"][0]["result"].append(region("z", 11, 13, "CHANNEL", "网站")), "overlap"),
    (lambda t: t["annotations"][0]["result"].append({"id": "z", "type": "choices", "value": {}}), "result"),
])
def test_bad_tasks_are_named_and_left_out(corpus, change, kind):
    t = task("plain", PLAIN, [region("b", 9, 13, "CHANNEL", "门户网站")])
    change(t)
    back = gold_from_tasks([t], corpus)
    assert back.docs == []
    assert kind in {i.kind for i in back.issues}, [str(i) for i in back.issues]


def test_cli_convert_both_ways(tmp_path, corpus):
    gold = tmp_path / "gold.jsonl"
    write_docs([plain_doc(), astral_doc()], gold)
    runner = CliRunner()
    out = runner.invoke(app, ["label", "convert", str(gold), str(tmp_path / "ls.json"),
                              "--corpus", str(corpus.root)])
    assert out.exit_code == 0, out.output
    assert "2 tasks" in out.output
    back = runner.invoke(app, ["label", "convert", str(tmp_path / "ls.json"), str(tmp_path / "back.jsonl"),
                               "--corpus", str(corpus.root)])
    assert back.exit_code == 0, back.output
    assert (tmp_path / "back.jsonl").read_bytes() == gold.read_bytes()


def test_cli_convert_lists_problems_and_fails(tmp_path, corpus):
    export = tmp_path / "export.json"
    one, two = two_opinions()
    bad = task("astral", ASTRAL, [region("x", 0, 4, "CHANNEL", "门户网站")], task_id=9)
    export.write_text(json.dumps([task("plain", PLAIN, one, two), bad]), encoding="utf-8")
    result = CliRunner().invoke(app, ["label", "convert", str(export), str(tmp_path / "g.jsonl"),
                                      "--corpus", str(corpus.root)])
    assert result.exit_code == 1
    assert "doc astral task 9: [offsets]" in result.output
    assert "several annotations" in result.output and "0.500" in result.output
    assert (tmp_path / "g.jsonl").read_text(encoding="utf-8") == ""


def as_submitted(results: list[dict]) -> list[dict]:
    """Results as the editor submits a pre-annotation it was given: display fields added, the
    relation written the other way round, the order changed."""
    out = [{**r, "origin": "prediction", "readonly": False} for r in results if r["type"] == "labels"]
    for r in results:
        if r["type"] == "relation":
            out.insert(0, {**r, "from_id": r["to_id"], "to_id": r["from_id"], "direction": "left"})
    return out[::-1]


def predicted_task(**annotation) -> dict:
    """A task of ``plain`` pre-annotated by model ``m-1``, with one finished annotation."""
    (t,) = make_tasks("plain", PLAIN, prediction=plain_doc(), model_version="m-1")
    t["predictions"][0]["id"] = 7
    t.update(id=3, annotations=[{"id": 11, "parent_prediction": 7, **annotation}])
    return t


def test_a_pre_annotation_submitted_unchanged_is_recorded(corpus):
    t = predicted_task(result=as_submitted(predicted_task()["predictions"][0]["result"]))
    back = gold_from_tasks([t], corpus)
    (doc,) = back.docs
    assert back.unchanged == ["plain"] and back.issues == []
    assert doc.extra["label_studio"] == {"annotation_ids": [11], "model_version": "m-1",
                                         "unchanged_prediction": True}
    assert sorted(e.to_dict()["id"] for e in doc.entities) == sorted(e.id for e in plain_doc().entities)


def test_a_corrected_pre_annotation_is_not_unchanged(corpus):
    results = [r for r in as_submitted(predicted_task()["predictions"][0]["result"]) if r.get("id") != "d1"]
    back = gold_from_tasks([predicted_task(result=results)], corpus)  # the date deleted
    assert back.unchanged == [] and back.issues == []
    assert back.docs[0].extra["label_studio"]["unchanged_prediction"] is False


def test_the_prediction_stored_with_the_annotation_is_used_when_the_export_lists_ids(corpus):
    t = predicted_task()
    prediction = t["predictions"][0]
    t["predictions"] = [prediction["id"]]  # the native export
    t["annotations"][0].update(result=prediction["result"], prediction=prediction)
    assert gold_from_tasks([t], corpus).unchanged == ["plain"]
    t["annotations"][0]["prediction"] = {}  # Label Studio found no prediction of the project's version
    back = gold_from_tasks([t], corpus)
    assert back.unchanged == [] and back.docs[0].extra["label_studio"]["model_version"] is None


def test_content_ignores_ids_and_display_fields():
    results = make_tasks("plain", PLAIN, prediction=plain_doc())[0]["predictions"][0]["result"]
    assert content(as_submitted(results)) == content(results)
    renamed = [{**r, "id": f"x{r['id']}"} if "id" in r else
               {**r, "from_id": f"x{r['from_id']}", "to_id": f"x{r['to_id']}"} for r in results]
    assert content(renamed) == content(results)
    assert content(results[:-1]) != content(results)  # one relation less


def test_empty_annotations_are_left_out_unless_kept(corpus):
    t = predicted_task(result=[])
    back = gold_from_tasks([t], corpus)
    assert (back.docs, back.empty, back.issues) == ([], ["plain"], [])
    kept = gold_from_tasks([t], corpus, keep_empty=True)
    (doc,) = kept.docs
    assert kept.empty == ["plain"] and doc.entities == [] and doc.relations == []
    assert doc.extra["label_studio"]["unchanged_prediction"] is False


def test_an_empty_section_does_not_make_its_document_empty(corpus):
    cut = ASTRAL.index("\n") + 1
    first = [region("c", 5, 9, "CHANNEL", "门户网站")]
    back = gold_from_tasks([task("astral", ASTRAL, first), task("astral", ASTRAL, [], offset=cut, task_id=2)],
                           corpus)
    assert back.empty == [] and [e.text for e in back.docs[0].entities] == ["门户网站"]


def test_cli_convert_warns_about_empty_and_unchanged_documents(tmp_path, corpus):
    unchanged = predicted_task(result=predicted_task()["predictions"][0]["result"])
    empty = task("astral", ASTRAL, [], task_id=4)
    export = tmp_path / "export.json"
    export.write_text(json.dumps([unchanged, empty], ensure_ascii=False), encoding="utf-8")
    args = ["label", "convert", str(export), str(tmp_path / "g.jsonl"), "--corpus", str(corpus.root)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "1 document(s) submitted with empty annotations, left out (--keep-empty writes them): astral" \
        in " ".join(result.output.split())
    assert "pre-annotations submitted unchanged" in result.output and "plain" in result.output
    (doc,) = load_docs(tmp_path / "g.jsonl", corpus)
    assert doc.extra["label_studio"]["unchanged_prediction"] is True  # travels in the JSONL
    kept = CliRunner().invoke(app, [*args, "--keep-empty"])
    assert kept.exit_code == 0 and "written with 0 entities" in " ".join(kept.output.split())
    assert {d.doc_id: len(d.entities) for d in load_docs(tmp_path / "g.jsonl", corpus)} == {"plain": 4, "astral": 0}

"""Inputs that used to stall, sink or lose documents: pipes, symlinked folders, names that look
like globs, NUL bytes, UTF-16 without BOM, large members of the wrong type, and long documents
(read in parts, within a time budget, without sinking their batch)."""

from __future__ import annotations

import io
import json
import os
import zipfile
from itertools import pairwise
from pathlib import Path

import pytest

from xxgk.extract.batch import annotate
from xxgk.extract.decode import decode_bytes
from xxgk.extract.document import Document, ReadFailure
from xxgk.extract.long_docs import Budget, BudgetExceeded, predict_in_parts, split_parts
from xxgk.extract.runner import RunOptions, run_extract
from xxgk.extract.sections import split_sections
from xxgk.extract.settings import load_settings
from xxgk.extract.sources import Source, _read_checked, iter_sources
from xxgk.records import AnnotatedDoc, Entity, Relation

REPORT = "某县人民政府2021年政府信息公开工作年度报告\n一、总体情况\n2021年,本县通过政府网站发布信息374条。\n"


def ids(items: list) -> list[tuple[str, str | None]]:
    return [(i.doc_id, None) if isinstance(i, Source) else (i.path, i.reason) for i in items]


def test_a_named_pipe_is_reported_not_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.txt")
    got = ids(list(iter_sources([str(tmp_path)])))  # would block forever on reading the pipe
    assert got == [("a.txt", None), ("pipe.txt", "not a regular file (a named pipe), not read")]


def test_symlinked_folders_are_followed_once(tmp_path: Path) -> None:
    real = tmp_path / "in" / "real"
    real.mkdir(parents=True)
    (real / "a.txt").write_text(REPORT, encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "b.txt").write_text(REPORT + "另", encoding="utf-8")
    (tmp_path / "in" / "linked").symlink_to(outside, target_is_directory=True)
    (real / "loop").symlink_to(tmp_path / "in", target_is_directory=True)
    got = ids(list(iter_sources([str(tmp_path / "in")])))
    assert ("linked/b.txt", None) in got and ("real/a.txt", None) in got
    [loop] = [g for g in got if g[1]]
    assert loop[0] == "real/loop" and "already walked" in loop[1]


def test_an_existing_path_is_taken_literally_before_as_a_glob(tmp_path: Path) -> None:
    (tmp_path / "report[1].txt").write_text(REPORT, encoding="utf-8")
    assert ids(list(iter_sources([str(tmp_path / "report[1].txt")]))) == [("report[1].txt", None)]


def test_nul_bytes_are_judged_by_their_share_and_utf16_without_bom_is_read() -> None:
    text = REPORT * 20
    assert decode_bytes((text + "\x00").encode("utf-8")).text.endswith("\x00")
    with pytest.raises(Exception, match="binary data"):
        decode_bytes(("\x00" * 100 + text).encode("utf-8"))
    for encoding in ("utf-16-le", "utf-16-be"):
        decoded = decode_bytes(text.encode(encoding))
        assert (decoded.encoding, decoded.text) == (encoding, text)
    assert decode_bytes(text.encode("gb18030")).encoding == "gb18030"  # not mistaken for UTF-16


class _Counting(io.BytesIO):
    def __init__(self, data: bytes):
        super().__init__(data)
        self.read_bytes = 0

    def read(self, size: int | None = -1) -> bytes:
        out = super().read(size)
        self.read_bytes += len(out)
        return out


def test_a_member_of_the_wrong_type_is_refused_after_its_first_bytes(tmp_path: Path) -> None:
    big = _Counting(b"\x89PNG\r\n\x1a\n" + b"\x00" * 5_000_000)
    failure = _read_checked(big, "photo.txt", 10**9)
    assert isinstance(failure, ReadFailure) and "PNG" in failure.reason and big.read_bytes <= 4096
    zipped = tmp_path / "in.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("scan.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 2_000_000)
        zf.writestr("report.txt", REPORT.encode("utf-8"))
        zf.writestr("photo.jpg", b"\xff\xd8\xff" + b"\x00" * 100)
    got = ids(list(iter_sources([str(zipped)])))
    assert got[1] == ("in.zip/report.txt", None)
    assert "PNG image" in got[0][1] and "unsupported file type .jpg" in got[2][1]


def test_split_parts_tiles_the_text_at_line_then_sentence_ends() -> None:
    text = ("第一句话。" * 30 + "\n") * 20
    parts = split_parts(text, 400)
    assert parts[0][0] == 0 and parts[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in pairwise(parts))
    assert all(0 < e - s <= 400 for s, e in parts)
    assert all(text[e - 1] == "\n" for s, e in parts[:-1])  # whole lines when they fit
    one_line = "第一句话。" * 400
    assert all(one_line[e - 1] == "。" for s, e in split_parts(one_line, 333)[:-1])
    assert [e - s for s, e in split_parts("字" * 1000, 300)] == [300, 300, 300, 100]  # no break: hard


class _Tagger:
    """Marks every 374条 as a QUANTITY and 信息 as ITEM, with a COUNT_OF between them."""

    name = "tagger"

    def __init__(self, slow_on: str | None = None):
        self.calls, self.slow_on = [], slow_on

    def predict(self, items):
        out = []
        for doc_id, text in items:
            self.calls.append((doc_id, len(text)))
            if doc_id == self.slow_on:
                raise BudgetExceeded("stand-in for a slow part")
            ents, rels, k = [], [], 0
            start = text.find("信息374条")
            while start >= 0:
                k += 1
                ents += [Entity(f"e{2 * k - 1}", start, start + 2, "ITEM", "信息"),
                         Entity(f"e{2 * k}", start + 2, start + 6, "QUANTITY", "374条")]
                rels.append(Relation(f"e{2 * k}", f"e{2 * k - 1}", "COUNT_OF"))
                start = text.find("信息374条", start + 1)
            out.append(AnnotatedDoc(doc_id, "", ents, rels))
        return out


def test_predict_in_parts_shifts_offsets_and_renumbers_ids() -> None:
    text = REPORT * 200
    record = predict_in_parts(_Tagger(), "long", text, 1000, Budget(60))
    assert len(record.entities) == 400 and len({e.id for e in record.entities}) == 400
    assert all(text[e.start:e.end] == e.text for e in record.entities)
    by_id = record.entity_by_id()
    assert all(by_id[r.head].start == by_id[r.tail].end for r in record.relations)
    with pytest.raises(BudgetExceeded, match="time budget of 0 s"):
        predict_in_parts(_Tagger(), "long", text, 1000, Budget(0))


def test_a_long_document_never_sinks_its_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(load_settings()["runner"], "part_chars", 500)
    docs = [Document(name, text, split_sections(text), {"traditional": False})
            for name, text in (("a", REPORT), ("huge", REPORT * 100), ("b", REPORT))]
    model = _Tagger()
    found = annotate(model, docs, simplify=False)
    assert [type(r).__name__ for r, _ in found] == ["AnnotatedDoc"] * 3
    assert model.calls[0] == ("a", len(REPORT)) and model.calls[1] == ("b", len(REPORT))  # short ones together
    assert all(n <= 500 for _, n in model.calls) and len(found[1][0].entities) == 200
    failing = annotate(_Tagger(slow_on="huge"), docs, simplify=False)
    assert [type(r).__name__ for r, _ in failing] == ["AnnotatedDoc", "BudgetExceeded", "AnnotatedDoc"]


def test_a_batch_with_a_huge_one_line_report_and_a_pipe_writes_the_good_reports(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The issue's case: a 2 MB one-line report, a named pipe and two good reports in one folder."""
    monkeypatch.setitem(load_settings()["runner"], "doc_seconds", 0.5)
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.txt").write_text(REPORT, encoding="utf-8")
    (inputs / "b.txt").write_text(REPORT.replace("374", "375"), encoding="utf-8")
    line = REPORT.replace("\n", " ").replace("。", ".").replace(",", ",")
    (inputs / "huge.txt").write_text(line * (2_000_000 // len(line.encode())), encoding="utf-8")
    os.mkfifo(inputs / "pipe.txt")
    out = tmp_path / "out"
    result = run_extract([str(inputs)], out, RunOptions(model="rules-v1"))
    docs = [json.loads(x)["doc_id"] for x in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    errors = {e["path"]: e for e in map(json.loads, (out / "errors.jsonl").read_text(encoding="utf-8").splitlines())}
    assert docs == ["a.txt", "b.txt"] and result.summary.documents == 2
    assert set(errors) == {"huge.txt", "pipe.txt"}
    assert "time budget" in errors["huge.txt"]["reason"] and "named pipe" in errors["pipe.txt"]["reason"]

"""Bad input through the real entry point: one line naming the file and the cause, exit status 2
for input that cannot be used (1 stays "ran, found problems"), no traceback, and every good
document of an extract run still written.

Each case writes its inputs, runs ``xxgk`` as the console script does (``xxgk.errors.run``), and
checks the status, that stderr holds one ``error:`` line naming the file with the expected cause,
and that no traceback was printed.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from xxgk.cli import app
from xxgk.errors import run
from xxgk.records import text_sha256

REPORT = "某县人民政府2021年政府信息公开工作年度报告\n2021年,本县通过政府网站发布信息374条。\n"
TEXT = "2020年,本局在门户网站发布信息120条。"


@dataclass(frozen=True)
class Case:
    name: str
    setup: Callable[[Path], list[str]]  # writes the inputs under the folder, returns the arguments
    status: int
    says: tuple[str, ...]  # in stderr (file name and cause)
    lands: tuple[str, ...] = ()  # doc ids that must be in OUT/documents.jsonl
    usage: bool = False  # an option click itself rejects: its usage message, status 2


def corpus(root: Path) -> Path:
    folder = root / "corpus"
    folder.mkdir(exist_ok=True)
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    return folder


def gold_line(doc_id: str = "a", text: str = TEXT) -> str:
    start = text.index("120条")
    return json.dumps({"doc_id": doc_id, "text_sha256": text_sha256(text), "entities": [
        {"id": "q1", "start": start, "end": start + 4, "label": "QUANTITY", "text": "120条"}], "relations": []},
        ensure_ascii=False) + "\n"


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def inputs_with(extra: Callable[[Path], object]) -> Callable[[Path], list[str]]:
    """An extract run over a folder holding one good report and whatever ``extra`` adds."""
    def setup(root: Path) -> list[str]:
        write(root / "in" / "good.txt", REPORT)
        extra(root / "in")
        return ["extract", str(root / "in"), "-o", str(root / "out"), "--model", "rules-v1", "--format", "jsonl"]
    return setup


def extract_case(name: str, extra: Callable[[Path], object], *says: str, lands: tuple[str, ...] = ("good.txt",),
                 status: int = 0) -> Case:
    return Case(name, inputs_with(extra), status, says, lands)


def eval_args(root: Path, pred: Path, gold: Path | None = None, *more: str) -> list[str]:
    gold = gold or write(root / "gold.jsonl", gold_line())
    return ["eval", "--pred", str(pred), "--gold", str(gold), "--corpus", str(corpus(root)), *more]


def ls_task(**change: object) -> dict:
    """A Label Studio task over TEXT with one region, with one field changed (None: removed)."""
    start = TEXT.index("120条")
    value = {"start": change.get("start", start), "end": start + 4, "labels": ["QUANTITY"], "text": "120条"}
    data = {"doc_id": "a", "text": TEXT}
    if "text" in change:
        data.pop("text")
    region = {"id": "q1", "type": "labels", "value": change.get("value", value) if "value" in change else value}
    return {"id": 7, "data": data, "annotations": change.get("annotations", [{"id": 1, "result": [region]}])}


def convert_args(root: Path, tasks: list) -> list[str]:
    return ["label", "convert", str(write(root / "e.json", json.dumps(tasks, ensure_ascii=False))),
            str(root / "o.jsonl"), "--corpus", str(corpus(root))]


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
BINARY = bytes(range(256)) * 4


def truncated_zip(folder: Path) -> None:
    path = folder / "bundle.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("x.txt", REPORT * 20)
    path.write_bytes(path.read_bytes()[:50])


def symlink_loop(folder: Path) -> None:
    (folder / "sub").mkdir()
    (folder / "sub" / "back").symlink_to(folder, target_is_directory=True)


CASES = [
    # extract: the good report lands, the bad input is named in errors.jsonl (status 0)
    extract_case("named pipe", lambda f: os.mkfifo(f / "pipe.txt")),
    extract_case("binary behind .txt", lambda f: write(f / "photo.txt", PNG)),
    extract_case("empty file", lambda f: write(f / "empty.txt", b"")),
    extract_case("undecodable bytes", lambda f: write(f / "junk.txt", BINARY)),
    extract_case("truncated zip", truncated_zip),
    extract_case("unsupported type", lambda f: write(f / "sheet.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 40)),
    extract_case("symlink loop", symlink_loop),
    extract_case("a NUL byte in a report", lambda f: write(f / "nul.txt", REPORT * 3 + "\x00"),
                 lands=("good.txt", "nul.txt")),
    extract_case("UTF-16 without BOM", lambda f: write(f / "u16.txt", REPORT.encode("utf-16-le")),
                 lands=("good.txt", "u16.txt")),
    extract_case("a name that looks like a glob", lambda f: write(f / "report[1].txt", REPORT + "另"),
                 lands=("good.txt", "report[1].txt")),
    # extract: the run itself cannot start (status 2)
    Case("output is a file", lambda r: ["extract", str(write(r / "in.txt", REPORT)), "-o",
                                        str(write(r / "out.txt", "x"))], 2, ("out.txt", "is a file")),
    Case("output folder in use", lambda r: ["extract", str(write(r / "in.txt", REPORT)), "-o",
                                            str(write(r / "out" / "keep.txt", "x").parent)], 2,
         ("out", "not empty")),
    Case("unknown model", lambda r: ["extract", str(write(r / "in.txt", REPORT)), "-o", str(r / "o"),
                                     "--model", "no-such-model"], 2, ("unknown model", "no-such-model")),
    Case("unknown format", lambda r: ["extract", str(write(r / "in.txt", REPORT)), "-o", str(r / "o"),
                                      "--format", "csv"], 2, ("csv", "jsonl, parquet, both"), usage=True),
    Case("nothing readable", lambda r: ["extract", str(write(r / "in" / "e.txt", b"")), "-o", str(r / "o"),
                                        "--model", "rules-v1"], 1, ("no document could be processed",)),
    # corpus validate
    Case("validate a binary file", lambda r: ["corpus", "validate", str(write(r / "g.jsonl", BINARY)),
                                              "--corpus", str(corpus(r))], 2, ("g.jsonl", "not UTF-8")),
    Case("validate a missing path", lambda r: ["corpus", "validate", str(r / "nope.jsonl"), "--corpus",
                                               str(corpus(r))], 2, ("nope.jsonl", "no such file")),
    Case("validate without the corpus folder", lambda r: ["corpus", "validate", str(write(r / "g.jsonl",
                                                          gold_line())), "--corpus", str(r / "gone")], 2,
         ("gone", "corpus folder not found")),
    Case("validate an empty folder", lambda r: ["corpus", "validate", str((r / "empty").mkdir() or r / "empty"),
                                                "--corpus", str(corpus(r))], 2, ("empty", "no .jsonl")),
    Case("validate finds problems", lambda r: ["corpus", "validate", str(write(r / "g.jsonl", gold_line().replace(
        text_sha256(TEXT), "0" * 64))), "--corpus", str(corpus(r))], 1, ()),
    Case("validate a truncated line", lambda r: ["corpus", "validate", str(write(r / "g.jsonl", gold_line()[:40])),
                                                 "--corpus", str(corpus(r))], 1, ()),
    # eval
    Case("eval binary predictions", lambda r: eval_args(r, write(r / "p.jsonl", BINARY)), 2, ("p.jsonl", "not UTF-8")),
    Case("eval binary gold", lambda r: eval_args(r, write(r / "p.jsonl", gold_line()), write(r / "g.jsonl", BINARY)),
         2, ("g.jsonl", "not UTF-8")),
    Case("eval empty predictions", lambda r: eval_args(r, write(r / "p.jsonl", b"")), 2, ("p.jsonl", "no predictions")),
    Case("eval missing predictions", lambda r: eval_args(r, r / "nope.jsonl"), 2, ("nope.jsonl", "no such file")),
    Case("eval predictions over another text", lambda r: eval_args(r, write(r / "p.jsonl", gold_line().replace(
        text_sha256(TEXT), "0" * 64))), 2, ("different texts", "a")),
    Case("eval predictions for an unknown document", lambda r: eval_args(
        r, write(r / "p.jsonl", gold_line() + gold_line("zz"))), 2, ("p.jsonl", "not in the gold")),
    Case("eval missing splits file", lambda r: eval_args(r, write(r / "p.jsonl", gold_line()), None, "--split", "dev",
                                                         "--splits", str(r / "none.json")), 2,
         ("none.json", "not found")),
    Case("eval unknown split", lambda r: eval_args(r, write(r / "p.jsonl", gold_line()), None, "--split", "dev",
                                                   "--splits", str(write(r / "s.json", '{"test": ["a"]}'))), 2,
         ("s.json", "no split 'dev'")),
    # tables
    Case("tables missing file", lambda r: ["tables", str(r / "gone.txt")], 2, ("gone.txt", "no such file")),
    Case("tables unsupported and good files", lambda r: ["tables", str(write(r / "x.xls", b"\x00")),
                                                         str(write(r / "ok.txt", REPORT))], 2,
         ("x.xls", "unsupported file type")),
    # label convert
    Case("convert a truncated export", lambda r: ["label", "convert", str(write(r / "e.json", '[{"id": 1, "data"')),
                                                  str(r / "o.jsonl"), "--corpus", str(corpus(r))], 2,
         ("e.json", "JSON")),
    Case("convert a missing file", lambda r: ["label", "convert", str(r / "gone.json"), str(r / "o.jsonl"),
                                              "--corpus", str(corpus(r))], 2, ("gone.json", "no such file")),
    Case("convert a task that is a string", lambda r: convert_args(r, ["just text"]), 1,
         ("task #1 has no data.doc_id",)),
    Case("convert annotations that are a string", lambda r: convert_args(r, [ls_task(annotations="oops")]), 1,
         ("annotations is not a list",)),
    Case("convert a region whose value is null", lambda r: convert_args(r, [ls_task(value=None)]), 1,
         ("value is None, not an object",)),
    Case("convert a start given as a string", lambda r: convert_args(r, [ls_task(start="12")]), 1,
         ("start is '12', not an integer",)),
    Case("convert a task without data.text", lambda r: convert_args(r, [ls_task(text=None)]), 1,
         ("has no data.text",)),
    Case("convert without the corpus folder", lambda r: ["label", "convert", str(write(r / "e.json", "[]")),
                                                         str(r / "o.jsonl"), "--corpus", str(r / "gone")], 2,
         ("gone", "corpus folder not found")),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = case.setup(tmp_path)
    with pytest.raises(SystemExit) as ended:
        run(app, args)
        raise SystemExit(0)  # a command that returns normally
    out = capsys.readouterr()
    status = ended.value.code or 0
    assert status == case.status, (status, out.err[-2000:])
    assert "Traceback" not in out.err + out.out
    errors = [line for line in out.err.splitlines() if line.startswith("error:")]
    if case.says and case.usage:  # click's own usage message (status 2)
        assert all(s in out.err for s in case.says), out.err
    elif case.says and status == 2:
        assert len(errors) == 1, out.err
        assert all(s in errors[0] for s in case.says), errors[0]
    elif case.says:  # status 1: the command ran and lists what it found
        assert not errors and all(s in out.err + out.out for s in case.says), out.err + out.out
    if case.lands:
        landed = [json.loads(x)["doc_id"] for x in (tmp_path / "out" / "documents.jsonl").read_text().splitlines()]
        assert sorted(landed) == sorted(case.lands)
        failed = [json.loads(x) for x in (tmp_path / "out" / "errors.jsonl").read_text().splitlines()]
        assert all(e["reason"] for e in failed)


def test_the_sweep_covers_thirty_kinds() -> None:
    assert len(CASES) >= 30


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        run(app, ["corpus", "validate", str(tmp_path / "gone.jsonl"), "--corpus", str(tmp_path), "--debug"])

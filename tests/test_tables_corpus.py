"""The table reader on real reports of ``../shared/corpus`` (skipped when it is absent), and
``xxgk tables`` through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from xxgk.corpus import read_text
from xxgk.extract.table_cli import tables_cmd
from xxgk.extract.tables import TablesRecord, read_tables

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def corpus_text(doc_id: str) -> str:
    path = CORPUS / f"{doc_id}.txt"
    if not path.exists():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return read_text(path)


def value(record: TablesRecord, row: str, column: str):
    return next(c for c in record.cells if (c.row, c.column) == (row, column))


def test_000_every_value_read_and_every_identity_passes():
    text = corpus_text("000")
    record = read_tables(text)
    assert record.format == "2019" and record.forms == ["cells"]
    assert len(record.cells) == 198 and all(c.value is not None for c in record.cells)
    assert all(text[c.start:c.end] == c.text for c in record.cells)
    permit = value(record, "行政许可", "处理决定数量")
    assert (permit.value, permit.unit) == (818, "件")
    assert value(record, "行政许可", "上一年项目数量").value == 17
    assert value(record, "行政处罚", "处理决定数量").value == 70
    count, amount = value(record, "政府集中采购", "采购项目数量"), value(record, "政府集中采购", "采购总金额")
    assert (count.value, count.unit, amount.value, amount.unit) == (18, "项", 98850, "元")
    assert {c.value for c in record.cells if c.table in ("requests", "appeals")} == {0}
    identities = [c for c in record.checks if c.kind == "identity"]
    assert len(identities) == 7 + 7 + 23 + 3 and {c.status for c in identities} == {"pass"}
    assert not record.notes and not record.suspects


def test_000_one_wrong_cell_is_named_by_the_failed_identities():
    text = corpus_text("000")
    target = value(read_tables(text), "（一）予以公开", "自然人")
    assert text[target.start:target.end] == "0"
    record = read_tables(text[:target.start] + "3" + text[target.end:])
    failed = [c for c in record.checks if c.status == "fail"]
    assert {(c.name, c.along) for c in failed} == {("办理结果总计", "自然人"), ("申请人总计", "（一）予以公开")}
    for check in failed:
        assert any((t.row, t.column, t.value, t.start) == ("（一）予以公开", "自然人", 3, target.start)
                   for t in check.left + check.right)
    assert [(t.row, t.column) for t in record.suspects] == [("（一）予以公开", "自然人")]


@pytest.mark.parametrize("doc_id", ["123", "128", "129"])
def test_2021_reports_read_without_error_and_report_their_checks(doc_id: str):
    text = corpus_text(doc_id)
    record = read_tables(text)
    assert record.format == "2021"
    for c in record.cells:
        assert (c.value is None) == bool(c.reason), c
        if c.value is not None:
            assert text[c.start:c.end] == c.text
    assert {c.status for c in record.checks} <= {"pass", "fail", "unchecked"}
    assert any(c.status == "pass" for c in record.checks if c.kind == "identity")


def test_123_garbled_pdf_rows_are_null_with_reasons():
    record = read_tables(corpus_text("123"))
    garbled = value(record, "2.其他法律行政法规禁止公开", "总计")
    assert garbled.value is None and "'31年'" in garbled.reason
    assert value(record, "（七）总计", "总计").value == 3050
    assert value(record, "行政复议", "尚未审结").value == 37


# ---------------------------------------------------------------- the command

app = typer.Typer()
app.command("tables")(tables_cmd)
app.command("noop")(lambda: None)  # a second command, so `tables` is a subcommand as under `xxgk`
runner = CliRunner()

REPORT = """某某局2021年政府信息公开工作年度报告
一、总体情况
全年共受理政府信息公开申请3件。
四、政府信息公开行政复议、行政诉讼情况
行政复议 | 结果维持 1 | 结果纠正 0 | 其他结果 0 | 尚未审结 0 | 总计 {total}
"""


def test_cli_json_lines_and_strict(tmp_path: Path):
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text(REPORT.format(total=1), encoding="utf-8")
    bad.write_text(REPORT.format(total=2), encoding="utf-8")
    result = runner.invoke(app, ["tables", "--json", str(good), str(bad)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [r["file"] for r in records] == [str(good), str(bad)]
    assert [[c["status"] for c in r["checks"] if c["along"] == "行政复议"] for r in records] == [["pass"], ["fail"]]
    assert runner.invoke(app, ["tables", "--strict", str(good)]).exit_code == 0
    strict = runner.invoke(app, ["tables", "--strict", str(bad)])
    assert strict.exit_code == 1 and "复议诉讼总计" in strict.output


def test_cli_unreadable_file_exits_2(tmp_path: Path):
    missing = tmp_path / "missing.txt"
    result = runner.invoke(app, ["tables", str(missing)])
    assert result.exit_code == 2

"""The table reader on tables written here, in each input form and both formats: official
layouts with consistent numbers, then one thing wrong at a time (a wrong sum, a missing row,
a merged value cell, a garbled PDF row, full-width digits, a row read twice)."""

from __future__ import annotations

import random
import re

import pytest

from xxgk.extract.htmltext import html_to_text
from xxgk.extract.tables import TablesRecord, read_tables, to_rows

COLUMNS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
REMARK = "（区分处理的，只计这一情形，不计其他情形）"
RESULTS = "三、本年度办理结果"

# Table 3 as the official forms write it: (top, group, label) cells of each row holding values.
T3_HEAD = [
    ("一、本年新收政府信息公开申请数量", None, None),
    ("二、上年结转政府信息公开申请数量", None, None),
    (RESULTS, "（一）予以公开", None),
    (RESULTS, "（二）部分公开" + REMARK, None),
    *[(RESULTS, "（三）不予公开", label) for label in (
        "1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
        "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项")],
    *[(RESULTS, "（四）无法提供", label) for label in (
        "1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确")],
    *[(RESULTS, "（五）不予处理", label) for label in (
        "1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
        "5.要求行政机关确认或重新出具已获取信息")],
]
T3_OTHER = {
    "2019": [(RESULTS, "（六）其他处理", None)],
    "2021": [(RESULTS, "（六）其他处理", label) for label in (
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他")],
}
T3_TAIL = [(RESULTS, "（七）总计", None), ("四、结转下年度继续办理", None, None)]


def t3_rows(fmt: str) -> list[tuple[str, str | None, str | None]]:
    return T3_HEAD + T3_OTHER[fmt] + T3_TAIL


def row_name(row: tuple[str, str | None, str | None]) -> str:
    """The official name the reader gives a row: its own label, without the form's remark."""
    return next(part for part in reversed(row) if part).replace(REMARK, "")


def t3_values(fmt: str) -> dict[str, list[int]]:
    """Numbers satisfying every identity: results chosen, totals summed, 新收 solved for."""
    rows = t3_rows(fmt)
    results = [row_name(r) for r in rows[2:-2]]
    values: dict[str, list[int]] = {}
    for i, name in enumerate(results):
        six = [i + 1, i % 2, 0, 0, 1 if i % 5 == 0 else 0, 1 if i == 3 else 0]
        values[name] = [*six, sum(six)]
    total = [sum(values[n][c] for n in results) for c in range(7)]
    carried, carry_on = [2, 0, 0, 0, 0, 0, 2], [3, 1, 0, 0, 0, 0, 4]
    values["（七）总计"] = total
    values["二、上年结转政府信息公开申请数量"] = carried
    values["四、结转下年度继续办理"] = carry_on
    values["一、本年新收政府信息公开申请数量"] = [t + o - c for t, o, c in zip(total, carry_on, carried, strict=True)]
    return values


T4 = {"行政复议": [2, 1, 0, 1, 4], "未经复议直接起诉": [1, 0, 1, 0, 2], "复议后起诉": [0, 0, 0, 1, 1]}
T4_COLUMNS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


def cell(record: TablesRecord, table: str, row: str, column: str):
    return next(c for c in record.cells if (c.table, c.row, c.column) == (table, row, column))


def values_of(record: TablesRecord, table: str) -> dict[str, list]:
    out: dict[str, list] = {}
    for c in record.cells:
        if c.table == table:
            out.setdefault(c.row, []).append(c.value)
    return out


def statuses(record: TablesRecord) -> set[str]:
    return {c.status for c in record.checks if c.kind == "identity"}


def assert_offsets(record: TablesRecord, text: str) -> None:
    """Every value read points at the characters it was read from."""
    for c in record.cells:
        if c.value is not None:
            assert text[c.start:c.end] == c.text, c
            assert re.sub(r"\D", "", c.text.translate(str.maketrans("０１２３４５６７８９", "0123456789")))


# ---------------------------------------------------------------- the reports, in each form

# Table 2 of each format: (项, column headers, {row: values}).
T2 = {
    "2019": [
        ("第二十条第（一）项", ("本年新制作数量", "本年新公开数量", "对外公开总数量"),
         {"规章": (2, 1, 9), "规范性文件": (3, 3, 40)}),
        ("第二十条第（五）项", ("上一年项目数量", "本年增/减", "处理决定数量"),
         {"行政许可": (17, 0, 818), "其他对外管理服务事项": (0, 0, 0)}),
        ("第二十条第（六）项", ("上一年项目数量", "本年增/减", "处理决定数量"),
         {"行政处罚": (6, -1, 70), "行政强制": (0, 0, 0)}),
        ("第二十条第（八）项", ("上一年项目数量", "本年增/减"), {"行政事业性收费": (0, 0)}),
        ("第二十条第（九）项", ("采购项目数量", "采购总金额"), {"政府集中采购": (18, "98850元")}),
    ],
    "2021": [
        ("第二十条第（一）项", ("本年制发件数", "本年废止件数", "现行有效件数"),
         {"规章": (1, 0, 11), "行政规范性文件": (8, 26, 66)}),
        ("第二十条第（五）项", ("本年处理决定数量",), {"行政许可": (447228,)}),
        ("第二十条第（六）项", ("本年处理决定数量",), {"行政处罚": (3985758,), "行政强制": (88283,)}),
        ("第二十条第（八）项", ("本年收费金额（单位：万元）",), {"行政事业性收费": (96171.6,)}),
    ],
}
T4_ROW = T4["行政复议"] + T4["未经复议直接起诉"] + T4["复议后起诉"]
NARRATIVE = "全年共受理政府信息公开申请{new}件。"
NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


def t2_values(fmt: str) -> dict[str, list]:
    return {row: [int(v.removesuffix("元")) if isinstance(v, str) else v for v in vals]
            for _, _, rows in T2[fmt] for row, vals in rows.items()}


def opening(fmt: str, values: dict[str, list[int]], narrative: str) -> str:
    new = values["一、本年新收政府信息公开申请数量"][6]
    return f"某某局{fmt}年政府信息公开工作年度报告\n一、总体情况\n{narrative.format(new=new)}\n"


def t2_html(fmt: str) -> str:
    """On a grid of four columns, as the official form: 项 rows and short rows merged across."""
    out = ["<table>"]
    for section, columns, rows in T2[fmt]:
        last = f' colspan="{4 - len(columns)}"' if len(columns) < 3 else ""
        out.append(f'<tr><td colspan="4">{section}</td></tr>')
        out.append("<tr><td>信息内容</td>" + "".join(f"<td>{c}</td>" for c in columns[:-1])
                   + f"<td{last}>{columns[-1]}</td></tr>")
        for row, vals in rows.items():
            cells = [f"<td>{v}</td>" for v in vals[:-1]] + [f"<td{last}>{vals[-1]}</td>"]
            if row == "规章":  # an entity and an inline element around values: offsets stay right
                cells[0] = f"<td>&nbsp;<span>{vals[0]}</span></td>"
            out.append(f"<tr><td>{row}</td>" + "".join(cells) + "</tr>")
    return "\n".join(out) + "\n</table>"


T4_HTML = """<table>
<tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>
<tr><td rowspan="2">结果维持</td><td rowspan="2">结果纠正</td><td rowspan="2">其他结果</td><td rowspan="2">尚未审结</td>
<td rowspan="2">总计</td><td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>
<tr>""" + "".join(f"<td>{c}</td>" for c in T4_COLUMNS * 2) + """</tr>
<tr>""" + "".join(f"<td>{v}</td>" for v in T4_ROW) + """</tr>
</table>"""


def t3_html(fmt: str, values: dict[str, list[int]], merged: str | None = None) -> str:
    """Table 3 with the official merged cells (rowspan, colspan); ``merged``: a row whose 总计
    cell is merged with the row below's."""
    rows = t3_rows(fmt)
    out = [f'<table>\n<tr><td colspan="3" rowspan="3">{NOTE}</td><td colspan="7">申请人情况</td></tr>',
           '<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>',
           "<tr>" + "".join(f"<td>{c}</td>" for c in COLUMNS[1:6]) + "</tr>"]
    skip_total = False
    for i, (top, group, label) in enumerate(rows):
        cells = []
        if i == 0 or rows[i - 1][0] != top:
            span = sum(1 for r in rows if r[0] == top)
            cells.append(f'<td rowspan="{span}">{top}</td>' if group else f'<td colspan="3">{top}</td>')
        if group and (rows[i - 1][1] != group):
            span = sum(1 for r in rows if r[1] == group)
            cells.append(f'<td rowspan="{span}">{group}</td>' if label else f'<td colspan="2">{group}</td>')
        if label:
            cells.append(f"<td>{label}</td>")
        vals = values[row_name((top, group, label))]
        cells += [f"<td>{v}</td>" for v in vals[:6]]
        if row_name((top, group, label)) == merged:
            cells.append(f'<td rowspan="2">{vals[6]}</td>')
            skip_total = True
        elif skip_total:
            skip_total = False
        else:
            cells.append(f"<td>{vals[6]}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    return "\n".join(out) + "\n</table>"


def html_report(fmt: str, values: dict[str, list[int]], narrative: str = NARRATIVE, merged: str | None = None) -> str:
    head = "".join(f"<p>{line}</p>\n" for line in opening(fmt, values, narrative).splitlines())
    return (f"<html><body>\n{head}<p>二、主动公开政府信息情况</p>\n{t2_html(fmt)}\n"
            f"<p>三、收到和处理政府信息公开申请情况</p>\n{t3_html(fmt, values, merged)}\n"
            f"<p>四、政府信息公开行政复议、行政诉讼情况</p>\n{T4_HTML}\n<p>五、存在的主要问题及改进情况</p>\n"
            "<p>无。</p></body></html>")


def tabs_report(fmt: str, values: dict[str, list[int]]) -> str:
    """The runner's path: our HTML → text conversion (tab-separated rows, merged cells lost)."""
    return html_to_text(html_report(fmt, values))


def cells_report(fmt: str, values: dict[str, list[int]], digits: str = "0123456789") -> str:
    """Flattened one cell per tab-led line, rows separated by blank lines, with the form's empty
    placeholder cells and headers broken over two lines (as Word → text gives)."""
    conv = str.maketrans("0123456789", digits)

    def cells(*texts: object) -> str:
        return "".join(f"\t{str(t).translate(conv)}\n" for t in texts) + "\n"

    out = [opening(fmt, values, NARRATIVE).translate(conv), "二、主动公开政府信息情况\n"]
    for section, columns, rows in T2[fmt]:
        headers = "".join(f"\t{c[:3]}\n{c[3:]}\n" if c.startswith("本年新") else f"\t{c}\n" for c in columns)
        out += [cells(section), f"\t信息内容\n{headers}\n"]
        pads = iter(["\u3000\u3000", "\xa0", ""])
        out += [cells(row, *(f"{next(pads, '')}{v}" for v in vals)) for row, vals in rows.items()]
    out += ["三、收到和处理政府信息公开申请情况\n", cells(NOTE, "申请人情况"),
            cells("", "自然人", "法人或其他组织", "总计"), cells("", "", *COLUMNS[1:6], "")]
    rows3 = t3_rows(fmt)
    for i, (top, group, label) in enumerate(rows3):
        labels = [top if i == 0 or rows3[i - 1][0] != top else ""]
        if group:
            labels.append(group if rows3[i - 1][1] != group else "")
        if label:
            labels.append(label)
        out.append(cells(*labels, *values[row_name((top, group, label))]))
    out += ["四、政府信息公开行政复议、行政诉讼情况\n", cells("行政复议", "行政诉讼"),
            cells(*T4_COLUMNS, "未经复议直接起诉", "复议后起诉"), cells("", "", "", "", "", *T4_COLUMNS * 2),
            cells(*T4_ROW), "五、政府信息公开工作存在的主要问题及改进措施\n无。\n"]
    return "".join(out)


def pipe_rows(fmt: str, values: dict[str, list[int]]) -> list[str]:
    return [" | ".join([" ".join(p for p in row[1:] if p) or row[0], *map(str, values[row_name(row)])])
            for row in t3_rows(fmt)]


def pipes_report(fmt: str, values: dict[str, list[int]]) -> str:
    """``|`` rows, Markdown-like for table 2, table 4 with each value after its column name."""
    lines = [*opening(fmt, values, NARRATIVE).splitlines(), "二、主动公开政府信息情况"]
    for section, columns, rows in T2[fmt]:
        lines += [section, "| 信息内容 | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
        lines += ["| " + " | ".join(map(str, [row, *vals])) + " |" for row, vals in rows.items()]
    lines += ["三、收到和处理政府信息公开申请情况", "（列：" + " | ".join(COLUMNS) + "）", *pipe_rows(fmt, values),
              "四、政府信息公开行政复议、行政诉讼情况"]
    for row, prefix in (("行政复议", "行政复议："), ("未经复议直接起诉", "行政诉讼（未经复议直接起诉）："),
                        ("复议后起诉", "行政诉讼（复议后起诉）：")):
        lines.append(prefix + " | ".join(f"{c} {v}" for c, v in zip(T4_COLUMNS, T4[row], strict=True)))
    return "\n".join([*lines, "五、存在的主要问题及改进情况", "无。"]) + "\n"


def pdf_report(fmt: str, values: dict[str, list[int]]) -> str:
    """Space-separated and line-broken, as PDF text layers come: long labels wrap, the values
    sitting on a line of their own or between the label's halves; table 4's header a jumble."""
    lines = [*opening(fmt, values, NARRATIVE).splitlines(), "二、主动公开政府信息情况"]
    for section, columns, rows in T2[fmt]:
        lines += [section.replace("第（", " 第（"), "信息内容 " + " ".join(columns)]
        lines += [" ".join(map(str, [row, *vals])) for row, vals in rows.items()]
    lines += ["三、收到和处理政府信息公开申请情况", "申请人情况", NOTE[:22],
              NOTE[22:] + "自然人 总计商业企 科研机", "社会公益 法律服务", "其他", "业 构 组织 机构"]
    for row in t3_rows(fmt):
        label = " ".join(p for p in row if p and p != RESULTS)
        vals = " ".join(map(str, values[row_name(row)]))
        if REMARK in label:
            lines += [label[:-10], vals, label[-10:]]
        elif label.startswith("（六）其他处理 1."):
            lines += ["1.申请人无正当理由逾期不补", f"正、行政机关不再处理其政府信 {vals} 息公开申请"]
        else:
            lines.append(f"{label} {vals}")
    lines += ["四、政府信息公开行政复议、行政诉讼情况", "行政复议 行政诉讼", "未经复议直接起诉 复议后起诉",
              "结果 结果 其他结 尚未", "总计", "结 果 结果 其他 尚未 结果 结果 其他 尚未审", "维持 纠正 果 审结",
              "总计 总计", "维持 纠正 结果 审结 维持 纠正 结果 结", " ".join(map(str, T4_ROW)),
              "五、存在的主要问题及改进情况", "无。"]
    return "\n".join(lines) + "\n"


FORMS = {"html": html_report, "tabs": tabs_report, "cells": cells_report, "pipes": pipes_report, "text": pdf_report}


@pytest.mark.parametrize("fmt", ["2019", "2021"])
@pytest.mark.parametrize("form", FORMS)
def test_every_form_and_format_reads_every_cell(form: str, fmt: str):
    values = t3_values(fmt)
    text = FORMS[form](fmt, values)
    record = read_tables(text)
    assert record.format == fmt and form in record.forms
    assert values_of(record, "active") == t2_values(fmt)
    assert values_of(record, "requests") == values
    assert values_of(record, "appeals") == T4
    assert_offsets(record, text)
    identities = [c for c in record.checks if c.kind == "identity"]
    assert len(identities) == 7 + 7 + len(t3_rows(fmt)) + 3
    assert {c.status for c in record.checks} == {"pass"} and not record.suspects and not record.notes
    assert [c.name for c in record.checks if c.kind == "narrative"] == ["本年新收申请"]
    if fmt == "2019":
        assert [cell(record, "active", "政府集中采购", c).unit for c in ("采购项目数量", "采购总金额")] == ["项", "元"]
        assert cell(record, "active", "行政许可", "上一年项目数量").unit == "项"
    else:
        assert cell(record, "active", "行政事业性收费", "本年收费金额").unit == "万元"
    assert cell(record, "requests", "（七）总计", "总计").unit == "件"


def test_merged_value_cell_is_null_with_the_reason():
    values = t3_values("2021")
    record = read_tables(html_report("2021", values, merged="1.属于国家秘密"))
    for row in ("1.属于国家秘密", "2.其他法律行政法规禁止公开"):
        got = cell(record, "requests", row, "总计")
        assert got.value is None and "merged" in got.reason
        assert cell(record, "requests", row, "自然人").value == values[row][0]
    check = next(c for c in record.checks if c.name == "申请人总计" and c.along == "1.属于国家秘密")
    assert check.status == "unchecked" and "merged" in check.message
    assert "fail" not in statuses(record)


def test_full_width_digits():
    values = t3_values("2019")
    text = cells_report("2019", values, digits="０１２３４５６７８９")
    record = read_tables(text)
    assert values_of(record, "requests") == values
    assert cell(record, "active", "行政许可", "处理决定数量").value == 818
    got = cell(record, "active", "政府集中采购", "采购总金额")
    assert (got.value, got.unit, text[got.start:got.end]) == (98850, "元", "９８８５０元")
    assert {c.status for c in record.checks} == {"pass"}


def test_wrong_cell_fails_the_identities_that_name_it():
    values = t3_values("2019")
    values["（一）予以公开"][1] += 5  # 商业企业: its row's 总计 and its column's （七）总计 no longer agree
    record = read_tables(cells_report("2019", values))
    failed = [c for c in record.checks if c.status == "fail"]
    assert {(c.name, c.along) for c in failed} == {("办理结果总计", "商业企业"), ("申请人总计", "（一）予以公开")}
    wrong = cell(record, "requests", "（一）予以公开", "商业企业")
    for check in failed:
        assert ("requests", "（一）予以公开", "商业企业", wrong.value) in {
            (t.table, t.row, t.column, t.value) for t in check.left + check.right}
        assert "（一）予以公开" in check.message and "商业企业" in check.message
    assert [(t.row, t.column, t.start) for t in record.suspects] == [("（一）予以公开", "商业企业", wrong.start)]


def test_missing_row_is_null_and_leaves_its_identities_unchecked():
    values = t3_values("2019")
    text = cells_report("2019", values)
    gone = "\t7.属于行政执法案卷\n" + "".join(f"\t{v}\n" for v in values["7.属于行政执法案卷"]) + "\n"
    assert gone in text
    record = read_tables(text.replace(gone, ""))
    assert {c.reason for c in record.cells if c.row == "7.属于行政执法案卷"} == {"row not found"}
    unchecked = {(c.name, c.along) for c in record.checks if c.status == "unchecked"}
    assert unchecked == {("办理结果总计", col) for col in COLUMNS} | {("申请人总计", "7.属于行政执法案卷")}
    assert all("7.属于行政执法案卷" in c.message for c in record.checks if c.status == "unchecked")
    assert "fail" not in statuses(record)


def test_blank_mark_and_a_unit_stated_in_the_row_label():
    values = t3_values("2021")
    text = pipes_report("2021", values).replace("| 行政强制 | 88283 |", "| 行政强制 | — |")
    text = text.replace("| 行政事业性收费 | 96171.6 |", "| 行政事业性收费（元） | 961716 |")
    record = read_tables(text)
    blank = cell(record, "active", "行政强制", "本年处理决定数量")
    assert blank.value is None and "'—'" in blank.reason
    fee = cell(record, "active", "行政事业性收费", "本年收费金额")
    assert (fee.value, fee.unit) == (961716, "元")


def test_row_read_twice_with_other_values_is_null():
    values = t3_values("2019")
    again = "（一）予以公开 | 9 | 9 | 9 | 9 | 9 | 9 | 54\n"
    text = pipes_report("2019", values).replace("四、政府信息公开行政复议", again + "四、政府信息公开行政复议")
    record = read_tables(text)
    twice = cell(record, "requests", "（一）予以公开", "自然人")
    assert twice.value is None and twice.reason.startswith("read twice")
    assert cell(record, "requests", "（二）部分公开", "自然人").value == values["（二）部分公开"][0]


def test_garbled_pdf_rows_are_null_with_reasons_not_wrong_numbers():
    values = t3_values("2021")
    text = pdf_report("2021", values)
    secret = " ".join(map(str, values["1.属于国家秘密"]))
    law = " ".join(map(str, values["2.其他法律行政法规禁止公开"]))
    text = text.replace(f"1.属于国家秘密 {secret}", f"1.属于国家秘密 {secret}年")  # a vertical header's debris
    text = text.replace(f"禁止公开 {law}", f"禁止公开 {law.rsplit(' ', 1)[0]}")  # a value lost
    record = read_tables(text)
    secret_cells = [c for c in record.cells if c.row == "1.属于国家秘密"]
    assert all(c.value is None and f"'{values['1.属于国家秘密'][6]}年'" in c.reason for c in secret_cells)
    law_cells = [c for c in record.cells if c.row == "2.其他法律行政法规禁止公开"]
    assert all(c.value is None and c.reason.startswith("6 value(s) for 7 column(s)") for c in law_cells)
    assert cell(record, "requests", "3.危及“三安全一稳定”", "自然人").value == values["3.危及“三安全一稳定”"][0]
    assert "fail" not in statuses(record)
    assert {c.along for c in record.checks if c.status == "unchecked" and c.name == "申请人总计"} == {
        "1.属于国家秘密", "2.其他法律行政法规禁止公开"}


@pytest.mark.parametrize("form", FORMS)
def test_damaged_text_never_yields_a_value_it_does_not_hold(form: str):
    """Whatever is cut or inserted, reading does not fail, every value points at the characters
    it was read from, and every null says why."""
    rng = random.Random(form)
    base = FORMS[form]("2021", t3_values("2021"))
    for _ in range(15):
        text = base
        for _ in range(rng.randint(1, 12)):
            i = rng.randrange(len(text))
            junk = rng.choice(["", " ", "\n", "\t", "|", "7", "０", "—", "<td rowspan=3>", "</tr>"])
            text = text[:i] + junk + text[i + rng.randint(0, 15):]
        for c in read_tables(text).cells:
            assert (c.value is None) == bool(c.reason)
            assert c.value is None or text[c.start:c.end] == c.text


# ---------------------------------------------------------------- format, narrative, output

def test_no_format_reads_only_the_rows_both_formats_share():
    values = t3_values("2019")
    text = "三、收到和处理政府信息公开申请情况\n" + "\n".join(pipe_rows("2019", values)) + "\n"
    record = read_tables(text)
    assert record.format is None and record.evidence == []
    assert "（六）其他处理" not in {c.row for c in record.cells}
    assert cell(record, "requests", "（一）予以公开", "总计").value == values["（一）予以公开"][6]
    by_name = {c.name: c.status for c in record.checks}
    assert by_name["申请收支平衡"] == "pass" and by_name["办理结果总计"] == "unchecked"
    assert record.notes  # （六）其他处理's values belong to no row of the common layout: said, not dropped


def test_report_without_tables():
    record = read_tables("某某局2010年政府信息公开工作年度报告\n一、概述\n全年主动公开信息120条。\n")
    assert (record.format, record.cells, record.checks, record.forms) == (None, [], [], [])


@pytest.mark.parametrize(("sentence", "status"), [
    ("全年共受理政府信息公开申请{new}件，均按期答复。", "pass"),
    ("全年共受理政府信息公开申请{other}件，均按期答复。", "fail"),
])
def test_narrative_number_against_the_table(sentence: str, status: str):
    values = t3_values("2021")
    new = values["一、本年新收政府信息公开申请数量"][6]
    record = read_tables(html_report("2021", values, sentence.replace("{other}", str(new + 1))))
    check = next(c for c in record.checks if c.kind == "narrative")
    assert (check.name, check.status, check.left_total) == ("本年新收申请", status, new + (status == "fail"))
    assert check.right[0].row == "一、本年新收政府信息公开申请数量" and check.right[0].column == "总计"
    assert check.left[0].start is not None and check.left[0].table == "narrative"


def test_to_rows_one_flat_row_per_cell():
    record = read_tables(cells_report("2019", t3_values("2019")))
    rows = to_rows(record.to_dict())
    assert len(rows) == len(record.cells) == (6 + 6 + 6 + 2 + 2) + 23 * 7 + 15
    first = rows[0]
    assert set(first) == {"format", "table", "section", "row", "column", "value", "unit", "text", "start", "end",
                          "reason"}
    assert all(isinstance(r["value"], float) for r in rows)
    purchase = next(r for r in rows if r["row"] == "政府集中采购" and r["column"] == "采购总金额")
    assert (purchase["value"], purchase["unit"], purchase["section"]) == (98850.0, "元", "第二十条第（九）项")
    assert record.to_dict()["cells"][0]["row"] == "规章"


def test_page_laid_out_in_a_table_and_a_note_under_a_table():
    """Old pages wrap the whole article in a layout <table>: its prose names rows (予以公开)
    and holds numbers, but it is no table; nor is a note under one."""
    values = t3_values("2021")
    page = html_report("2021", values, "全年共受理政府信息公开申请{new}件，予以公开15件。")
    body_start, body_end = page.index("<p>"), page.index("</body>")
    wrapped = (page[:body_start] + "<table><tr><td>" + page[body_start:body_end]
               + "<p>注：1.本表数据截至12月31日。</p></td></tr></table>" + page[body_end:])
    record = read_tables(wrapped)
    assert values_of(record, "requests") == values
    assert statuses(record) == {"pass"} and not record.notes
    assert [(c.name, c.status) for c in record.checks if c.kind == "narrative"] == [("本年新收申请", "pass")]

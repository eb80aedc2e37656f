"""The section splitter: short texts written here in each report format and table flattening,
then real reports from the shared corpus (skipped when the corpus is absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xxgk.corpus import read_text
from xxgk.extract.document import Document
from xxgk.extract.sections import split_sections
from xxgk.records import text_sha256

GOLD = Path(__file__).resolve().parents[1] / "annotation" / "gold"


def split(text: str) -> Document:
    """Split and check the blocks tile the text (Document checks it on construction)."""
    return Document("t", text, split_sections(text))


def kind_of(doc: Document, needle: str) -> str:
    """The kind of the block holding the whole first line that contains ``needle``."""
    at = doc.text.index(needle)
    start = doc.text.rfind("\n", 0, at) + 1
    end = doc.text.find("\n", at)
    end = len(doc.text) if end < 0 else end
    block = doc.block_at(start)
    assert block.end >= end, f"line with {needle!r} is cut across blocks"
    return block.kind


def kinds(doc: Document) -> list[str]:
    return [b.kind for b in doc.blocks]


# ---------------------------------------------------------------- formats written for the tests

PRE_2019 = """某县人民政府2012年政府信息公开工作年度报告

根据《中华人民共和国政府信息公开条例》要求，现公布本县2012年度政府信息公开工作年度报告。
一、概述
2012年，我县主动公开信息120条，办理申请3件。
二、主动公开政府信息情况
全年主动公开政府信息356条，其中政策法规45条。
（一）公开的主要内容
三、依申请公开政府信息情况
全年受理申请3件，均按时答复。
四、政府信息公开的收费及减免情况
未收取任何费用。
五、因政府信息公开申请行政复议、提起行政诉讼的情况
无。
六、存在的主要问题及改进措施
一、加强培训。下一步，我县将进一步加强培训。
某县人民政府
2013年3月1日
"""


def test_pre_2019_sections_are_narrative_with_title_and_signature() -> None:
    doc = split(PRE_2019)
    assert kinds(doc) == ["title", "preamble"] + ["narrative"] * 6 + ["signature"]
    headings = [b.heading for b in doc.blocks if b.kind == "narrative"]
    assert headings[0] == "一、概述"
    assert headings[-1] == "六、存在的主要问题及改进措施"
    # a numbered list item inside a section does not open a section (numbers must increase)
    assert kind_of(doc, "一、加强培训") == "narrative"
    assert doc.block_at(doc.text.index("一、加强培训")).heading == "六、存在的主要问题及改进措施"
    assert kind_of(doc, "（一）公开的主要内容") == "narrative"
    assert doc.text[doc.blocks[-1].start:].strip().splitlines() == ["某县人民政府", "2013年3月1日"]


def test_tab_indented_prose_and_sub_headings_are_not_cells() -> None:
    text = ("二、主动公开政府信息情况\n\t（一）公开的主要内容\n\t全年主动公开政府信息356条。\n"
            "\t（二）公开的形式\n\t通过网站公开。\n")
    assert kinds(split(text)) == ["narrative"]


FORMAT_2019_TABS = """一、总体情况
2019年，本局在网站发布信息共计374条。
二、主动公开政府信息情况
\t第二十条第（一）项

\t信息内容
\t本年新
制作数量
\t对外公开总数量

\t规章
\t\u3000\u30000
\t\xa00

\t第二十条第（九）项
\t政府集中采购
\t\u300018
\t98850元


三、收到和处理政府信息公开申请情况
\t（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）
\t申请人情况
\t一、本年新收政府信息公开申请数量
\t\xa00
\t四、结转下年度继续办理
\t\xa00

四、政府信息公开行政复议、行政诉讼情况
\t行政复议
\t结果维持
\t0

五、政府信息公开工作存在的主要问题及改进措施
(一)深化政务公开内容。进一步加强保密审查。
六、需要说明的其他事项与附表
无。
某市某局
                    2020年1月15日
"""


def test_2019_format_with_one_cell_per_tab_line() -> None:
    doc = split(FORMAT_2019_TABS)
    for needle in ("第二十条第（一）项", "制作数量", "\t规章", "98850元", "勾稽关系", "四、结转下年度",
                   "结果维持"):
        assert kind_of(doc, needle) == "table", needle
    for needle in ("374条", "二、主动公开政府信息情况", "深化政务公开内容", "无。"):
        assert kind_of(doc, needle) == "narrative", needle
    # numbered table rows (四、结转…) open no section: section 四 is still found
    assert "四、政府信息公开行政复议、行政诉讼情况" in {b.heading for b in doc.blocks}
    assert kinds(doc)[-1] == "signature"
    assert "2020年1月15日" in doc.block_text(doc.blocks[-1])


FORMAT_2021_PIPES = """某区人民政府2023年政府信息公开工作年度报告
一、总体情况
2023年，全区主动公开政府信息4511条。
二、主动公开政府信息情况
本年度主动公开情况统计如下：
第二十条第（一）项
信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数
规章 | 0 | 0 | 0
行政许可 | 517645
三、收到和处理政府信息公开申请情况
（列：自然人 | 商业企业 | 总计）
一、本年新收政府信息公开申请数量 | 705 | 3 | 713
（三）不予公开：属于国家秘密 4；危及“三安全一稳定” 1；属于三类内部事务信息 9
（七）总计 | 710 | 3 | 718
四、政府信息公开行政复议、行政诉讼情况
行政复议：结果维持 27 | 结果纠正 10 | 总计 61
注：行政复议数量含上年度结转数量。
五、存在的主要问题及改进情况
一是政策解读多样性需进一步加强。
六、其他需要报告的事项
全年收取信息处理费共计380元。
"""


def test_2021_format_with_pipe_tables_and_an_intro_sentence() -> None:
    doc = split(FORMAT_2021_PIPES)
    assert kinds(doc)[0] == "title"
    assert kind_of(doc, "本年度主动公开情况统计如下") == "narrative"  # intro before the table
    for needle in ("第二十条第（一）项", "规章 | 0", "行政许可 | 517645", "（列：自然人",
                   "属于国家秘密 4", "（七）总计", "结果维持 27", "注：行政复议"):
        assert kind_of(doc, needle) == "table", needle
    for needle in ("4511条", "政策解读多样性", "380元"):
        assert kind_of(doc, needle) == "narrative", needle
    assert "signature" not in kinds(doc)


PDF_FLATTENED = """某市人民政府
2024 年政府信息公开工作年度报告
本报告所列统计期限自 2024 年 1 月 1 日至 2024 年 12 月 31 日。
一、总体情况
2024 年，全市共受理政府信息公开申请 3119 件，答复 3050 件。
二、主动公开政府信息情况
第二十条 第（一）项
信息内容 本年制发件数 本年废止件数 现行有效件数
规章 1 0 11
行政规范性文件 8 26 66
第二十条 第（五）项
行政许可 447228
三、收到和处理政府信息公开申请情况
申请人情况
（本列数据的勾稽关系为：第一项加第二项之和， 法人或其他组织等于第三项加第四项之和）自然人 总计商业企
其他
一、本年新收政府信息公开申请数量 3001 53 0 0 61 4 3119
（二）部分公开（区分处理的，只计这一情
447 7 0 0 0 0 454
形，不计其他情形）
四、政府信息公开行政复议、行政诉讼情况
行政复议 行政诉讼
结果 结果 其他结 尚未
72 64 178 37 351 13 4 8 1 26 12 1 1 6 20
五、存在的主要问题及改进情况
针对存在问题，下一步，我市将着力加强政策解读质效。
"""


def test_pdf_flattened_tables_with_spaces_and_broken_lines() -> None:
    doc = split(PDF_FLATTENED)
    assert kinds(doc)[:2] == ["title", "preamble"]
    assert kind_of(doc, "统计期限自 2024 年 1 月 1 日") == "preamble"  # spaced dates are no numbers row
    for needle in ("第二十条 第（一）项", "规章 1 0 11", "行政许可 447228", "申请人情况", "勾稽关系",
                   "3001 53 0", "只计这一情", "447 7 0", "形，不计其他情形）", "行政复议 行政诉讼",
                   "72 64 178"):
        assert kind_of(doc, needle) == "table", needle
    for needle in ("3119 件", "政策解读质效"):
        assert kind_of(doc, needle) == "narrative", needle


def test_tab_separated_rows_as_converted_from_html_or_docx() -> None:
    text = ("一、总体情况\n本局主动公开信息20条。\n二、主动公开政府信息情况\n"
            "信息内容\t本年制发件数\t现行有效件数\n规章\t0\t3\n行政规范性文件\t2\t15\n"
            "五、存在的主要问题及改进情况\n下一步将加强培训。\n")
    doc = split(text)
    assert kind_of(doc, "信息内容\t本年") == "table"
    assert kind_of(doc, "行政规范性文件\t2") == "table"
    assert kind_of(doc, "下一步将加强培训") == "narrative"


def test_opening_without_tables() -> None:
    text = ("2020年某镇政府信息公开工作年度报告\n发布日期：2021-01-20\n\n"
            "根据《条例》规定，现将本镇2020年政府信息公开工作情况报告如下：一、总体情况 2020年，我镇")
    doc = split(text)
    assert kinds(doc) == ["title", "preamble", "narrative"]  # heading run into the preamble line
    assert doc.blocks[2].heading == "一、总体情况"
    assert doc.block_text(doc.blocks[2]).startswith("一、总体情况")


def test_section_names_listed_in_a_preamble_open_no_sections() -> None:
    text = "全文包括：一、总体情况、二、主动公开政府信息情况。\n一、总体情况\n本年度公开信息8条。\n"
    doc = split(text)
    assert kinds(doc) == ["preamble", "narrative"]
    assert doc.blocks[1].heading == "一、总体情况"


def test_traditional_headings_and_crlf_line_breaks() -> None:
    text = "一、總體情況\r\n本局主動公開信息12條。\r\n五、存在的主要問題及改進情況\r\n將加強培訓。\r\n"
    doc = split(text)
    assert [b.heading for b in doc.blocks] == ["一、總體情況", "五、存在的主要問題及改進情況"]


def test_no_normalisation_and_edge_texts() -> None:
    assert split_sections("") == []
    assert [b.kind for b in split_sections(" \n\n")] == ["preamble"]
    assert kinds(split("\n\n一、总体情况\n公开。\n")) == ["narrative"]  # leading blanks join the first block
    text = "\ufeff  一、总体情况\u3000\n\t公开信息5条。"
    doc = split(text)
    assert doc.text == text and doc.blocks[0].start == 0 and doc.blocks[-1].end == len(text)


# ---------------------------------------------------------------- real reports


def corpus_doc(root: Path, doc_id: str) -> Document:
    path = root / f"{doc_id}.txt"
    if not path.exists():
        pytest.skip(f"{path} not in the shared corpus")
    text = read_text(path)
    return Document(doc_id, text, split_sections(text))


def test_000_tab_flattened_tables(shared_corpus: Path) -> None:
    doc = corpus_doc(shared_corpus, "000")
    assert kind_of(doc, "\t818") == "table"
    assert kind_of(doc, "98850元") == "table"
    assert kind_of(doc, "第二十条第（一）项") == "table"
    assert kind_of(doc, "本列数据的勾稽关系") == "table"
    assert kind_of(doc, "374条") == "narrative"
    assert kind_of(doc, "深化政务公开内容") == "narrative"
    assert kind_of(doc, "紧紧围绕市委") == "preamble"
    assert kind_of(doc, "2020年1月15日") == "signature"
    assert kind_of(doc, "新余市文广新旅局\n") == "signature"
    for start, line in _lines(doc.text):
        if not line.strip():
            continue
        kind = doc.block_at(start).kind
        if line.startswith("\t"):
            assert kind == "table", line  # every table line of 000 is a tab-led cell
        elif "。" in line:
            assert kind in ("preamble", "narrative"), line  # every paragraph is prose
    assert [b.kind for b in doc.blocks].count("table") == 3


def test_123_pdf_flattened_report(shared_corpus: Path) -> None:
    doc = corpus_doc(shared_corpus, "123")
    assert doc.blocks[0].kind == "title" and "年度报告" in doc.block_text(doc.blocks[0])
    for needle in ("规章 1 0 11", "行政许可 447228", "本列数据的勾稽关系", "（七）总计 2932",
                   "72 64 178 37 351"):
        assert kind_of(doc, needle) == "table", needle
    for needle in ("5500 余条", "3119 件", "3940 元"):
        assert kind_of(doc, needle) == "narrative", needle
    assert kind_of(doc, "国令第 711 号") == "preamble"
    assert [b.kind for b in doc.blocks].count("table") == 3


def test_129_pipe_table_report(shared_corpus: Path) -> None:
    doc = corpus_doc(shared_corpus, "129")
    for needle in ("规章 | 本年制发 22", "（列：自然人", "（三）不予公开：属于国家秘密",
                   "行政复议：结果维持 40", "注：行政复议"):
        assert kind_of(doc, needle) == "table", needle
    for needle in ("1295 件", "政策公开讲", "未收取信息公开处理费"):
        assert kind_of(doc, needle) == "narrative", needle
    assert doc.blocks[0].kind == "title"


def test_128_signature_and_title(shared_corpus: Path) -> None:
    doc = corpus_doc(shared_corpus, "128")
    assert doc.blocks[0].kind == "title"
    assert doc.blocks[-1].kind == "signature"
    assert kind_of(doc, "行政处罚 | 693957") == "table"
    assert kind_of(doc, "4511条") == "narrative"


def test_whole_corpus_tiles_and_no_gold_entity_falls_in_a_table(shared_corpus: Path) -> None:
    gold = {}
    for file in sorted(GOLD.glob("*.jsonl")):
        for line in file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                gold[record["doc_id"]] = record
    checked = 0
    for path in sorted(shared_corpus.glob("*.txt")):
        text = read_text(path)
        doc = Document(path.stem, text, split_sections(text))  # raises unless the blocks tile
        record = gold.get(path.stem)
        if record and record["text_sha256"] == text_sha256(text):
            checked += 1
            for entity in record["entities"]:
                assert doc.block_at(entity["start"]).kind != "table", (path.stem, entity)
    if not checked:
        pytest.skip("no gold annotations matching the corpus texts")


def _lines(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out

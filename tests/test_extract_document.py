"""Document and Block: the tiling invariant, spans for the model, and report metadata."""

from __future__ import annotations

import pytest

from xxgk.extract.document import Block, Document
from xxgk.extract.meta import report_meta
from xxgk.extract.sections import split_sections

TEXT = "标题报告\n前言。\n一、总体情况\n公开8条。\n二、主动公开政府信息情况\n规章 | 0\n某局\n"


def blocks() -> list[Block]:
    cuts = [0, *(TEXT.index(s) for s in ("前言", "一、", "二、", "规章", "某局")), len(TEXT)]
    kinds = ["title", "preamble", "narrative", "narrative", "table", "signature"]
    headings = ["", "", "一、总体情况", "二、主动公开政府信息情况", "二、主动公开政府信息情况", ""]
    return [Block(k, a, b, h) for k, a, b, h in zip(kinds, cuts[:-1], cuts[1:], headings, strict=True)]


def test_blocks_must_tile_the_text() -> None:
    doc = Document("d", TEXT, blocks())
    assert "".join(doc.block_text(b) for b in doc.blocks) == TEXT
    with pytest.raises(ValueError, match="tile"):
        Document("d", TEXT, [Block("title", 0, 5), Block("preamble", 6, len(TEXT))])
    with pytest.raises(ValueError, match="end at"):
        Document("d", TEXT, [Block("title", 0, 5)])
    with pytest.raises(ValueError, match="unknown block kind"):
        Block("heading", 0, 1)
    with pytest.raises(ValueError, match="empty"):
        Block("title", 3, 3)


def test_spans_merge_adjacent_blocks() -> None:
    doc = Document("d", TEXT, blocks())
    table, signature = TEXT.index("规章"), TEXT.index("某局")
    assert doc.narrative_spans() == [(TEXT.index("一、"), table)]
    assert doc.prose_spans() == [(0, table), (signature, len(TEXT))]
    assert doc.spans(("table",)) == [(table, signature)]
    assert doc.block_at(table + 1).kind == "table"
    with pytest.raises(IndexError):
        doc.block_at(len(TEXT))


def test_report_meta_from_title_block() -> None:
    text = ("淮安市人民政府\n2024 年政府信息公开工作年度报告\n"
            "本报告依据《条例》编制。\n一、总体情况\n公开8条。\n")
    meta = report_meta(text, split_sections(text))
    assert meta["title"] == "淮安市人民政府2024 年政府信息公开工作年度报告"
    assert (meta["agency"], meta["year"]) == ("淮安市人民政府", 2024)


def test_report_meta_skips_page_metadata_and_falls_back_to_signature() -> None:
    text = ("信息索取号: X/2017-1 类目名称: 政府信息公开工作年度报告\n"
            "2016年某区教育局政府信息公开年度报告\n\n引言。\n一、概述\n公开8条。\n")
    assert report_meta(text, split_sections(text))["title"] == "2016年某区教育局政府信息公开年度报告"
    untitled = "2019年，本局推进政务公开。\n一、总体情况\n公开8条。\n某市某局\n2020年1月15日\n"
    assert report_meta(untitled, split_sections(untitled)) == {
        "title": None, "agency": "某市某局", "year": 2019,
    }
    bare = "公开8条。"
    assert report_meta(bare, split_sections(bare)) == {"title": None, "agency": None, "year": None}

"""Traditional → simplified for the model, offsets and text mapped back to the report as read."""

from __future__ import annotations

import json
from pathlib import Path

from xxgk.extract.runner import RunOptions, run_extract
from xxgk.extract.simplify import align, map_back, simplify
from xxgk.records import AnnotatedDoc, Entity, text_sha256

TRADITIONAL = "本機關2021年通過門戶網站發佈政府資訊374條，通過微信公眾號發佈信息215條。\n"


def test_opencc_converts_one_for_one_and_keeps_offsets() -> None:
    converted = simplify(TRADITIONAL)
    assert converted.text.startswith("本机关2021年通过门户网站发布政府资讯374条")
    assert converted.starts is None and len(converted.text) == len(TRADITIONAL)
    start = converted.text.index("门户网站")
    assert converted.to_original(start, start + 4) == (start, start + 4)


def test_alignment_maps_offsets_around_a_run_whose_length_changed() -> None:
    original = "甲乙ABC丙丁"  # the converted text below writes "ABC" as "X": two characters shorter
    converted = align(original, "甲乙X丙丁")
    assert converted.to_original(0, 2) == (0, 2)  # before the run: unchanged
    assert converted.to_original(3, 5) == (5, 7)  # after it: shifted by two
    assert converted.to_original(2, 3) == (2, 5)  # the run itself: widened to the original run
    assert converted.to_original(1, 4) == (1, 6)
    grown = align("甲乙丙", "甲乙乙乙丙")  # and two characters longer
    assert grown.to_original(4, 5) == (2, 3) and grown.to_original(0, 1) == (0, 1)


def test_map_back_takes_text_from_the_original_and_keeps_norm() -> None:
    original = "共發佈兩條"
    converted = align(original, "共发布两条")
    record = AnnotatedDoc("d", text_sha256("共发布两条"), [Entity("e1", 3, 5, "QUANTITY", "两条", {"value": 2})])
    back = map_back(record, converted)
    assert back.entities[0].text == "兩條" and back.entities[0].norm == {"value": 2}
    assert back.text_sha256 == text_sha256(original)


def _documents(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()]


def test_extract_simplify_reads_a_big5_report_through_the_model(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "tw.txt").write_bytes(TRADITIONAL.encode("big5hkscs"))
    as_read = _documents(run_extract([str(folder)], tmp_path / "plain", RunOptions(model="rules-v1", fmt="jsonl")).out)
    converted = _documents(run_extract([str(folder)], tmp_path / "simple",
                                       RunOptions(model="rules-v1", fmt="jsonl", simplify=True)).out)
    [plain], [doc] = as_read, converted
    assert doc["traditional"] and doc["simplified"] and not plain["simplified"]
    assert all(TRADITIONAL[e["start"]:e["end"]] == e["text"] for e in doc["entities"])
    channels = {e["text"] for e in doc["entities"] if e["label"] == "CHANNEL"}
    assert "門戶網站" in channels
    assert len(doc["entities"]) > len(plain["entities"]) and len(doc["relations"]) > len(plain["relations"])

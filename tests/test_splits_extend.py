"""Placing documents that joined the corpus later: sealed first, grouped by agency, stratified."""

from collections import Counter

import pytest

from xxgk.annotation.splits import agency_key, extend_splits
from xxgk.corpus import era

SETTINGS = {"extend": {"seed": 7, "fractions": {"sealed": 0.2, "dev": 0.15}, "strata": ["era", "part"],
                       "min_sealed": 10}}


def manifest(n: int) -> dict[str, dict]:
    out = {"old1": {"agency": "甲市人民政府", "year": 2015, "part": "opening"},
           "old2": {"agency": "乙县人民政府", "year": 2015, "part": "opening"}}
    for i in range(n):
        out[f"n{i:03d}"] = {"agency": f"机关{i // 2}", "year": (2012, 2019, 2022)[i % 3],
                            "part": "whole" if i % 5 == 0 else "opening"}
    out["n900"] = {"agency": "甲市人民政府办公室", "year": 2020, "part": "opening"}  # the 甲市 agency again
    out["n901"] = {"agency": "乙 县人民政府", "year": 2020, "part": "opening"}
    return out


def test_sealed_drawn_whole_agencies_stratified_and_placed_documents_stay():
    m = manifest(200)
    old = {"train": ["old1"], "dev": [], "test": ["old2"], "sealed": []}
    new = [d for d in m if d.startswith("n")]
    out = extend_splits(old, new, m, SETTINGS)
    assert sorted(d for ids in out.values() for d in ids) == sorted(m)
    assert "old1" in out["train"] and out["test"] == ["n901", "old2"]  # agency follows its split
    assert "n900" in out["train"]
    split_of = {d: name for name, ids in out.items() for d in ids}
    for i in range(0, 200, 2):  # both documents of an agency in one split
        assert split_of[f"n{i:03d}"] == split_of[f"n{i + 1:03d}"]
    strata = Counter((era(m[d]["year"]), m[d]["part"]) for d in new if d not in ("n900", "n901"))
    sealed = Counter((era(m[d]["year"]), m[d]["part"]) for d in out["sealed"])
    for key, n in strata.items():  # whole agencies of two: each stratum within one of its share
        assert abs(sealed[key] - 0.2 * n) <= 2
    assert 35 <= len(out["sealed"]) <= 45
    assert out == extend_splits(old, new, m, SETTINGS)  # seeded


def test_extend_refuses_placed_documents_and_a_small_sealed_split():
    m = manifest(20)
    with pytest.raises(ValueError, match="already in a split"):
        extend_splits({"train": ["n001"]}, ["n001"], m, SETTINGS)
    with pytest.raises(ValueError, match="fewer than 10"):
        extend_splits({}, [d for d in m if d.startswith("n")], m, SETTINGS)


def test_agency_key_merges_a_government_and_its_office():
    assert agency_key("a", {"agency": "某市人民政府办公厅"}) == agency_key("b", {"agency": "某市人民政府"})
    assert agency_key("a", {"agency": None}) == "doc:a"
    assert era(2018) == "-2018" and era(2019) == "2019-2020" and era(2021) == "2021-" and era(None) is None

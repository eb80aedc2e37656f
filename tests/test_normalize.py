"""Normal forms of QUANTITY and DATE: hand-written expectations, and junk that must not raise."""

import pytest

from xxgk.models.normalize import normalize


def q(value, unit, approx="exact", kind="count", **extra):
    return {"value": value, "unit": unit, "approx": approx, "kind": kind, **extra}


@pytest.mark.parametrize(("text", "expected"), [
    ("两条", q(2, "条")),
    ("一次", q(1, "次", kind="frequency")),
    ("1.2万人次", q(12000, "人次")),
    ("三千余条", q(3000, "条", "lower_bound")),
    ("7000余条", q(7000, "条", "lower_bound")),
    ("300多条", q(300, "条", "lower_bound")),
    ("近300条", q(300, "条", "upper_bound")),
    ("约44条", q(44, "条", "approximate")),
    ("200条左右", q(200, "条", "approximate")),
    ("超2300万", q(23000000, "", "lower_bound")),
    ("逾百人", q(100, "人", "lower_bound")),
    ("70%以上", q(70, "%", "lower_bound", "percent")),
    ("98850元", q(98850, "元", kind="money", currency="CNY")),
    ("7730.28万元", q(77302800, "元", kind="money", currency="CNY")),
    ("200元/月", q(200, "元/月", kind="money", currency="CNY")),
    ("12%", q(12, "%", kind="percent")),
    ("12.5％", q(12.5, "%", kind="percent")),
    ("百分之十二", q(12, "%", kind="percent")),
    ("1至2名", q(1, "名", kind="range", value_max=2)),
    ("3-5个", q(3, "个", kind="range", value_max=5)),
    ("1136 条", q(1136, "条")),
    ("近 45.9 万人", q(459000, "人", "upper_bound")),
    ("１２３条", q(123, "条")),
    ("二〇一九", q(2019, "")),
    ("54373", q(54373, "")),
    ("3,500条", q(3500, "条")),
    ("十一个", q(11, "个")),
    ("六部分", q(6, "部分")),
    ("1.5倍", q(1.5, "倍")),
    ("75千米", q(75, "千米")),
    ("4.5亿次", q(450000000, "次", kind="frequency")),
])
def test_quantity(text, expected):
    assert normalize("QUANTITY", text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("2020年", {"iso": "2020", "granularity": "year"}),
    ("2020年度", {"iso": "2020", "granularity": "year"}),
    ("2010年底", {"iso": "2010", "granularity": "year", "note": "end of period"}),
    ("2020年上半年", {"iso": "2020", "granularity": "year", "note": "first half"}),
    ("12月", {"iso": "--12", "granularity": "month", "note": "year not stated"}),
    ("12月31日", {"iso": "--12-31", "granularity": "day", "note": "year not stated"}),
    ("2015年12月", {"iso": "2015-12", "granularity": "month"}),
    ("2021年12月底", {"iso": "2021-12", "granularity": "month", "note": "end of period"}),
    ("2020年1月15日", {"iso": "2020-01-15", "granularity": "day"}),
    ("2024 年 1 月 1 日", {"iso": "2024-01-01", "granularity": "day"}),
    ("2024-01-17", {"iso": "2024-01-17", "granularity": "day"}),
    ("2018.01.25", {"iso": "2018-01-25", "granularity": "day"}),
    ("二○○九年三月二十日", {"iso": "2009-03-20", "granularity": "day"}),
    ("二〇一九年十二月", {"iso": "2019-12", "granularity": "month"}),
    ("二0一七年", {"iso": "2017", "granularity": "year"}),
    ("2022年1-12月", {"iso": "2022-01", "granularity": "month", "iso_end": "2022-12"}),
    ("2012", {"iso": "2012", "granularity": "year"}),
])
def test_date(text, expected):
    assert normalize("DATE", text) == expected


@pytest.mark.parametrize(("label", "text", "why"), [
    ("QUANTITY", "", "empty"),
    ("QUANTITY", "abc", "no number"),
    ("QUANTITY", "第", "no number"),
    ("QUANTITY", "1-2-3条", "digits left"),
    ("QUANTITY", "5至3名", "range"),
    ("DATE", "", "not a recognised"),
    ("DATE", "全年", "not a recognised"),
    ("DATE", "20161月", "not a recognised"),  # PDF damage, annotated as found
    ("DATE", "016年度", "not a recognised"),
    ("DATE", "2020年13月", "month"),
    ("DATE", "2020年2月30日", "day"),
    ("DATE", "3000年", "year"),
])
def test_unreadable_values_report_why(label, text, why):
    out = normalize(label, text)
    assert out["raw"] == text and why in out["error"]


@pytest.mark.parametrize("junk", [None, 12, b"12", ["1"], "\x00", "％％", "。。", "万万万亿", "－1", "🙂3条"])
def test_junk_never_raises(junk):
    for label in ("QUANTITY", "DATE"):
        out = normalize(label, junk)
        assert isinstance(out, dict) and ("error" in out or "value" in out or "iso" in out)


def test_other_labels_have_no_normal_form():
    for label in ("ORG", "CHANNEL", "ITEM", "PERSON", "POSITION", "COMMITMENT", "NOPE"):
        assert normalize(label, "2020年") is None

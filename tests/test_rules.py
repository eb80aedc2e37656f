"""rules-v1 on short invented sentences: every label and relation, the masks, the output shape."""

import itertools

import pytest

from xxgk.models.rules import RulesModel
from xxgk.records import AnnotatedDoc, Entity, text_sha256
from xxgk.schema import load_schema


@pytest.fixture(scope="module")
def model() -> RulesModel:
    return RulesModel()


def run(model: RulesModel, text: str) -> tuple[set[tuple[str, str]], set[tuple[str, str, str]]]:
    """(text, label) of the entities and (head text, label, tail text) of the relations."""
    doc = next(model.predict([("t", text)]))
    by_id = doc.entity_by_id()
    ents = {(e.text, e.label) for e in doc.entities}
    rels = {(by_id[r.head].text, r.label, by_id[r.tail].text) for r in doc.relations}
    return ents, rels


def test_quantity_item_channel_count_of_via(model):
    ents, rels = run(model, "2020年，本局在门户网站发布信息120条，其中原创文章35篇。")
    assert {("2020年", "DATE"), ("门户网站", "CHANNEL"), ("信息", "ITEM"), ("120条", "QUANTITY"),
            ("原创文章", "ITEM"), ("35篇", "QUANTITY")} == ents
    assert {("120条", "COUNT_OF", "信息"), ("35篇", "COUNT_OF", "原创文章"),
            ("120条", "VIA", "门户网站"), ("35篇", "VIA", "门户网站")} == rels


def test_channel_phrase_with_several_channels(model):
    _, rels = run(model, "通过公示栏、网站等形式公开政务信息36条。")
    assert {("36条", "VIA", "公示栏"), ("36条", "VIA", "网站"), ("36条", "COUNT_OF", "政务信息")} == rels


def test_named_channels_quotes_and_publications(model):
    ents, rels = run(model, "在“某某发布”微信公众号推送信息215条，在《某某日报》刊登稿件8篇。")
    assert ("“某某发布”微信公众号", "CHANNEL") in ents and ("某某日报", "CHANNEL") in ents
    assert ("8篇", "VIA", "某某日报") in rels and ("8篇", "COUNT_OF", "稿件") in rels
    ents, _ = run(model, "通过“12345”热线受理诉求5000余件。")
    assert {("“12345”热线", "CHANNEL"), ("诉求", "ITEM"), ("5000余件", "QUANTITY")} <= ents


def test_quantity_forms_and_norm(model):
    text = "受理申请1至2名，约300余条，近 45 万人次，增长12%，收费98850元，投入7730.28万元。"
    doc = next(model.predict([("t", text)]))
    norms = {e.text: e.norm for e in doc.entities if e.label == "QUANTITY"}
    assert set(norms) == {"1至2名", "约300余条", "近 45 万人次", "12%", "98850元", "7730.28万元"}
    assert norms["7730.28万元"] == {"value": 77302800, "unit": "元", "approx": "exact", "kind": "money",
                                   "currency": "CNY"}
    assert norms["1至2名"]["value_max"] == 2
    assert all(e.norm is None for e in doc.entities if e.label not in ("QUANTITY", "DATE"))


def test_not_quantities(model):
    text = "根据《某某市政府信息公开规定》（某政发〔2019〕60号）第二十条，联系电话：0791-12345678。"
    ents, _ = run(model, text)
    assert ents == set()  # title, document number, ordinal and phone are masked or excluded
    ents, _ = run(model, "我局统一部署，进一步完善了制度。")
    assert not any(label == "QUANTITY" for _, label in ents)


def test_dates(model):
    ents, _ = run(model, "截至2020年12月31日，2010年底，2024 年 1 月 1 日，2024-01-17，二○○九年三月二十日。")
    assert {("2020年12月31日", "DATE"), ("2010年底", "DATE"), ("2024 年 1 月 1 日", "DATE"),
            ("2024-01-17", "DATE"), ("二○○九年三月二十日", "DATE")} == ents
    doc = next(model.predict([("t", "发布时间：2024-01-17 09:30")]))
    day = {"iso": "2024-01-17", "granularity": "day"}
    assert [(e.text, e.norm) for e in doc.entities] == [("2024-01-17", day)]


def test_org_position_person_holds_post_in(model):
    ents, rels = run(model, "成立了以局长张建国为组长的网络安全领导小组，办公室主任李明任副组长。")
    assert {("局长", "POSITION"), ("张建国", "PERSON"), ("组长", "POSITION"), ("网络安全领导小组", "ORG"),
            ("办公室主任", "POSITION"), ("李明", "PERSON"), ("副组长", "POSITION")} == ents
    assert {("张建国", "HOLDS", "局长"), ("张建国", "HOLDS", "组长"), ("李明", "HOLDS", "办公室主任"),
            ("李明", "HOLDS", "副组长"), ("组长", "POST_IN", "网络安全领导小组"),
            ("副组长", "POST_IN", "网络安全领导小组")} == rels


def test_body_before_post_is_split(model):
    ents, rels = run(model, "信息宣传科科长王强负责日常工作。")
    assert {("信息宣传科", "ORG"), ("科长", "POSITION"), ("王强", "PERSON")} == ents
    assert {("科长", "POST_IN", "信息宣传科"), ("王强", "HOLDS", "科长")} == rels
    ents, rels = run(model, "县委常委、常务副县长赵正伟任组长。")
    assert ("县委", "ORG") in ents and ("常委", "POST_IN", "县委") in rels
    assert {("赵正伟", "HOLDS", p) for p in ("常委", "常务副县长", "组长")} <= rels


def test_org_names_and_pronouns(model):
    ents, _ = run(model, "2019年度，某县人民政府办公室通过政府网站发布信息1136 条。")
    assert ("某县人民政府办公室", "ORG") in ents and ("1136 条", "QUANTITY") in ents
    ents, _ = run(model, "我局认真落实市委、市政府的要求。")
    assert ("市委", "ORG") in ents and ("市政府", "ORG") in ents
    assert not any(text in ("我局", "局") for text, _ in ents)


def test_commitments_and_due(model):
    ents, rels = run(model, "下一步，我局将进一步加强培训教育工作，完善信息发布机制。")
    assert {("进一步加强培训教育工作", "COMMITMENT"), ("完善信息发布机制", "COMMITMENT")} == ents
    text = "2021年我局将做好以下工作：\n（一）加大政府信息公开力度。\n（二）强化政务新媒体管理。"
    ents, rels = run(model, text)
    assert {("加大政府信息公开力度", "DUE", "2021年"), ("强化政务新媒体管理", "DUE", "2021年")} == rels


def test_problem_clauses_and_past_measures_are_no_commitments(model):
    text = ("五、存在的主要问题及改进情况\n"
            "信息更新不够及时。本年度进一步完善了制度。我们将继续加强信息报送及更新。")
    ents, _ = run(model, text)
    assert [t for t, label in ents if label == "COMMITMENT"] == ["继续加强信息报送及更新"]


def test_table_rows_are_masked(model):
    ents, _ = run(model, "信息内容 | 本年新制作数量\n规章 | 5条 | 2020年")
    assert ents == set()


def test_output_shape_and_no_overlap(model):
    text = "2020年，某县人民政府在政府网站发布信息120条。下一步，我局将继续加强信息公开。"
    doc = next(model.predict([("d1", text)]))
    assert doc.doc_id == "d1" and doc.text_sha256 == text_sha256(text)
    assert [e.id for e in doc.entities] == [f"e{i}" for i in range(1, len(doc.entities) + 1)]
    schema = load_schema()
    spans = sorted((e.start, e.end) for e in doc.entities)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    for e in doc.entities:
        assert text[e.start:e.end] == e.text and not schema.bad_edge(e.text)
    assert model.name == "rules-v1" and model.supports_gold_entities


def test_predict_relations_keeps_given_entities(model):
    text = "在门户网站发布信息120条。"
    given = [Entity("g9", 9, 13, "QUANTITY", "120条"), Entity("g1", 1, 5, "CHANNEL", "门户网站"),
             Entity("g5", 7, 9, "ITEM", "信息")]
    assert all(text[e.start:e.end] == e.text for e in given)
    out = model.predict_relations(AnnotatedDoc("d", text_sha256(text), given), text)
    assert out.entities == given and out.doc_id == "d"
    rels = {(r.head, r.label, r.tail) for r in out.relations}
    assert rels == {("g9", "VIA", "g1"), ("g9", "COUNT_OF", "g5")}


def test_empty_and_plain_text(model):
    assert next(model.predict([("e", "")])).entities == []
    assert list(model.predict([])) == []

"""The CRF NER: per-character features, the clause tagger for COMMITMENT, the spaCy component."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import spacy

from xxgk.models.ner.commitments import clauses, span_of
from xxgk.models.ner.crf import bio_spans, bio_tags
from xxgk.models.ner.features import Lexicon, text_features
from xxgk.models.ner.simplified import feature_text

# Short texts written for these tests.
TEXTS = [
    "2020年,本局在门户网站发布信息120条,在微博发布信息30条。",
    "2021年,本局在门户网站发布信息98条,通过微信公众号推送文章45篇。",
    "下一步,我局将进一步加强培训,完善公开目录。",
    "2022年将做好以下工作:一是加大公开力度,二是加强平台建设。",
    "局长张三任领导小组组长。",
]


def spans_of(text: str, marks: list[tuple[str, str]]) -> list[tuple[int, int, str]]:
    out, pos = [], 0
    for piece, label in marks:
        start = text.index(piece, pos)
        out.append((start, start + len(piece), label))
        pos = start + len(piece)
    return out


GOLD = [
    spans_of(TEXTS[0], [("2020年", "DATE"), ("门户网站", "CHANNEL"), ("信息", "ITEM"), ("120条", "QUANTITY"),
                        ("微博", "CHANNEL"), ("信息", "ITEM"), ("30条", "QUANTITY")]),
    spans_of(TEXTS[1], [("2021年", "DATE"), ("门户网站", "CHANNEL"), ("信息", "ITEM"), ("98条", "QUANTITY"),
                        ("微信公众号", "CHANNEL"), ("文章", "ITEM"), ("45篇", "QUANTITY")]),
    spans_of(TEXTS[2], [("进一步加强培训", "COMMITMENT"), ("完善公开目录", "COMMITMENT")]),
    spans_of(TEXTS[3], [("2022年", "DATE"), ("加大公开力度", "COMMITMENT"), ("加强平台建设", "COMMITMENT")]),
    spans_of(TEXTS[4], [("局长", "POSITION"), ("张三", "PERSON"), ("领导小组组长", "POSITION")]),
]


def test_bio_tags_and_spans_round_trip_and_trim_edges() -> None:
    text = TEXTS[0]
    assert bio_spans(bio_tags(len(text), GOLD[0]), text) == GOLD[0]
    tags = ["B-ORG", "I-ORG", "I-ORG", "O", "I-DATE", "I-DATE", "B-DATE"]
    assert bio_spans(tags, "本局,　2020") == [(0, 2, "ORG"), (4, 6, "DATE"), (6, 7, "DATE")]  # the comma trimmed


def test_character_features_cover_the_groups() -> None:
    lexicon = Lexicon.from_lines(["门户网站 100 n", "网站 50 n", "信息 80 n"])
    feats = text_features("在门户网站发布信息", ["chars", "lexicon", "context"], lexicon)
    assert len(feats) == 9
    assert "c0=门" in feats[1] and "b0=门户" in feats[1] and "y0=H" in feats[1]
    assert "lB=4" in feats[1] and "lpB=n" in feats[1]  # the longest word starting here is 门户网站
    assert "lE=4" in feats[4] and "lM=4" in feats[2]
    assert "cl2=在门" in feats[0]
    with pytest.raises(ValueError, match="unknown feature group"):
        text_features("字", ["words"])


def test_traditional_text_is_read_as_simplified_with_the_same_offsets() -> None:
    assert feature_text("政府信息公開工作報告") == "政府信息公开工作报告"
    assert text_features("公開", ["chars"])[0][:2] == text_features("公开", ["chars"])[0][:2]


def test_pdf_lookalike_characters_are_read_as_the_characters_they_stand_for() -> None:
    written = "进\u2f00步加强\u2f2f作"  # Kangxi radicals ONE and WORK, as PDFs extract them
    assert feature_text(written) == "进一步加强工作"
    assert text_features(written, ["chars", "lexicon"]) == text_features("进一步加强工作", ["chars", "lexicon"])


def test_the_default_model_reads_a_report_with_lookalikes_as_the_plain_one() -> None:
    from xxgk.models.registry import load_model

    plain = ("2022年，我局将重点做好以下工作：\n（一）进一步加强工作人员业务培训。\n（二）进一步完善公开目录。\n"
             "全年在门户网站主动公开政府信息120条，在微信公众号发布工作动态35条。")
    pdf = plain.replace("一", "\u2f00").replace("工", "\u2f2f").replace("门", "\u2fa8")
    model = load_model(None)
    [a, b] = model.predict([("plain", plain), ("pdf", pdf)])
    assert [(e.start, e.end, e.label) for e in b.entities] == [(e.start, e.end, e.label) for e in a.entities]
    assert {e.label for e in a.entities} >= {"COMMITMENT", "CHANNEL", "QUANTITY"}


def test_clauses_strip_the_lead_in_as_the_schema_says() -> None:
    text = "下一步,我局将进一步加强培训;(二)深化政务公开内容。2025年我们将切实抓好以下工作:一是完善目录"
    bodies = [text[c.body:c.end] for c in clauses(text)]
    assert bodies == ["", "进一步加强培训", "深化政务公开内容", "切实抓好以下工作", "完善目录"]
    first = clauses(text)[1]
    assert span_of(text, first) == (text.index("进一步"), text.index(";"))
    wrapped = "下一步我局将进一步加强政务公开工作的组织领导和\n制度建设,完善目录。"
    assert next(wrapped[c.body:c.end] for c in clauses(wrapped)).endswith("领导和\n制度建设")  # a PDF wrap (D20)


def test_the_component_learns_trains_saves_and_loads_by_entry_point(tmp_path: Path) -> None:
    nlp = spacy.blank("zh")
    component = nlp.add_pipe("xxgk_crf_ner", config={"features": ["chars", "context"],
                                                     "crf": {"c1": 0.0, "c2": 0.001, "max_iterations": 100},
                                                     "commitment_votes": False})
    examples = list(zip(TEXTS, GOLD, strict=True)) * 3
    component.fit(examples)
    for text, gold in zip(TEXTS, GOLD, strict=True):  # an unregularised CRF learns its training data
        assert [(e.start_char, e.end_char, e.label_) for e in nlp(text).ents] == gold
    nlp.to_disk(tmp_path / "pipe")
    code = ("import spacy, sys; nlp = spacy.load(sys.argv[1]); "
            "print([(e.text, e.label_) for e in nlp(sys.argv[2]).ents])")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "pipe"), TEXTS[2]],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str([("进一步加强培训", "COMMITMENT"), ("完善公开目录", "COMMITMENT")])


def test_substitution_keeps_context_and_swaps_open_class_mentions() -> None:
    from xxgk.models.ner.augment import substituted

    examples = [(TEXTS[0], GOLD[0]), (TEXTS[1], GOLD[1]), (TEXTS[2], GOLD[2])]
    out = substituted(examples, ["CHANNEL", "ITEM"], copies=2, seed=3)
    assert len(out) == 4  # two copies of the two examples holding a CHANNEL or an ITEM
    pool = {label: {t[s:e] for t, spans in examples for s, e, label2 in spans if label2 == label}
            for label in ("CHANNEL", "ITEM")}
    for text, spans in out:
        assert "本局在" in text and [label for _, _, label in spans] == [label for _, _, label in GOLD[0]]
        for start, end, label in spans:
            word = text[start:end]
            assert word in pool[label] if label in pool else word in ("2020年", "2021年", "120条", "30条",
                                                                       "98条", "45篇")
    assert out == substituted(examples, ["CHANNEL", "ITEM"], copies=2, seed=3)

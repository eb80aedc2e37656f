"""Domain segmenter: training lines with forced gold breaks, a tiny pkuseg model, misaligned spans."""

from __future__ import annotations

from collections import Counter

import pytest
import spacy

from xxgk.models.ner.docs import training_docs
from xxgk.models.ner.segmenter import misaligned_spans, pkuseg_nlp, segment, train_segmenter, training_lines
from xxgk.records import AnnotatedDoc, Entity, text_sha256

# A fixed, dictionary-free "segmenter" so the tests do not depend on jieba's dictionary.
WORDS = ["本局", "在", "门户网站", "发布", "信息", "120条", "，", "回复", "留言", "8件", "。",
         "张三", "任", "县政府办公室", "主任", "全年", "受理", "申请", "3件"]


def greedy_cut(text: str) -> list[str]:
    """Longest match over WORDS, else one character."""
    out, i = [], 0
    while i < len(text):
        match = max((w for w in WORDS if text.startswith(w, i)), key=len, default=text[i])
        out.append(match)
        i += len(match)
    return out


def make_doc(doc_id: str, text: str, marks: list[tuple[str, str]]) -> AnnotatedDoc:
    ents, pos = [], 0
    for k, (piece, label) in enumerate(marks):
        start = text.index(piece, pos)
        ents.append(Entity(f"e{k}", start, start + len(piece), label, piece))
        pos = start + len(piece)
    return AnnotatedDoc(doc_id, text_sha256(text), ents, [])


def test_segment_forces_breaks_and_drops_whitespace():
    text = "本局在门户网站 发布信息120条。"
    assert segment(text, [], greedy_cut) == ["本局", "在", "门户网站", "发布", "信息", "120条", "。"]
    # a break inside "门户网站" and one inside "120条" (e.g. gold "门户" and "120")
    assert segment(text, [5, 15], greedy_cut) == ["本局", "在", "门户", "网站", "发布", "信息", "120", "条", "。"]


def test_segment_rejects_a_cut_that_changes_the_text():
    with pytest.raises(ValueError):
        segment("本局发布信息", [], lambda t: ["本局", "发部", "信息"])


def test_training_lines_one_per_paragraph_with_gold_boundaries():
    text = "本局在门户网站发布信息120条。\n\n张三任县政府办公室主任。\n"
    doc = make_doc("a", text, [("网站", "CHANNEL"), ("120", "QUANTITY"), ("县政府", "ORG")])
    lines = list(training_lines([doc], {"a": text}.get, greedy_cut))
    assert lines == ["本局 在 门户 网站 发布 信息 120 条 。", "张三 任 县政府 办公室 主任 。"]


def test_training_docs_misaligned_error_by_default_skip_counts_and_marks_missing():
    nlp = spacy.blank("en")  # whitespace tokens stand in for words
    text = "aa bbb cc"
    doc = make_doc("x", text, [("aa", "ORG"), ("bb", "ITEM")])
    with pytest.raises(ValueError, match="does not align"):
        list(training_docs(nlp, doc, text))
    dropped: Counter = Counter()
    (sdoc,) = training_docs(nlp, doc, text, misaligned="skip", dropped=dropped)
    assert dropped == Counter({"ITEM": 1})
    assert [(e.text, e.label_) for e in sdoc.ents] == [("aa", "ORG")]
    assert [t.ent_iob_ for t in sdoc] == ["B", "", "O"]  # "bbb" is missing, not O
    with pytest.raises(ValueError):
        list(training_docs(nlp, doc, text, misaligned="ignore"))


@pytest.fixture(scope="module")
def tiny_segmenter(tmp_path_factory):
    texts = ["本局在门户网站发布信息120条，回复留言8件。", "张三任县政府办公室主任。", "全年受理申请3件。"]
    lines = [" ".join(greedy_cut(t)) for t in texts] * 7  # 21 lines
    out = tmp_path_factory.mktemp("seg") / "pkuseg"
    info = train_segmenter(lines, out, iterations=1)
    return out, info


def test_train_segmenter_saves_a_model_spacy_can_load(tiny_segmenter, tmp_path):
    out, info = tiny_segmenter
    assert info["train_lines"] == 21 and info["iterations"] == 1 and info["seconds"] >= 0
    assert (out / "features.msgpack").exists()
    nlp = pkuseg_nlp(out)
    text = "本局在门户网站发布信息120条。"
    doc = nlp(text)
    assert doc.text == text and 1 < len(doc) < len(text)
    nlp.to_disk(tmp_path / "pipe")  # the pipeline carries the segmenter
    again = spacy.load(tmp_path / "pipe")
    assert [t.text for t in again(text)] == [t.text for t in doc]


def test_misaligned_spans_counts_per_label(tiny_segmenter):
    out, _ = tiny_segmenter
    nlp = pkuseg_nlp(out)
    text = "本局在门户网站发布信息120条。\n"
    tokens = nlp(text.strip())
    word = next(t for t in tokens if len(t) > 1)
    doc = AnnotatedDoc("a", text_sha256(text), [
        Entity("e1", word.idx, word.idx + len(word), "ORG", word.text),  # aligned
        Entity("e2", word.idx + len(word), len(text) - 1, "ITEM", text[word.idx + len(word):-1]),  # aligned
    ], [])
    assert misaligned_spans(nlp, [doc], {"a": text}.get) == Counter()
    doc.entities[0] = Entity("e1", word.idx, word.idx + 1, "ORG", word.text[0])  # ends inside a word
    assert misaligned_spans(nlp, [doc], {"a": text}.get) == Counter({"ORG": 1})

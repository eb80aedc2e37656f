"""Relation candidates, the scikit-learn classifier, and the spaCy component's save/load."""

from __future__ import annotations

import subprocess
import sys

import spacy

from xxgk.models.relations.candidates import Candidate, Span, candidates
from xxgk.models.relations.classifier import RelationClassifier, RelationExample, decode


def spans_of(text: str, marks: list[tuple[str, str]]) -> list[Span]:
    out, pos = [], 0
    for piece, label in marks:
        start = text.index(piece, pos)
        out.append(Span(start, start + len(piece), label, piece))
        pos = start + len(piece)
    return out


TEXT = "全年在门户网站发布信息120条，在微信公众号推送文章35篇。张三任办公室主任。"
MARKS = [("门户网站", "CHANNEL"), ("信息", "ITEM"), ("120条", "QUANTITY"), ("微信公众号", "CHANNEL"),
         ("文章", "ITEM"), ("35篇", "QUANTITY"), ("张三", "PERSON"), ("办公室", "ORG"), ("主任", "POSITION")]
GOLD = frozenset({(2, 1, "COUNT_OF"), (2, 0, "VIA"), (5, 4, "COUNT_OF"), (5, 3, "VIA"),
                  (6, 8, "HOLDS"), (8, 7, "POST_IN")})


def test_candidates_are_type_compatible_and_within_sentence():
    spans = spans_of(TEXT, MARKS)
    cands = candidates(TEXT, spans)
    for c in cands:
        head, tail = spans[c.head], spans[c.tail]
        assert (head.label, tail.label) in {("QUANTITY", "ITEM"), ("QUANTITY", "CHANNEL"),
                                            ("PERSON", "POSITION"), ("POSITION", "ORG")}
    pairs = {(c.head, c.tail, c.label) for c in cands}
    assert GOLD <= pairs  # every gold relation is reachable
    assert (6, 8, "HOLDS") in pairs and not any(c.head == 2 and c.tail == 8 for c in cands)


def test_due_reaches_back_to_the_lead_in():
    text = "2021年，我局将重点做好以下工作：\n一是加强培训。\n二是完善制度。"
    spans = spans_of(text, [("2021年", "DATE"), ("加强培训", "COMMITMENT"), ("完善制度", "COMMITMENT")])
    due = {(c.head, c.tail) for c in candidates(text, spans) if c.label == "DUE"}
    assert due == {(1, 0), (2, 0)}


def test_due_sees_whether_the_year_opens_a_plan_or_dates_past_work():
    plan = "2014年将认真做好以下几个方面的工作:\n\n（一）加强载体建设。"
    past = "2025年，我局在公开工作中取得一定成效。\n\n一是加强载体建设。"
    features = []
    for text in (plan, past):
        spans = spans_of(text, [(text[:5], "DATE"), ("加强载体建设", "COMMITMENT")])
        [due] = [c for c in candidates(text, spans) if c.label == "DUE"]
        features.append({k for k in due.features if "lead_in" in k})
    assert {"DUE|lead_in=将", "DUE|lead_in=以下", "DUE|lead_in_ends_colon=True"} <= features[0]
    assert {"DUE|lead_in=取得", "DUE|lead_in_ends_colon=False"} <= features[1]
    assert not features[1] & {"DUE|lead_in=将", "DUE|lead_in=以下"}


def test_decode_keeps_one_tail_for_single_tail_relations():
    a = Candidate(0, 1, "COUNT_OF", {})
    b = Candidate(0, 2, "COUNT_OF", {})
    c = Candidate(0, 3, "VIA", {})
    d = Candidate(0, 4, "VIA", {})
    out = decode([(a, 0.6), (b, 0.9), (c, 0.7), (d, 0.8)], 0.5, frozenset({"COUNT_OF"}))
    assert [(r.tail, r.label) for r in out] == [(2, "COUNT_OF"), (3, "VIA"), (4, "VIA")]
    assert decode([(a, 0.4)], 0.5, frozenset()) == []


def fitted() -> RelationClassifier:
    spans = spans_of(TEXT, MARKS)
    return RelationClassifier().fit([RelationExample(TEXT, spans, GOLD)] * 3)


def test_classifier_learns_its_training_relations():
    clf = fitted()
    threshold, f1 = clf.tune_threshold([RelationExample(TEXT, spans_of(TEXT, MARKS), GOLD)])
    assert 0 < threshold < 1 and f1 == 1.0
    pred = {(r.head, r.tail, r.label) for r in clf.predict(TEXT, spans_of(TEXT, MARKS))}
    assert pred == GOLD


def test_component_saves_and_loads_by_entry_point(tmp_path):
    nlp = spacy.blank("zh")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": label, "pattern": piece} for piece, label in MARKS])
    nlp.add_pipe("xxgk_relations").classifier = fitted()
    doc = nlp(TEXT)
    assert {(r["head"], r["tail"], r["label"]) for r in doc._.relations} == GOLD
    nlp.to_disk(tmp_path / "pipe")
    # A fresh interpreter that never imports xxgk: spaCy must find the factory by entry point.
    code = (
        "import spacy, sys; nlp = spacy.load(sys.argv[1]); doc = nlp(sys.argv[2]);"
        "print(sorted((r['head'], r['tail'], r['label']) for r in doc._.relations))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "pipe"), TEXT],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(sorted(GOLD))

"""The clause suggester of the spancat COMMITMENT component, and a tiny end-to-end training with it."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from test_models_training import train_tiny

from xxgk.corpus import Corpus
from xxgk.models.ner.suggesters import build_clause_suggester, candidate_spans, clauses, reachable_recall
from xxgk.models.relations.candidates import Span
from xxgk.records import AnnotatedDoc, Entity, Relation, text_sha256


def texts(text: str, spans) -> list[str]:
    return [text[a:b] for a, b in spans]


def test_clauses_split_at_delimiters_and_list_markers():
    text = "下一步我局将：一是加强培训；二是深化公开内容。\n（一）深化政务公开内容。2、加大力度,1.5倍,3.完善制度!"
    assert texts(text, clauses(text)) == [
        "下一步我局将", "加强培训", "深化公开内容", "深化政务公开内容", "加大力度", "1.5倍", "完善制度",
    ]


def test_a_leading_marker_is_only_stripped_at_the_start_of_a_clause():
    text = "统一是基础，第三方评估"
    assert texts(text, clauses(text)) == ["统一是基础", "第三方评估"]


def test_candidates_drop_prefixes_and_trim_edges():
    text = "我局将“加强”培训。"
    got = texts(text, candidate_spans(text, max_drop=4))
    # the clause, then 1..4 characters dropped; the quotation mark is no edge character
    assert set(got) == {"我局将“加强”培训", "局将“加强”培训", "将“加强”培训", "“加强”培训", "加强”培训"}


def test_candidates_never_exceed_the_clause_and_are_unique():
    text = "加强。进一步提升水平"
    spans = candidate_spans(text, max_drop=12)
    assert len(spans) == len(set(spans))
    assert texts(text, spans) == ["加强", "强", "进一步提升水平", "一步提升水平", "步提升水平", "提升水平", "升水平",
                                  "水平", "平"]


def test_suggester_returns_a_ragged_of_token_indices():
    nlp = spacy.blank("zh")
    docs = [nlp.make_doc("下一步将加强培训。"), nlp.make_doc(""), nlp.make_doc("深化公开，提升水平")]
    suggester = build_clause_suggester(max_drop=2)
    out = suggester(docs)
    assert out.dataXd.shape[1] == 2
    assert list(out.lengths) == [3, 0, 6]
    rows = [tuple(r) for r in out.dataXd.tolist()]
    assert rows[:3] == [(0, 8), (1, 8), (2, 8)]
    third = docs[2]
    assert [third[a:b].text for a, b in rows[3:]] == ["深化公开", "化公开", "公开", "提升水平", "升水平", "水平"]


def test_suggester_handles_no_candidates_at_all():
    nlp = spacy.blank("zh")
    out = build_clause_suggester()([nlp.make_doc("。，"), nlp.make_doc("")])
    assert list(out.lengths) == [0, 0]
    assert out.dataXd.size == 0


def test_reachable_recall_counts_exact_matches():
    text = "下一步我局将加强培训。提升水平"
    gold = [(6, 10), (11, 15), (0, 3)]  # 加强培训 reachable with 6 dropped; 提升水平 whole; 下一步 not a suffix
    reach = reachable_recall([(text, gold)], max_drop=6)
    assert (reach.gold, reach.reachable) == (3, 2)
    assert reach.recall == pytest.approx(2 / 3)
    assert reach.per_1000_chars == pytest.approx(1000 * reach.candidates / len(text))
    assert reachable_recall([(text, gold)], max_drop=5).reachable == 1


def test_add_scored_spans_prefers_the_best_span_and_the_longer_reading():
    from xxgk.models.trained import add_scored_spans

    ner = [Span(0, 2, "ORG", "区委"), Span(5, 9, "CHANNEL", "政府网站"), Span(20, 25, "DATE", "2021年")]
    scored = [
        (Span(4, 13, "COMMITMENT", "加政府网站建设力度"), 0.6),
        (Span(3, 13, "COMMITMENT", "加大政府网站建设力度"), 0.9),
        (Span(19, 22, "COMMITMENT", "在20"), 0.99),  # shorter than the DATE it overlaps: dropped
    ]
    spans, scores = add_scored_spans(ner, scored)
    assert [(s.start, s.end, s.label) for s in spans] == [(0, 2, "ORG"), (3, 13, "COMMITMENT"), (20, 25, "DATE")]
    assert scores == [None, 0.9, None]


# --- end to end: a tiny training with [xxgk] span_labels ------------------------------------------------------

LINES = [
    ("2020年在门户网站发布信息{n}条。",
     [("2020年", "DATE"), ("门户网站", "CHANNEL"), ("信息", "ITEM"), ("{n}条", "QUANTITY")]),
    ("2021年我局将加强培训，进一步提升工作水平。",
     [("2021年", "DATE"), ("加强培训", "COMMITMENT"), ("进一步提升工作水平", "COMMITMENT")]),
]
RELS = [(3, 2, "COUNT_OF"), (3, 1, "VIA"), (5, 4, "DUE"), (6, 4, "DUE")]


def make_doc(doc_id: str, n: int) -> tuple[str, AnnotatedDoc]:
    text, ents = "", []
    for template, marks in LINES:
        line, base, pos = template.format(n=n), len(text), 0
        for piece, label in marks:
            piece = piece.format(n=n)
            start = line.index(piece, pos)
            ents.append(Entity(f"e{len(ents) + 1}", base + start, base + start + len(piece), label, piece))
            pos = start + len(piece)
        text += line + "\n"
    rels = [Relation(ents[h].id, ents[t].id, label) for h, t, label in RELS]
    return text, AnnotatedDoc(doc_id, text_sha256(text), ents, rels)


def test_training_docs_put_span_labels_into_the_span_group():
    from xxgk.models.ner.docs import training_docs

    nlp = spacy.blank("zh")
    text, doc = make_doc("a", 5)
    plain = next(training_docs(nlp, doc, text))
    assert "COMMITMENT" in {e.label_ for e in plain.ents} and "sc" not in plain.spans
    split = next(training_docs(nlp, doc, text, span_labels=("COMMITMENT",)))
    assert "COMMITMENT" not in {e.label_ for e in split.ents}
    assert [s.text for s in split.spans["sc"]] == ["加强培训", "进一步提升工作水平"]
    assert {e.label_ for e in split.ents} == {"DATE", "CHANNEL", "ITEM", "QUANTITY"}
    assert [e.text for e in split.ents if e.label_ == "DATE"] == ["2020年", "2021年"]


@pytest.fixture(scope="module")
def spancat_model(tmp_path_factory) -> tuple[Path, Corpus, list[AnnotatedDoc]]:
    return train_tiny(tmp_path_factory.mktemp("spancat"), "ner-spancat.cfg", n_docs=8, n_train=6, max_steps=40,
                      make=make_doc)


def test_spancat_pipeline_loads_in_a_fresh_interpreter(spancat_model):
    model_dir, _, _ = spancat_model
    code = (
        "import json, sys, spacy\n"
        "nlp = spacy.load(sys.argv[1])\n"
        "doc = nlp('下一步我局将加强培训。')\n"
        "print(json.dumps([nlp.pipe_names, len(doc.spans['sc'])]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(model_dir)], capture_output=True, text=True, check=True)
    names, n_spans = json.loads(out.stdout.strip().splitlines()[-1])
    assert names == ["tok2vec", "ner", "spancat", "xxgk_relations"]
    assert n_spans >= 0


def test_spancat_pipeline_predicts_commitments_through_load_model(spancat_model):
    from xxgk.models.registry import load_model
    from xxgk.schema import load_schema
    from xxgk.standoff import check_doc

    model_dir, corpus, docs = spancat_model
    model = load_model(str(model_dir))
    model.nlp.get_pipe("spancat").cfg["threshold"] = 0.0  # every candidate passes: overlaps must be resolved
    preds = list(model.predict((d.doc_id, corpus.text(d.doc_id)) for d in docs[6:]))
    for pred in preds:
        assert check_doc(pred, corpus.text(pred.doc_id), load_schema()) == []
        commitments = [e for e in pred.entities if e.label == "COMMITMENT"]
        assert commitments and all(e.score is not None for e in commitments)
        ordered = sorted((e.start, e.end) for e in pred.entities)
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(ordered))

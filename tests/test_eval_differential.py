"""Differential test: `xxgk eval` against the nervaluate library on random documents.

Documents and predictions are generated (seeded): gold spans that are adjacent or apart, and
predictions made from them by keeping, shifting, shrinking, widening, relabelling, duplicating,
nesting and crossing spans, plus spurious ones; documents with no gold, documents with no
predictions. Every generated set is scored by xxgk's real `run_eval` path (files in, result dict
out) and by nervaluate, and all four modes' precision, recall and F1 must be equal to 1e-9, micro
and per label.

The one deliberate difference (eval/matching.py): nervaluate's result depends on the order of the
predictions, and a prediction that only overlaps a gold span can take it from a later one that
matches it exactly; xxgk gives exact matches their credit first. So nervaluate is handed, per
mode and scope, the predictions that have an exact partner first (the oracle below pairs them
itself, one to one), then the others, each group in text order. `test_plain_order_differs_...`
shows the difference on the issue's minimal case.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest
from nervaluate import Evaluator

from xxgk.eval.api import GoldSpec, run_eval
from xxgk.eval.config import load_config
from xxgk.records import text_sha256

LABELS = ("QUANTITY", "ITEM", "CHANNEL", "DATE")
NERVALUATE_MODE = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}
N_DOCS = 600
ALPHABET = "政府信息公开工作年度报告网站发布条件次微博平台市县区局"

Span = tuple[int, int, str]  # start, end (exclusive), label


def gold_spans(rng: random.Random, length: int) -> list[Span]:
    """Non-overlapping gold spans (gold must be valid), often adjacent."""
    out, pos = [], rng.randrange(0, 4)
    while pos < length - 2 and rng.random() < 0.85:
        size = rng.randrange(1, 7)
        if pos + size > length:
            break
        out.append((pos, pos + size, rng.choice(LABELS)))
        pos += size + rng.choice([0, 0, 1, 2, 5])
    return out


def predictions(rng: random.Random, gold: list[Span], length: int) -> list[Span]:
    def clip(start: int, end: int, label: str) -> Span | None:
        start, end = max(0, start), min(length, end)
        return (start, end, label) if start < end else None

    out: list[Span | None] = []
    for start, end, label in gold:
        op = rng.choice(["keep", "keep", "keep", "drop", "shift", "shrink", "widen", "relabel", "duplicate",
                         "nested", "cross", "keep_and_overlap"])
        other = rng.choice(LABELS)
        if op == "keep":
            out.append((start, end, label))
        elif op == "shift":
            d = rng.choice([-2, -1, 1, 2])
            out.append(clip(start + d, end + d, label))
        elif op == "shrink":
            out.append(clip(start + rng.randrange(0, 2), end - rng.randrange(0, 2), label))
        elif op == "widen":
            out.append(clip(start - rng.randrange(0, 3), end + rng.randrange(0, 3), rng.choice([label, other])))
        elif op == "relabel":
            out.append((start, end, other))
        elif op == "duplicate":
            out += [(start, end, label), (start, end, rng.choice([label, other]))]
        elif op == "nested":
            out += [(start, end, label), clip(start, start + max(1, (end - start) // 2), other)]
        elif op == "cross":
            out.append(clip(start + (end - start) // 2, end + rng.randrange(1, 5), rng.choice([label, other])))
        elif op == "keep_and_overlap":  # the case: an overlapping prediction beside an exact one
            out += [clip(start - rng.randrange(1, 3), start + 1, other), (start, end, label)]
    for _ in range(rng.choice([0, 0, 1, 2])):
        start = rng.randrange(0, length - 1)
        out.append(clip(start, start + rng.randrange(1, 6), rng.choice(LABELS)))
    return [s for s in out if s is not None]


def generate(seed: int) -> list[tuple[str, list[Span], list[Span]]]:
    rng = random.Random(seed)
    docs = []
    for _ in range(N_DOCS):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(20, 60)))
        kind = rng.random()
        gold = [] if kind < 0.08 else gold_spans(rng, len(text))
        pred = [] if 0.08 <= kind < 0.15 else predictions(rng, gold, len(text))
        rng.shuffle(pred)  # file order is arbitrary; scoring must not depend on it
        docs.append((text, gold, pred))
    return docs


def write(tmp_path: Path, docs: list[tuple[str, list[Span], list[Span]]]) -> tuple[Path, Path, Path]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    gold_lines, pred_lines = [], []
    for i, (text, gold, pred) in enumerate(docs):
        doc_id = f"d{i:04d}"
        (corpus / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        for spans, lines in ((gold, gold_lines), (pred, pred_lines)):
            ents = [{"id": f"e{k}", "start": s, "end": e, "label": lab, "text": text[s:e]}
                    for k, (s, e, lab) in enumerate(spans)]
            lines.append(json.dumps({"doc_id": doc_id, "text_sha256": text_sha256(text), "entities": ents,
                                     "relations": []}, ensure_ascii=False))
    gold_path, pred_path = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    gold_path.write_text("\n".join(gold_lines) + "\n", encoding="utf-8")
    pred_path.write_text("\n".join(pred_lines) + "\n", encoding="utf-8")
    return corpus, gold_path, pred_path


def exact_first(gold: list[Span], pred: list[Span], mode: str) -> list[Span]:
    """The predictions that have an exact partner for ``mode`` (paired one to one), then the rest."""
    def key(s: Span) -> tuple:
        return s if mode in ("strict", "type") else s[:2]

    free = Counter(key(g) for g in gold)
    first, rest = [], []
    for p in sorted(pred):
        if free[key(p)]:
            free[key(p)] -= 1
            first.append(p)
        else:
            rest.append(p)
    return first + rest


def nervaluate_figures(docs: list[tuple[str, list[Span], list[Span]]], mode: str, scope: str,
                       *, reorder: bool = True) -> tuple[float, float, float]:
    """nervaluate's precision, recall, F1 for one mode and scope (micro or a label)."""
    def keep(spans: list[Span]) -> list[Span]:
        return sorted(s for s in spans if scope == "micro" or s[2] == scope)

    true, pred = [], []
    for _, gold, predicted in docs:
        g, p = keep(gold), keep(predicted)
        p = exact_first(g, p, mode) if reorder else p
        true.append([{"label": lab, "start": s, "end": e - 1} for s, e, lab in g])  # inclusive ends
        pred.append([{"label": lab, "start": s, "end": e - 1} for s, e, lab in p])
    res = Evaluator(true, pred, tags=list(LABELS), loader="dict").evaluate()
    if scope == "micro":
        fig = res["overall"][NERVALUATE_MODE[mode]]
    else:
        fig = res["entities"].get(scope, {}).get(NERVALUATE_MODE[mode])
        if fig is None:
            return 0.0, 0.0, 0.0
    return fig.precision, fig.recall, fig.f1


@pytest.mark.parametrize("seed", [1, 2])
def test_xxgk_eval_equals_nervaluate_on_random_documents(tmp_path: Path, seed: int) -> None:
    docs = generate(seed)
    corpus, gold, pred = write(tmp_path, docs)
    result = run_eval(GoldSpec(gold, corpus), load_config(), pred=pred)
    assert result["docs"] == N_DOCS
    checked = 0
    for mode in NERVALUATE_MODE:
        ours = result["entities"][mode]
        for scope in ("micro", *LABELS):
            fig = ours["micro"] if scope == "micro" else ours["labels"][scope]
            expected = nervaluate_figures(docs, mode, scope)
            got = (fig["precision"], fig["recall"], fig["f1"])
            assert got == pytest.approx(expected, abs=1e-9, rel=0), (mode, scope, got, expected)
            checked += 1
    assert checked == 4 * (1 + len(LABELS))


def test_generated_documents_cover_the_hard_cases() -> None:
    """The generator really makes the cases the test is about (else it would prove little)."""
    docs = generate(1)
    kinds: Counter[str] = Counter()
    for _, gold, pred in docs:
        kinds["no gold"] += not gold
        kinds["no predictions"] += not pred
        kinds["adjacent gold"] += any(a[1] == b[0] for a, b in pairwise(gold))
        kinds["duplicate"] += len(set(pred)) < len(pred)
        spans = sorted(pred)
        kinds["nested"] += any(a[0] <= b[0] and b[1] <= a[1] and a != b for a in spans for b in spans)
        kinds["crossing"] += any(a[0] < b[0] < a[1] < b[1] for a in spans for b in spans)
        kinds["steal"] += sorted(pred) != exact_first(gold, pred, "strict")
    assert all(kinds[k] >= 20 for k in ("no gold", "no predictions", "adjacent gold", "duplicate", "nested",
                                         "crossing", "steal")), kinds


def test_plain_order_differs_from_nervaluate_only_where_an_exact_match_would_lose(tmp_path: Path) -> None:
    """The issue's minimal case: gold DATE [39, 45); predictions CHANNEL [37, 40) and DATE [39, 45).
    nervaluate, in text order, counts the CHANNEL incorrect and the exact DATE spurious; xxgk
    counts the DATE correct and the CHANNEL spurious."""
    text = "某" * 50
    docs = [(text, [(39, 45, "DATE")], [(37, 40, "CHANNEL"), (39, 45, "DATE")])]
    corpus, gold, pred = write(tmp_path, docs)
    result = run_eval(GoldSpec(gold, corpus), load_config(), pred=pred)
    for mode in ("strict", "exact", "type"):
        micro = result["entities"][mode]["micro"]
        assert (micro["correct"], micro["incorrect"], micro["spurious"], micro["missed"]) == (1, 0, 1, 0), mode
        assert (micro["precision"], micro["recall"]) == (0.5, 1.0)
        assert nervaluate_figures(docs, mode, "micro", reorder=False) == (0.0, 0.0, 0.0)
        assert nervaluate_figures(docs, mode, "micro") == pytest.approx((0.5, 1.0, 2 / 3))
    partial = result["entities"]["partial"]["micro"]
    assert (partial["correct"], partial["partial"], partial["spurious"]) == (1, 0, 1)

"""Builders shared by the eval tests: tiny corpora and documents written by hand.

Entities are given as ``(label, needle)`` or ``(label, needle, occurrence)``: the span is the
n-th occurrence of ``needle`` in the text, so offsets never have to be counted by hand.
"""

from __future__ import annotations

from pathlib import Path

from xxgk.corpus import Corpus
from xxgk.eval.config import EvalConfig, load_config
from xxgk.records import AnnotatedDoc, Entity, Relation, text_sha256
from xxgk.standoff import write_docs

TEXTS = {
    "d1": "2020年，本局通过政府网站发布信息120条，通过微博发布信息30条。",
    "d2": "局长张三任领导小组组长，副局长李四任副组长。",
    "d3": "下一步，我局将进一步加强信息公开工作，2021年完善公开目录。",
    "d4": "",
}


def at(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def doc(doc_id: str, text: str, ents: list[tuple], rels: list[tuple[int, str, int]] = (),
        sha: str | None = None) -> AnnotatedDoc:
    """Entities ``e0, e1, …`` in the order given; relations as ``(head index, label, tail index)``."""
    entities = []
    for i, (label, needle, *nth) in enumerate(ents):
        start, end = at(text, needle, *nth)
        entities.append(Entity(f"e{i}", start, end, label, text[start:end]))
    relations = [Relation(f"e{h}", f"e{t}", label) for h, label, t in rels]
    return AnnotatedDoc(doc_id, sha or text_sha256(text), entities, relations)


def write_corpus(root: Path, texts: dict[str, str] = TEXTS) -> Corpus:
    folder = root / "corpus"
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id, text in texts.items():
        (folder / f"{doc_id}.txt").write_bytes(text.encode("utf-8"))
    return Corpus(folder)


def write_jsonl(path: Path, docs: list[AnnotatedDoc]) -> Path:
    write_docs(docs, path)
    return path


def gold_docs() -> list[AnnotatedDoc]:
    """Hand-annotated gold for :data:`TEXTS`."""
    d1, d2, d3 = TEXTS["d1"], TEXTS["d2"], TEXTS["d3"]
    return [
        doc("d1", d1, [("DATE", "2020年"), ("CHANNEL", "政府网站"), ("ITEM", "信息"), ("QUANTITY", "120条"),
                       ("CHANNEL", "微博"), ("ITEM", "信息", 2), ("QUANTITY", "30条")],
            [(3, "COUNT_OF", 2), (3, "VIA", 1), (6, "COUNT_OF", 5), (6, "VIA", 4)]),
        doc("d2", d2, [("POSITION", "局长"), ("PERSON", "张三"), ("ORG", "领导小组"), ("POSITION", "组长"),
                       ("POSITION", "副局长"), ("PERSON", "李四"), ("POSITION", "副组长")],
            [(1, "HOLDS", 0), (1, "HOLDS", 3), (3, "POST_IN", 2), (5, "HOLDS", 4), (5, "HOLDS", 6)]),
        doc("d3", d3, [("COMMITMENT", "进一步加强信息公开工作"), ("DATE", "2021年"),
                       ("COMMITMENT", "完善公开目录")], [(2, "DUE", 1)]),
        doc("d4", TEXTS["d4"], []),
    ]


def config(**changes: object) -> EvalConfig:
    """The shipped tunables, with some changed."""
    from dataclasses import replace

    return replace(load_config(), **changes)


def test_gold_fixture_is_valid(tmp_path: Path) -> None:
    from xxgk.standoff import validate

    corpus = write_corpus(tmp_path)
    _, problems = validate(write_jsonl(tmp_path / "gold.jsonl", gold_docs()), corpus)
    assert problems == []

"""Inputs of a scoring run: gold documents (optionally one split), predictions, and their pairing.

Gold must be valid in every respect. Predictions may break the annotation rules in ways that are
simply errors to score (overlapping or duplicate spans, spans starting on punctuation, duplicate
or wrongly typed relations), but nothing that makes them unscorable: text of another version,
offsets or slices that do not fit the text, unknown labels, relations naming unknown entities.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from xxgk.corpus import Corpus
from xxgk.errors import InputError
from xxgk.records import AnnotatedDoc
from xxgk.schema import Schema, load_schema
from xxgk.standoff import Problem, StandoffError, check_doc, load_docs, validate

#: Validation problems a prediction may have and still be scored.
TOLERATED_IN_PREDICTIONS = frozenset({"overlap", "edge", "duplicate-relation", "relation-args"})


#: The split scored only in aggregate: nobody reads its per-document scores or errors.
SEALED = "sealed"


class EvalInputError(InputError):
    """The inputs cannot be scored together; the message says which documents and why."""


def is_sealed(split: str | None) -> bool:
    """Does the split (or a ``+`` join of splits) include the sealed one?"""
    return split is not None and SEALED in split.split("+")


@dataclass(frozen=True)
class DocPair:
    """One gold document and a system's output for it.

    ``relations_on_gold`` holds the relations the system predicted when handed the gold
    entities (None when it was not asked or cannot do it).
    """

    gold: AnnotatedDoc
    pred: AnnotatedDoc
    relations_on_gold: AnnotatedDoc | None = None


@dataclass(frozen=True)
class Gold:
    """The gold documents to score, and the ids of the gold documents the split left out
    (predictions for those are dropped quietly: they are known documents, just not scored now)."""

    docs: list[AnnotatedDoc]
    outside_split: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Pairing:
    pairs: list[DocPair]
    missing: list[str] = field(default_factory=list)  # gold documents with no prediction (scored as empty)
    ignored: list[str] = field(default_factory=list)  # predicted documents not in gold, skipped

    def notes(self) -> dict[str, list[str]]:
        return {"missing_predictions": self.missing, "ignored_unknown": self.ignored}


def read_split(splits_path: Path, split: str) -> list[str]:
    """Doc ids of one split of a ``{"train": [...], "dev": [...], "test": [...]}`` file, or of
    several joined by ``+`` (``train+dev``: what cross-validation predicts)."""
    try:
        splits = json.loads(Path(splits_path).read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise EvalInputError(f"splits file not found: {splits_path}") from err
    except json.JSONDecodeError as err:
        raise EvalInputError(f"{splits_path}: invalid JSON ({err.msg})") from err
    names = split.split("+")
    for name in names:
        if name not in splits:
            raise EvalInputError(f"{splits_path}: no split {name!r} (has {', '.join(sorted(splits))})")
    return [doc_id for name in names for doc_id in splits[name]]


def select(docs: Sequence[AnnotatedDoc], doc_ids: Iterable[str], what: str) -> list[AnnotatedDoc]:
    """The documents with these ids, in id order; every id must be there."""
    by_id = {d.doc_id: d for d in docs}
    wanted = sorted(set(doc_ids))
    absent = [i for i in wanted if i not in by_id]
    if absent:
        raise EvalInputError(f"{len(absent)} document(s) of {what} not in gold: {', '.join(absent)}")
    return [by_id[i] for i in wanted]


def load_gold(path: Path, corpus: Corpus, *, split: str | None = None, splits_path: Path | None = None,
              schema: Schema | None = None) -> Gold:
    """Validated gold documents (raises :class:`StandoffError` on any problem), one split if asked."""
    every = load_docs(path, corpus, schema)
    if split is None:
        docs = sorted(every, key=lambda d: d.doc_id)
    elif splits_path is None:
        raise EvalInputError("a split was asked for but no splits file given")
    else:
        docs = select(every, read_split(splits_path, split), f"split {split!r}")
    if not docs:
        raise EvalInputError(f"no gold documents to score in {path}")
    chosen = {d.doc_id for d in docs}
    return Gold(docs, frozenset(d.doc_id for d in every if d.doc_id not in chosen))


def _fatal(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.kind not in TOLERATED_IN_PREDICTIONS]


def _different_texts(doc_ids: Iterable[str]) -> EvalInputError:
    ids = sorted(set(doc_ids))
    return EvalInputError(
        f"gold and predictions are over different texts (text_sha256 differs) for {len(ids)} document(s): "
        + ", ".join(ids)
    )


def _raise_on(problems: list[Problem]) -> None:
    """Stop on unscorable predictions; a text mismatch gets its own message, naming the documents."""
    other_text = [p.doc_id for p in problems if p.kind == "hash"]
    if other_text:
        raise _different_texts(other_text)
    if problems:
        raise StandoffError(problems)


def load_predictions(path: Path, corpus: Corpus, gold: Gold, *, ignore_unknown: bool = False,
                     schema: Schema | None = None) -> Pairing:
    """Read predictions from JSONL and pair them with the gold documents; an empty file (no
    record at all) is refused: scoring it would print a report of zeros for a mistake."""
    docs, problems = validate(path, corpus, schema)
    if not docs and not problems:
        raise EvalInputError(f"{path}: no predictions in it (an empty file?)")
    gold_ids = {g.doc_id for g in gold.docs}
    known = gold_ids | gold.outside_split
    unknown = sorted({p.doc_id for p in problems if p.doc_id and p.doc_id not in known}
                     | {d.doc_id for d in docs if d.doc_id not in known})
    if unknown and not ignore_unknown:
        raise EvalInputError(
            f"{path}: predictions for {len(unknown)} document(s) not in the gold set: {', '.join(unknown)} "
            "(pass --ignore-unknown to skip them)"
        )
    _raise_on([p for p in _fatal(problems) if not p.doc_id or p.doc_id in gold_ids])
    pairing = pair_docs(gold.docs, [d for d in docs if d.doc_id in gold_ids])
    return Pairing(pairing.pairs, pairing.missing, unknown)


def check_predictions(docs: Iterable[AnnotatedDoc], corpus: Corpus, schema: Schema | None = None) -> None:
    """Apply the rules of :func:`load_predictions` to predictions made in memory (by a model)."""
    schema = schema or load_schema()
    problems = []
    for doc in docs:
        found = check_doc(doc, corpus.text(doc.doc_id), schema)
        problems += [Problem(kind, msg, doc_id=doc.doc_id) for kind, msg in found]
    _raise_on(_fatal(problems))


def pair_docs(gold: Sequence[AnnotatedDoc], pred: Iterable[AnnotatedDoc],
              relations_on_gold: Iterable[AnnotatedDoc] | None = None) -> Pairing:
    """Pair each gold document with its prediction (an empty one when there is none).

    Every prediction must be for a gold document and over the same text.
    """
    by_id = {g.doc_id: g for g in gold}
    preds: dict[str, AnnotatedDoc] = {}
    for doc in pred:
        if doc.doc_id not in by_id:
            raise EvalInputError(f"prediction for document {doc.doc_id!r}, which is not in the gold set")
        if doc.doc_id in preds:
            raise EvalInputError(f"two predictions for document {doc.doc_id!r}")
        preds[doc.doc_id] = doc
    on_gold = {d.doc_id: d for d in relations_on_gold} if relations_on_gold is not None else None
    if on_gold is not None and set(on_gold) != set(by_id):
        raise EvalInputError("relations predicted on gold entities must cover exactly the gold documents")
    mismatched = [d.doc_id for d in [*preds.values(), *(on_gold or {}).values()]
                  if d.text_sha256 != by_id[d.doc_id].text_sha256]
    if mismatched:
        raise _different_texts(mismatched)
    pairs = [
        DocPair(g, preds.get(g.doc_id) or AnnotatedDoc(g.doc_id, g.text_sha256),
                on_gold.get(g.doc_id) if on_gold is not None else None)
        for g in gold
    ]
    return Pairing(pairs, missing=[g.doc_id for g in gold if g.doc_id not in preds])

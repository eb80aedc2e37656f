"""Stand-off records ⇄ spaCy Docs (char tokens), and DocBins for ``spacy train``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin

from xxgk.corpus import Corpus
from xxgk.records import AnnotatedDoc


def paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each non-blank line: the unit NER trains and predicts on."""
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            yield start, end
        start = end + 1


def training_docs(
    nlp: Language, doc: AnnotatedDoc, text: str, *, misaligned: str = "error", dropped: Counter | None = None
) -> Iterator[Doc]:
    """One spaCy Doc per paragraph, with the gold entities that fall inside it.

    A gold entity whose boundaries are not token boundaries raises (``misaligned="error"``) or,
    with ``misaligned="skip"``, is left out and its tokens are marked missing (neither entity nor
    O, as spaCy's own alignment treats it); ``dropped`` then counts the skipped ones per label.
    """
    if misaligned not in ("error", "skip"):
        raise ValueError(f"misaligned must be 'error' or 'skip', not {misaligned!r}")
    ents = sorted(doc.entities, key=lambda e: e.start)
    for start, end in paragraphs(text):
        sdoc = nlp.make_doc(text[start:end])
        spans, skipped = [], []
        for e in ents:
            if start <= e.start and e.end <= end:
                span = sdoc.char_span(e.start - start, e.end - start, label=e.label)
                if span is None:
                    if misaligned == "error":
                        raise ValueError(f"{doc.doc_id}: entity {e.id} [{e.start}:{e.end}] does not align to tokens")
                    skipped.append(sdoc.char_span(e.start - start, e.end - start, alignment_mode="expand"))
                    if dropped is not None:
                        dropped[e.label] += 1
                    continue
                spans.append(span)
            elif e.start < end and e.end > start:
                raise ValueError(f"{doc.doc_id}: entity {e.id} crosses a line break")
        if skipped:
            kept = {i for s in spans for i in range(s.start, s.end)}
            unknown = sorted({i for s in skipped if s is not None for i in range(s.start, s.end)} - kept)
            sdoc.set_ents(spans, missing=[sdoc[i : i + 1] for i in unknown], default="outside")
        else:
            sdoc.ents = spans
        yield sdoc


def write_docbin(
    nlp: Language, docs: Iterable[AnnotatedDoc], corpus: Corpus, path: Path, *,
    misaligned: str = "error", dropped: Counter | None = None,
) -> int:
    """Write a DocBin of paragraph Docs; return how many Docs it holds (see ``training_docs``)."""
    bin_ = DocBin(store_user_data=False)
    for doc in docs:
        for sdoc in training_docs(nlp, doc, corpus.text(doc.doc_id), misaligned=misaligned, dropped=dropped):
            bin_.add(sdoc)
    path.parent.mkdir(parents=True, exist_ok=True)
    bin_.to_disk(path)
    return len(bin_)

"""Stand-off records ⇄ spaCy Docs (char tokens), and DocBins for ``spacy train``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin
from thinc.api import Config

from xxgk.corpus import Corpus
from xxgk.extract.sections import split_sections
from xxgk.records import AnnotatedDoc

UNITS = ("document", "paragraph", "prose")
SPANS_KEY = "sc"


def paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each non-blank line."""
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            yield start, end
        start = end + 1


def prose_stretches(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of blocks between table blocks (section splitter), blank ones left out."""
    start = None
    for block in [*split_sections(text), None]:
        if block is not None and block.kind != "table":
            start = block.start if start is None else start
            end = block.end
            continue
        if start is not None and text[start:end].strip():
            yield start, end
        start = None


def training_unit(config: Config) -> str:
    """The ``[xxgk] unit`` of a pipeline config: what NER trains and predicts on."""
    return config.get("xxgk", {}).get("unit", "paragraph")


def span_labels(config: Config) -> tuple[str, ...]:
    """The ``[xxgk] span_labels`` of a pipeline config: labels a spancat predicts instead of NER."""
    return tuple(config.get("xxgk", {}).get("span_labels", ()))


def units(text: str, unit: str) -> Iterator[tuple[int, int]]:
    """The pieces NER trains and predicts on: the whole document, each paragraph, or each stretch
    of prose between the statistical tables.

    A whole document lets context reach across lines (the improvement section's heading, the
    lead-in of a list), which COMMITMENT needs; prose stretches keep that context and leave out
    the tables, which the schema does not annotate and the table reader reads (a complete report
    is up to half table: not reading it saves the time). The ``[xxgk] unit`` of the config decides.
    """
    if unit == "document":
        if text.strip():
            yield 0, len(text)
    elif unit == "paragraph":
        yield from paragraphs(text)
    elif unit == "prose":
        yield from prose_stretches(text)
    else:
        raise ValueError(f"unit must be one of {UNITS}, not {unit!r}")


def training_docs(
    nlp: Language, doc: AnnotatedDoc, text: str, *, unit: str = "document", misaligned: str = "error",
    dropped: Counter | None = None, span_labels: tuple[str, ...] = (),
) -> Iterator[Doc]:
    """One spaCy Doc per unit (see :func:`units`), with the gold entities that fall inside it.

    Entities whose label is in ``span_labels`` go to ``doc.spans["sc"]`` (for a spancat
    component) instead of ``doc.ents``; the default keeps every label in ``doc.ents``.

    A gold entity whose boundaries are not token boundaries raises (``misaligned="error"``) or,
    with ``misaligned="skip"``, is left out and its tokens are marked missing (neither entity nor
    O, as spaCy's own alignment treats it); ``dropped`` then counts the skipped ones per label.
    """
    if misaligned not in ("error", "skip"):
        raise ValueError(f"misaligned must be 'error' or 'skip', not {misaligned!r}")
    ents = sorted(doc.entities, key=lambda e: e.start)
    for start, end in units(text, unit):
        sdoc = nlp.make_doc(text[start:end])
        spans, skipped, grouped = [], [], []
        for e in ents:
            if start <= e.start and e.end <= end:
                span = sdoc.char_span(e.start - start, e.end - start, label=e.label)
                if span is None:
                    if misaligned == "error":
                        raise ValueError(f"{doc.doc_id}: entity {e.id} [{e.start}:{e.end}] does not align to tokens")
                    if e.label not in span_labels:
                        skipped.append(sdoc.char_span(e.start - start, e.end - start, alignment_mode="expand"))
                    if dropped is not None:
                        dropped[e.label] += 1
                    continue
                (grouped if e.label in span_labels else spans).append(span)
            elif e.start < end and e.end > start:
                raise ValueError(f"{doc.doc_id}: entity {e.id} crosses a {unit} boundary")
        if skipped:
            kept = {i for s in spans for i in range(s.start, s.end)}
            unknown = sorted({i for s in skipped if s is not None for i in range(s.start, s.end)} - kept)
            sdoc.set_ents(spans, missing=[sdoc[i : i + 1] for i in unknown], default="outside")
        else:
            sdoc.ents = spans
        if span_labels:
            sdoc.spans[SPANS_KEY] = grouped
        yield sdoc


def write_docbin(
    nlp: Language, docs: Iterable[AnnotatedDoc], corpus: Corpus, path: Path, *,
    unit: str = "document", misaligned: str = "error", dropped: Counter | None = None,
    span_labels: tuple[str, ...] = (),
) -> int:
    """Write a DocBin of one Doc per unit; return how many Docs it holds (see ``training_docs``)."""
    bin_ = DocBin(store_user_data=False)
    for doc in docs:
        text = corpus.text(doc.doc_id)
        for sdoc in training_docs(nlp, doc, text, unit=unit, misaligned=misaligned, dropped=dropped,
                                  span_labels=span_labels):
            bin_.add(sdoc)
    path.parent.mkdir(parents=True, exist_ok=True)
    bin_.to_disk(path)
    return len(bin_)

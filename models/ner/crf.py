"""The ``xxgk_crf_ner`` spaCy component: a character CRF for the short entities, a clause CRF for
COMMITMENT.

Two linear-chain CRFs (python-crfsuite) read a text: one tags each character B-/I-label or O
from the features of :mod:`xxgk.models.ner.features` (every label but COMMITMENT), the other
tags each clause as a commitment or not (:mod:`xxgk.models.ner.commitments`). Commitments win over
the short entities they contain (the schema's "no nesting, the longer span wins"). Both model
files live in the component's folder, so a pipeline is still one ``spacy.load``-able directory.

Registered as a spaCy factory through the ``spacy_factories`` entry point.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pycrfsuite
import srsly
from spacy.language import Language
from spacy.tokens import Doc

from xxgk.models.ner.commitments import CommitmentTagger
from xxgk.models.ner.features import rule_entities, text_features
from xxgk.models.ner.simplified import without_lookalikes

COMMITMENT = "COMMITMENT"
_EDGE = " \t\u3000，。；：！？、,.;:!?（）()"
_CHAR_MODEL, _CLAUSE_MODEL, _CFG = "chars.crfsuite", "clauses.crfsuite", "cfg.json"


def bio_tags(length: int, spans: Iterable[tuple[int, int, str]]) -> list[str]:
    """B-/I-label or O for each of ``length`` characters."""
    tags = ["O"] * length
    for start, end, label in spans:
        tags[start] = f"B-{label}"
        tags[start + 1:end] = [f"I-{label}"] * (end - start - 1)
    return tags


def bio_spans(tags: Sequence[str], text: str) -> list[tuple[int, int, str]]:
    """The spans of a B-/I- tag sequence (an I- after O or another label starts a span), with
    edge whitespace and punctuation trimmed (a span never starts or ends on them)."""
    spans: list[list[Any]] = []
    for i, tag in enumerate(tags):
        if tag == "O":
            continue
        label = tag[2:]
        if tag.startswith("I-") and spans and spans[-1][1] == i and spans[-1][2] == label:
            spans[-1][1] = i + 1
        else:
            spans.append([i, i + 1, label])
    out = []
    for start, end, label in spans:
        while start < end and text[start] in _EDGE:
            start += 1
        while end > start and text[end - 1] in _EDGE:
            end -= 1
        if end > start:
            out.append((start, end, label))
    return out


def _rule_commitments(text: str) -> tuple[tuple[int, int], ...]:
    return tuple((s.start, s.end) for s in rule_entities(text) if s.label == COMMITMENT)


class CrfNer:
    """Tag texts with the two CRFs; ``fit`` trains both from ``(text, spans)`` examples."""

    def __init__(self, features: Sequence[str], crf: dict[str, float], commitment_votes: bool):
        self.features = tuple(features)
        self.crf = dict(crf)
        self.commitment_votes = commitment_votes
        self.chars: pycrfsuite.Tagger | None = None
        self.clauses = CommitmentTagger()
        self.folder: Path | None = None

    def _votes(self, text: str) -> tuple[tuple[int, int], ...]:
        return _rule_commitments(text) if self.commitment_votes else ()

    def fit(self, examples: Sequence[tuple[str, Sequence[tuple[int, int, str]]]], folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        trainer = pycrfsuite.Trainer(verbose=False)
        for text, spans in examples:
            if text:
                short = [s for s in spans if s[2] != COMMITMENT]
                trainer.append(text_features(text, self.features), bio_tags(len(text), short))
        trainer.set_params({**self.crf, "feature.possible_transitions": True})
        trainer.train(str(folder / _CHAR_MODEL))
        commitments = [(read, [(s, e) for s, e, label in spans if label == COMMITMENT], self._votes(read))
                       for read, spans in ((without_lookalikes(text), spans) for text, spans in examples)]
        self.clauses.fit(commitments, folder / _CLAUSE_MODEL)
        self._open(folder)

    def _open(self, folder: Path) -> None:
        self.chars = pycrfsuite.Tagger()
        self.chars.open(str(folder / _CHAR_MODEL))
        self.clauses.open(folder / _CLAUSE_MODEL)
        self.folder = folder

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping entity spans of ``text``, sorted."""
        if self.chars is None:
            raise RuntimeError("the CRF NER has no model")
        if not text.strip():
            return []
        read = without_lookalikes(text)  # the same offsets; clause cues and rule votes see 一 for ⼀
        commitments = [(s, e, COMMITMENT) for s, e in self.clauses.spans(read, self._votes(read))]
        short = bio_spans(self.chars.tag(text_features(text, self.features)), text)
        kept = [s for s in short if not any(s[0] < e and c < s[1] for c, e, _ in commitments)]
        return sorted(kept + commitments)

    def to_disk(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        if self.folder is not None and self.folder.resolve() != path.resolve():
            for name in (_CHAR_MODEL, _CLAUSE_MODEL):
                shutil.copyfile(self.folder / name, path / name)
        srsly.write_json(path / _CFG, {"features": list(self.features), "crf": self.crf,
                                       "commitment_votes": self.commitment_votes})

    def from_disk(self, path: Path) -> CrfNer:
        self._open(path)
        return self


class CrfNerComponent:
    """Sets ``doc.ents`` from :class:`CrfNer` (the Doc's tokens are characters)."""

    def __init__(self, nlp: Language, name: str, features: list[str], crf: dict[str, float],
                 commitment_votes: bool):
        self.name = name
        self.model = CrfNer(features, crf, commitment_votes)
        self._scratch: tempfile.TemporaryDirectory[str] | None = None

    def __call__(self, doc: Doc) -> Doc:
        ents = []
        for start, end, label in self.model.spans(doc.text):
            span = doc.char_span(start, end, label=label, alignment_mode="expand")
            if span is not None and (not ents or span.start >= ents[-1].end):
                ents.append(span)
        doc.ents = ents
        return doc

    def fit(self, examples: Sequence[tuple[str, Sequence[tuple[int, int, str]]]]) -> None:
        """Train into a scratch folder; ``to_disk`` copies the model files where the pipeline goes."""
        self._scratch = tempfile.TemporaryDirectory(prefix="xxgk-crf-")
        self.model.fit(examples, Path(self._scratch.name))

    def to_disk(self, path: str | Path, *, exclude: tuple = ()) -> None:
        self.model.to_disk(Path(path))

    def from_disk(self, path: str | Path, *, exclude: tuple = ()) -> CrfNerComponent:
        self.model.from_disk(Path(path))
        return self


@Language.factory(
    "xxgk_crf_ner",
    default_config={"features": ["chars", "lexicon", "rules"], "crf": {"c1": 0.05, "c2": 0.01, "max_iterations": 150},
                    "commitment_votes": True},
)
def make_crf_ner(nlp: Language, name: str, features: list[str], crf: dict[str, float],
                 commitment_votes: bool) -> CrfNerComponent:
    return CrfNerComponent(nlp, name, features, crf, commitment_votes)


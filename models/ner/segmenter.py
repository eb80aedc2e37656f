"""A domain word segmenter for spaCy's ``pkuseg`` Chinese tokenizer, trained here, offline.

spacy-pkuseg ships no weights (its pretrained models are download-only), so the model is trained
with ``spacy_pkuseg.train`` on data produced here: the texts of the **train split** (plus the
marked synthetic texts) segmented by jieba, with a word break forced at every gold entity
boundary so that the gold spans stay token boundaries. Dev and test texts must never be passed.

jieba is a dev-time tool only (the ``seg`` extra); a pipeline that carries the trained pkuseg
model needs only spacy-pkuseg at run time.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import pairwise
from pathlib import Path

from spacy.language import Language

from xxgk.models.ner.docs import paragraphs, training_docs
from xxgk.records import AnnotatedDoc

Cut = Callable[[str], Iterable[str]]


def jieba_cut() -> Cut:
    """jieba's precise mode (its bundled dictionary, no HMM for unseen words)."""
    try:
        import jieba
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError('jieba is needed to make segmentation data: pip install "xxgk[seg]"') from err
    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    return lambda text: tokenizer.cut(text, HMM=False)


def segment(text: str, breaks: Iterable[int], cut: Cut) -> list[str]:
    """Words of ``text``: ``cut``'s words, split again at every offset in ``breaks``; no whitespace.

    Whitespace is dropped (pkuseg's training format separates words by spaces, and its ``cut``
    splits on whitespace anyway).
    """
    forced = {b for b in breaks if 0 < b < len(text)}
    words: list[str] = []
    pos = 0
    for word in cut(text):
        if not word:
            continue
        end = pos + len(word)
        if text[pos:end] != word:
            raise ValueError(f"segmenter changed the text at {pos}: {word!r}")
        cuts = [pos, *sorted(b for b in forced if pos < b < end), end]
        for a, b in pairwise(cuts):
            words.extend(text[a:b].split())
        pos = end
    if pos != len(text):
        raise ValueError("segmenter dropped text")
    return words


def training_lines(docs: Iterable[AnnotatedDoc], text_of: Callable[[str], str], cut: Cut) -> Iterator[str]:
    """pkuseg training lines (words joined by spaces), one per non-blank paragraph of each doc.

    Gold entity starts and ends are forced word breaks. Pass train-split documents only.
    """
    for doc in docs:
        text = text_of(doc.doc_id)
        bounds = sorted({e.start for e in doc.entities} | {e.end for e in doc.entities})
        for start, end in paragraphs(text):
            local = [b - start for b in bounds if start < b < end]
            words = segment(text[start:end], local, cut)
            if words:
                yield " ".join(words)


def train_segmenter(lines: list[str], out_dir: Path, *, iterations: int = 5, holdout_every: int = 0) -> dict:
    """Train a pkuseg model on ``lines`` and save it in ``out_dir`` (loadable as ``pkuseg_model``).

    ``holdout_every = n > 0`` keeps every n-th line out of training as pkuseg's test file (its
    per-iteration F1 against the jieba + forced-break reference); with 0 the test file is a
    sample of the training lines (pkuseg requires one), so its score is a training score.
    Returns the line counts, the seconds taken and pkuseg's last reported test score line.
    """
    import spacy_pkuseg

    if not lines:
        raise ValueError("no training lines")
    if holdout_every > 0:
        train = [x for i, x in enumerate(lines) if i % holdout_every]
        test = [x for i, x in enumerate(lines) if not i % holdout_every]
    else:
        train, test = lines, lines[:: max(1, len(lines) // 200)]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xxgk-pkuseg-") as tmp:
        train_file, test_file = Path(tmp) / "train.txt", Path(tmp) / "test.txt"
        train_file.write_text("\n".join(train) + "\n", encoding="utf-8")
        test_file.write_text("\n".join(test) + "\n", encoding="utf-8")
        log = io.StringIO()
        started = time.perf_counter()
        with contextlib.redirect_stdout(log):
            spacy_pkuseg.train(str(train_file), str(test_file), str(out_dir), train_iter=iterations)
        seconds = time.perf_counter() - started
    scores = [x for x in log.getvalue().splitlines() if "f-score" in x.lower() or "f1" in x.lower()]
    return {"train_lines": len(train), "test_lines": len(test), "iterations": iterations,
            "seconds": round(seconds, 1), "last_score": scores[-1].strip() if scores else None}


def pkuseg_nlp(model_dir: Path, user_dict: str | None = "default") -> Language:
    """A blank Chinese pipeline whose tokenizer is the pkuseg model in ``model_dir``."""
    import spacy

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
    nlp.tokenizer.initialize(pkuseg_model=str(model_dir), pkuseg_user_dict=user_dict)
    return nlp


def misaligned_spans(
    nlp: Language, docs: Iterable[AnnotatedDoc], text_of: Callable[[str], str], *, unit: str = "document"
) -> Counter:
    """Gold entities per label whose boundaries are not token boundaries under ``nlp``'s tokenizer
    (each ``unit`` of text tokenized on its own, as in training)."""
    dropped: Counter = Counter()
    for doc in docs:
        for _ in training_docs(nlp, doc, text_of(doc.doc_id), unit=unit, misaligned="skip", dropped=dropped):
            pass
    return dropped

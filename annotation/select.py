"""Which documents to annotate next: the ones the model is least sure about, or a seeded random draw.

Uncertainty is the **mean score** of a document's scored predictions (entities, and relations,
whose classifier gives probabilities even when the NER does not), lowest first. Why the mean:

- a report holds tens to hundreds of predicted spans, so nearly every report has *some* span with
  a low score; the minimum therefore barely separates documents and follows single outliers;
- a sum (or a count of unsure spans) ranks long reports first whatever the model knows, while
  annotators pay per document read; the mean is length-normalised (as MNLP in Shen et al. 2017);
- the margin between the two best labels needs per-label probabilities, which the pipelines'
  outputs do not carry: only the chosen label's score.

The random draw (same pool, seeded) is the control arm: a learning curve of uncertain-picked
against random-picked documents is what shows whether the selection pays for itself.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from statistics import fmean

from xxgk.records import AnnotatedDoc

STRATEGIES = ("uncertain", "random")


def confidence(doc: AnnotatedDoc) -> float | None:
    """Mean score of the document's scored entities and relations; None when nothing is scored."""
    scores = [x.score for x in (*doc.entities, *doc.relations) if x.score is not None]
    return fmean(scores) if scores else None


def most_uncertain(predictions: Iterable[AnnotatedDoc], n: int) -> list[str]:
    """The ``n`` doc ids of lowest :func:`confidence` (ties by doc id).

    Documents with no scored prediction cannot be ranked and come last; a model that scores
    nothing at all raises ValueError (use a random draw instead).
    """
    ranked = [(confidence(doc), doc.doc_id) for doc in predictions]
    if ranked and all(conf is None for conf, _ in ranked):
        raise ValueError("the model gives no scores: rank by uncertainty is impossible; use --select random")
    ranked.sort(key=lambda pair: (pair[0] is None, pair[0] or 0.0, pair[1]))
    return [doc_id for _, doc_id in ranked[:n]]


def random_docs(doc_ids: Sequence[str], n: int, seed: int) -> list[str]:
    """``n`` doc ids drawn without replacement; the same pool and seed give the same draw."""
    pool = sorted(doc_ids)
    return sorted(random.Random(seed).sample(pool, min(n, len(pool))))

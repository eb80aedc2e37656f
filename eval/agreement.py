"""Inter-annotator agreement: the scorer run on two annotation passes of the same documents.

Pass 1 plays gold and pass 2 prediction; strict F1 is symmetric (swapping the passes swaps
precision and recall), so it reads as agreement. Only documents in both passes are compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xxgk.corpus import Corpus
from xxgk.eval.bootstrap import resample_weights
from xxgk.eval.config import EvalConfig
from xxgk.eval.data import EvalInputError, pair_docs
from xxgk.eval.scoring import score
from xxgk.eval.summary import bootstrap_info, summarise_tally
from xxgk.records import AnnotatedDoc


def agreement(pass1: Sequence[AnnotatedDoc], pass2: Sequence[AnnotatedDoc], corpus: Corpus,
              config: EvalConfig) -> dict[str, Any]:
    """Strict entity and relation agreement per label, with bootstrap intervals."""
    ids1, ids2 = {d.doc_id for d in pass1}, {d.doc_id for d in pass2}
    common = sorted(ids1 & ids2)
    if not common:
        raise EvalInputError("the two passes have no document in common")
    gold = sorted((d for d in pass1 if d.doc_id in ids2), key=lambda d: d.doc_id)
    scores = score(pair_docs(gold, [d for d in pass2 if d.doc_id in ids1]).pairs, corpus, config)
    weights = resample_weights(len(common), config.resamples, config.seed)
    return {
        "docs": len(common),
        "doc_ids": common,
        "only_in_pass1": sorted(ids1 - ids2),
        "only_in_pass2": sorted(ids2 - ids1),
        "entities": summarise_tally(scores.entities, weights, config.level)["strict"],
        "relations": summarise_tally(scores.relations, weights, config.level)["strict"],
        "bootstrap": bootstrap_info(config),
    }

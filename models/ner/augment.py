"""Entity-substitution augmentation for the open classes (training data only).

The open classes — names of channels, bodies, counted items, people — are where a model trained
on a few hundred reports meets words it has never seen. A copy of each training unit with every
mention of those labels replaced by another mention of the same label from the training data
(the context kept, offsets recomputed) shows the model the same contexts with other names, so it
leans on the context more and on memorised names less. Only ever applied to the training split.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

Example = tuple[str, list[tuple[int, int, str]]]


def substituted(examples: Sequence[Example], labels: Sequence[str], copies: int, seed: int) -> list[Example]:
    """``copies`` new examples per example holding one of ``labels``, each mention of those labels
    replaced by a random mention of the same label from ``examples`` (seeded)."""
    rng = random.Random(seed)
    pool: dict[str, list[str]] = {}
    for text, spans in examples:
        for start, end, label in spans:
            if label in labels:
                pool.setdefault(label, []).append(text[start:end])
    out: list[Example] = []
    for _ in range(copies):
        for text, spans in examples:
            if not any(label in labels for _, _, label in spans):
                continue
            pieces, new_spans, pos, length = [], [], 0, 0
            for start, end, label in sorted(spans):
                pieces.append(text[pos:start])
                length += start - pos
                word = rng.choice(pool[label]) if label in labels else text[start:end]
                pieces.append(word)
                new_spans.append((length, length + len(word), label))
                length += len(word)
                pos = end
            pieces.append(text[pos:])
            out.append(("".join(pieces), new_spans))
    return out

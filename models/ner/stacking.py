"""Stacking: the rules baseline's entity tags as an extra input embedding of the NER's tok2vec.

With ~100 annotated reports the network cannot rediscover everything the hand-written rules
know (units, date shapes, post gazetteers), and the rules cannot learn from data. Feeding each
character's rule tag (B-/I-label or O) into the embedding lets the trained model keep what the
rules get right and learn where they fail. The rules run on the text of each Doc (a paragraph
at training and prediction time alike), so training and inference see the same features.

Registered as a spaCy architecture through the ``spacy_architectures`` entry point, so a saved
pipeline loads with ``spacy.load`` alone.
"""

from __future__ import annotations

from functools import cache, lru_cache

import numpy as np
from spacy.attrs import IDX
from spacy.ml.models.tok2vec import MultiHashEmbed
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Embed, Maxout, Model, chain, concatenate, with_array
from thinc.types import Floats2d, Ints1d

from xxgk.schema import load_schema


@cache
def _rules():
    from xxgk.models.rules import RulesModel

    return RulesModel()


def n_tags() -> int:
    """O, then B- and I- for every schema entity label."""
    return 1 + 2 * len(load_schema().entity_labels)


# Training sees each document once per epoch: cache the tags of recent texts (one byte per
# character, so the cache stays a few MB; batch extraction streams and rarely hits it).
@lru_cache(maxsize=1024)
def char_tags(text: str) -> np.ndarray:
    """One tag id per character of ``text`` from the rules' entities (read-only array)."""
    index = {label: i for i, label in enumerate(load_schema().entity_labels)}
    tags = np.zeros(len(text), dtype="uint8")
    for span in _rules().entities(text):
        base = 1 + 2 * index[span.label]
        tags[span.start] = base
        tags[span.start + 1 : span.end] = base + 1
    tags.flags.writeable = False
    return tags


def _doc_tags(doc: Doc) -> np.ndarray:
    """The tag of each token's first character."""
    if not len(doc):
        return np.zeros(0, dtype="uint64")
    return char_tags(doc.text)[doc.to_array([IDX]).ravel()].astype("uint64")


def rule_tags() -> Model[list[Doc], list[Ints1d]]:
    def forward(model: Model, docs: list[Doc], is_train: bool):
        out = [model.ops.asarray(_doc_tags(doc), dtype="uint64") for doc in docs]
        return out, lambda d_out: []

    return Model("xxgk_rule_tags", forward)


@registry.architectures("xxgk.RulesAwareEmbed.v1")
def rules_aware_embed(
    width: int, attrs: list[str], rows: list[int], rules_width: int
) -> Model[list[Doc], list[Floats2d]]:
    """MultiHashEmbed of the token attributes, concatenated with an embedding of the rule tag,
    mixed back to ``width`` by a Maxout layer."""
    base = MultiHashEmbed(width=width, attrs=attrs, rows=rows, include_static_vectors=False)
    rules = chain(rule_tags(), with_array(Embed(nO=rules_width, nV=n_tags())))
    mix = with_array(Maxout(nO=width, nI=width + rules_width, nP=3, normalize=True))
    return chain(concatenate(base, rules), mix)

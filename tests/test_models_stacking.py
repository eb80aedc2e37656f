"""The rules-aware embedding: tags per character, shapes, and loading by entry point."""

from __future__ import annotations

import subprocess
import sys

import spacy
from spacy.util import registry

from xxgk.models.ner.stacking import char_tags, n_tags
from xxgk.schema import load_schema

TEXT = "2020年在门户网站发布信息120条。"


def test_char_tags_mark_rule_entities_with_begin_and_inside():
    tags = char_tags(TEXT)
    labels = load_schema().entity_labels
    date = 1 + 2 * labels.index("DATE")
    assert len(tags) == len(TEXT)
    assert tags[:5].tolist() == [date, date + 1, date + 1, date + 1, date + 1]  # 2020年
    assert tags[TEXT.index("。")] == 0
    assert max(tags) < n_tags()


def test_embed_outputs_one_vector_of_width_per_token():
    embed = registry.architectures.get("xxgk.RulesAwareEmbed.v1")(
        width=32, attrs=["NORM", "SHAPE"], rows=[500, 50], rules_width=8)
    nlp = spacy.blank("zh")
    docs = [nlp(TEXT), nlp("李明任县政府办公室主任。")]
    embed.initialize(X=docs)
    assert [y.shape for y in embed.predict(docs)] == [(len(docs[0]), 32), (len(docs[1]), 32)]


def test_pipeline_with_the_architecture_loads_in_a_fresh_interpreter(tmp_path):
    config = spacy.util.load_config_from_str("""
[nlp]
lang = "zh"
pipeline = ["tok2vec", "ner"]

[nlp.tokenizer]
@tokenizers = "spacy.zh.ChineseTokenizer"
segmenter = "char"

[components]

[components.tok2vec]
factory = "tok2vec"

[components.tok2vec.model]
@architectures = "spacy.Tok2Vec.v2"

[components.tok2vec.model.embed]
@architectures = "xxgk.RulesAwareEmbed.v1"
width = 32
attrs = ["NORM", "SHAPE"]
rows = [500, 50]
rules_width = 8

[components.tok2vec.model.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = 32
depth = 2
window_size = 1
maxout_pieces = 3

[components.ner]
factory = "ner"

[components.ner.model]
@architectures = "spacy.TransitionBasedParser.v2"
state_type = "ner"
extra_state_tokens = false
hidden_width = 16
maxout_pieces = 2
use_upper = true

[components.ner.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = 32
""")
    nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    nlp.get_pipe("ner").add_label("DATE")
    nlp.initialize()
    nlp.to_disk(tmp_path / "pipe")
    code = "import spacy, sys; print(len(spacy.load(sys.argv[1])(sys.argv[2])))"
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "pipe"), TEXT],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(len(TEXT))

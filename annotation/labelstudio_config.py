"""The Label Studio labeling config, generated from the schema so that labels are typed once.

One ``<Labels>`` control (an entity label per schema label, with its colour and definition as
the hover hint), one ``<Relations>`` block (the schema's relation labels, one label per arc) and
one ``<Text>`` object with ``granularity="symbol"`` (spans snap to characters, not to words: Chinese
has no spaces, and a word granularity would move span edges) and ``saveTextResult="yes"`` (every
span result carries its text, which :mod:`xxgk.annotation.convert` uses to check its offsets).

The ``<Text>`` has no ``showLabels``, so the annotator's own setting (Settings → "Show region
labels", off by default) decides whether label names are written after the spans. A ``<Style>``
does the same for relation labels (:data:`RELATION_LABELS_CSS`): on dense reports their boxes
covered the text.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from xxgk.schema import Schema, load_schema

#: ``from_name`` of every entity result: the ``<Labels>`` control.
FROM_NAME = "label"
#: ``to_name`` of every entity result: the ``<Text>`` object.
TO_NAME = "text"
#: The key of the task data the ``<Text>`` object shows (``data.text``).
TEXT_KEY = "text"

#: Relation labels stay off the text unless asked for. The 1.23 editor draws every relation as an
#: arc over the text (an SVG layer, ``.relations-overlay``) with its label in a box at the top of
#: the arc, in the line above the spans: on dense reports the boxes cover words. ``<Relations>``
#: has no attribute for that (``choice`` only), so a ``<Style>`` hides the boxes (``g[transform]``,
#: the only transformed groups of the layer) and keeps the arcs. A box shows again for the
#: relation under the pointer in the Relations panel (the editor marks it ``_highlighted--…``),
#: and all of them while the annotator has "Show region labels" on (then the span that carries a
#: region's label, ``[data-label]``, loses the ``htx-no-label`` class). No ``>`` and no quotes:
#: the editor escapes both in a ``<Style>``.
RELATION_LABELS_CSS = (
    ".relations-overlay g[transform] { display: none; } "
    ".relations-overlay [class*=_highlighted--] g[transform], "
    "body:has(.htx-highlight[data-label]:not(.htx-no-label)) .relations-overlay g[transform] "
    "{ display: inline; }"
)


def label_config(schema: Schema | None = None) -> str:
    """The labeling config XML for ``schema`` (the schema in force by default)."""
    schema = schema or load_schema()
    view = ET.Element("View")
    ET.SubElement(view, "Style").text = RELATION_LABELS_CSS
    relations = ET.SubElement(view, "Relations", choice="single")
    for rel in schema.relations:
        ET.SubElement(relations, "Relation", value=rel.label)
    labels = ET.SubElement(view, "Labels", name=FROM_NAME, toName=TO_NAME)
    for ent in schema.entities:
        ET.SubElement(labels, "Label", value=ent.label, background=ent.color, hint=ent.definition)
    ET.SubElement(view, "Text", name=TO_NAME, value=f"${TEXT_KEY}", granularity="symbol",
                  saveTextResult="yes")
    ET.indent(view)
    return ET.tostring(view, encoding="unicode")

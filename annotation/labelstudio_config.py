"""The Label Studio labeling config, generated from the schema so that labels are typed once.

One ``<Labels>`` control (an entity label per schema label, with its colour and definition as
the hover hint), one ``<Relations>`` block (the schema's relation labels, one label per arc) and
one ``<Text>`` object with ``granularity="symbol"`` (spans snap to characters, not to words: Chinese
has no spaces, and a word granularity would move span edges) and ``saveTextResult="yes"`` (every
span result carries its text, which :mod:`xxgk.annotation.convert` uses to check its offsets).
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


def label_config(schema: Schema | None = None) -> str:
    """The labeling config XML for ``schema`` (the schema in force by default)."""
    schema = schema or load_schema()
    view = ET.Element("View")
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

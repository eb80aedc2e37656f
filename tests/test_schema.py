from xxgk.schema import load_schema, parse_schema


def test_schema_has_the_spec_labels():
    schema = load_schema()
    assert schema.version == "1"
    assert len(schema.entity_labels) == 8 and len(schema.relation_labels) == 5
    assert schema.relations_between("QUANTITY", "CHANNEL") == ("VIA",)
    assert schema.relation("DUE").tail == "DATE"


def test_schema_rejects_relation_to_unknown_label():
    import pytest

    data = {"version": "x", "name": "n", "language": "zh",
            "entities": {"A": {"definition": "a"}},
            "relations": {"R": {"head": "A", "tail": "B", "definition": "r"}}}
    with pytest.raises(ValueError, match="B"):
        parse_schema(data)


def test_bad_edge():
    schema = load_schema()
    assert schema.bad_edge(" 网站") and schema.bad_edge("网站，") and not schema.bad_edge("“12345”热线")

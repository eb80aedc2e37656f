"""Load the annotation schema (``schema.toml``) into a typed, immutable object."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class EntityType:
    label: str
    definition: str
    color: str


@dataclass(frozen=True)
class RelationType:
    label: str
    head: str
    tail: str
    definition: str


@dataclass(frozen=True)
class Schema:
    version: str
    name: str
    language: str
    entities: tuple[EntityType, ...]
    relations: tuple[RelationType, ...]
    forbidden_edge_chars: frozenset[str]

    @property
    def entity_labels(self) -> tuple[str, ...]:
        return tuple(e.label for e in self.entities)

    @property
    def relation_labels(self) -> tuple[str, ...]:
        return tuple(r.label for r in self.relations)

    def relation(self, label: str) -> RelationType:
        for rel in self.relations:
            if rel.label == label:
                return rel
        raise KeyError(label)

    def relations_between(self, head_label: str, tail_label: str) -> tuple[str, ...]:
        """Relation labels whose argument types are (head_label, tail_label)."""
        return tuple(
            r.label for r in self.relations if r.head == head_label and r.tail == tail_label
        )

    def bad_edge(self, span: str) -> bool:
        """True when a span starts or ends on whitespace or forbidden punctuation."""
        if not span:
            return True
        return any(c.isspace() or c in self.forbidden_edge_chars for c in (span[0], span[-1]))


def parse_schema(data: dict) -> Schema:
    entities = tuple(
        EntityType(label, spec["definition"], spec.get("color", "#999999"))
        for label, spec in data["entities"].items()
    )
    known = {e.label for e in entities}
    relations = []
    for label, spec in data["relations"].items():
        for arg in ("head", "tail"):
            if spec[arg] not in known:
                raise ValueError(f"schema: relation {label} {arg} {spec[arg]!r} is no entity label")
        relations.append(RelationType(label, spec["head"], spec["tail"], spec["definition"]))
    return Schema(
        version=str(data["version"]),
        name=data["name"],
        language=data["language"],
        entities=entities,
        relations=tuple(relations),
        forbidden_edge_chars=frozenset(data.get("spans", {}).get("forbidden_edge_chars", "")),
    )


def config_path(name: str) -> Path:
    """Path of a file shipped in ``configs/`` (the root package)."""
    return Path(str(resources.files("xxgk") / name))


@cache
def load_schema(path: str | None = None) -> Schema:
    """The schema in force: ``configs/schema.toml`` unless another file is given."""
    file = Path(path) if path else config_path("schema.toml")
    with file.open("rb") as fh:
        return parse_schema(tomllib.load(fh))

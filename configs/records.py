"""Stand-off record types: the plain values that flow between xxgk's parts.

A document's annotations (gold or predicted) refer to its text by ``doc_id`` and
``text_sha256``; entities carry character offsets (Python ``str`` indices) and the exact slice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Entity:
    id: str
    start: int
    end: int
    label: str
    text: str
    norm: dict[str, Any] | None = None
    score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "start": self.start, "end": self.end,
            "label": self.label, "text": self.text,
        }
        if self.norm is not None:
            out["norm"] = self.norm
        if self.score is not None:
            out["score"] = self.score
        return out


@dataclass(frozen=True)
class Relation:
    head: str
    tail: str
    label: str
    score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"head": self.head, "tail": self.tail, "label": self.label}
        if self.score is not None:
            out["score"] = self.score
        return out


@dataclass
class AnnotatedDoc:
    """One document's entities and relations, stand-off (no text inside)."""

    doc_id: str
    text_sha256: str
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def entity_by_id(self) -> dict[str, Entity]:
        return {e.id: e for e in self.entities}

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "text_sha256": self.text_sha256,
            "entities": [e.to_dict() for e in self.entities],
            "relations": [r.to_dict() for r in self.relations],
            **self.extra,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnnotatedDoc:
        """Build from a JSON object; raises KeyError/TypeError/ValueError on a malformed one."""
        known = {"doc_id", "text_sha256", "entities", "relations"}
        if not isinstance(data.get("doc_id"), str) or not data["doc_id"]:
            raise ValueError("'doc_id' must be a non-empty string")
        if not isinstance(data.get("text_sha256"), str):
            raise ValueError("'text_sha256' must be a string")
        ents, rels = data.get("entities", []), data.get("relations", [])
        if not isinstance(ents, list) or not isinstance(rels, list):
            raise ValueError("'entities' and 'relations' must be lists")
        entities = [_entity(e, i) for i, e in enumerate(ents)]
        relations = [_relation(r, i) for i, r in enumerate(rels)]
        extra = {k: v for k, v in data.items() if k not in known}
        return cls(data["doc_id"], data["text_sha256"], entities, relations, extra)


def _entity(data: Any, index: int) -> Entity:
    if not isinstance(data, dict):
        raise ValueError(f"entity #{index} is not an object")
    for key, kind in (("id", str), ("start", int), ("end", int), ("label", str), ("text", str)):
        if not isinstance(data.get(key), kind) or isinstance(data.get(key), bool):
            raise ValueError(f"entity #{index}: '{key}' missing or not {kind.__name__}")
    return Entity(
        data["id"], data["start"], data["end"], data["label"], data["text"],
        data.get("norm"), data.get("score"),
    )


def _relation(data: Any, index: int) -> Relation:
    if not isinstance(data, dict):
        raise ValueError(f"relation #{index} is not an object")
    for key in ("head", "tail", "label"):
        if not isinstance(data.get(key), str):
            raise ValueError(f"relation #{index}: '{key}' missing or not str")
    return Relation(data["head"], data["tail"], data["label"], data.get("score"))

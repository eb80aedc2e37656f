"""Model versions by name: the shipped pipelines in ``models/xxgk-zh-*`` and the rules baseline."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from xxgk.records import AnnotatedDoc
from xxgk.schema import config_path

SHIPPED_PREFIX = "xxgk-zh-"
RULES = "rules-v1"
NEWEST = "newest"


class ExtractionModel(Protocol):
    name: str
    supports_gold_entities: bool

    def predict(self, items: Any) -> Any: ...

    def predict_relations(self, doc: AnnotatedDoc, text: str) -> AnnotatedDoc: ...


@dataclass(frozen=True)
class ShippedModel:
    name: str
    path: Path
    meta: dict[str, Any]


def models_dir() -> Path:
    return Path(str(resources.files("xxgk.models")))


def _version_key(name: str) -> tuple[int, ...]:
    version = name.removeprefix(SHIPPED_PREFIX)
    return tuple(int(p) if p.isdigit() else -1 for p in version.split("."))


def shipped_models() -> list[ShippedModel]:
    """Shipped pipelines, oldest first."""
    out = []
    for path in models_dir().glob(f"{SHIPPED_PREFIX}*"):
        meta_file = path / "meta.json"
        if meta_file.is_file():
            out.append(ShippedModel(path.name, path, json.loads(meta_file.read_text(encoding="utf-8"))))
    return sorted(out, key=lambda m: _version_key(m.name))


def default_model_name(settings: Path | None = None) -> str:
    """The ``default`` of ``configs/models.toml``: a shipped name (``newest`` resolved) or rules-v1."""
    with (settings or config_path("models.toml")).open("rb") as fh:
        name = tomllib.load(fh)["default"]
    if name != NEWEST:
        return name
    shipped = shipped_models()
    if not shipped:
        raise LookupError(f"no shipped model in {models_dir()}; train one with `xxgk train --ship`")
    return shipped[-1].name


def resolve(name_or_path: str | None) -> str | Path:
    """``None`` → the default model (``configs/models.toml``); a shipped name → its folder; else a
    path or rules-v1. Raises LookupError."""
    if name_or_path is None:
        name_or_path = default_model_name()
    if name_or_path == RULES:
        return RULES
    for model in shipped_models():
        if model.name == name_or_path:
            return model.path
    path = Path(name_or_path)
    if (path / "meta.json").is_file():
        return path
    known = ", ".join([RULES, *(m.name for m in shipped_models())])
    raise LookupError(f"unknown model {name_or_path!r}: not a pipeline folder; known: {known}")


def load_model(name_or_path: str | None = None, regions: Any = None) -> ExtractionModel:
    """Load a model version; ``regions(text)`` picks the (start, end) paragraphs to run NER on."""
    target = resolve(name_or_path)
    if target == RULES:
        from xxgk.models.rules import RulesModel

        return RulesModel()
    from xxgk.models.trained import TrainedModel

    return TrainedModel(target, regions=regions)

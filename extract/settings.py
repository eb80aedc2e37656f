"""Reading tunables (``configs/extract.toml``), parsed once and shared by the reading modules."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from xxgk.schema import config_path


@cache
def load_settings(path: str | None = None) -> dict[str, Any]:
    """``configs/extract.toml`` unless another file is given; one table per reading module."""
    file = Path(path) if path else config_path("extract.toml")
    with file.open("rb") as fh:
        return tomllib.load(fh)

"""Shared fixtures: tiny corpora written by the tests themselves, and the shared corpus if present."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@pytest.fixture
def shared_corpus() -> Path:
    if not (SHARED_CORPUS / "000.txt").exists():
        pytest.skip(f"shared corpus not found at {SHARED_CORPUS}")
    return SHARED_CORPUS


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    """Two short documents written for the tests (not report text)."""
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "a.txt").write_text("2020年，本局在门户网站发布信息120条。", encoding="utf-8")
    (root / "b.txt").write_text("张三任办公室主任。下一步将进一步加强培训。", encoding="utf-8")
    return root

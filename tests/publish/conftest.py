from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The fixture tables of the quality tests (tests/ has no packages: import by folder).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "quality"))


@pytest.fixture
def warehouse_path(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def published_path(tmp_path: Path, monkeypatch) -> Path:
    path = tmp_path / "published" / "poet.duckdb"
    monkeypatch.setenv("POET_PUBLISHED", str(path))
    return path

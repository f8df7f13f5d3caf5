from __future__ import annotations

import sys
from pathlib import Path

import duckdb
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


def tables_of(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables ORDER BY 1"
        ).fetchall()
        return {n: con.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for (n,) in names}
    finally:
        con.close()

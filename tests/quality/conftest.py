from __future__ import annotations

from pathlib import Path

import duckdb
import pytest


@pytest.fixture
def warehouse_path(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def con(warehouse_path: Path):
    connection = duckdb.connect(str(warehouse_path))
    yield connection
    connection.close()

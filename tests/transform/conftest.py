"""One dbt build of the fixture warehouse per test session, shared by the transform tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from raw_fixture import FixtureFile, build_raw_warehouse  # noqa: E402

from dagster_project.settings import DBT_PROJECT_DIR  # noqa: E402
from dagster_project.transform.project import dbt_executable  # noqa: E402


@dataclass(frozen=True)
class BuiltWarehouse:
    path: Path
    files: list[FixtureFile]
    dbt_output: str

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def records(self, sql: str, params: list | None = None) -> list[dict]:
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            cursor = con.execute(sql, params or [])
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            con.close()


def run_dbt(args: list[str], warehouse: Path, scratch: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "POET_WAREHOUSE": str(warehouse)}
    return subprocess.run(
        [dbt_executable(), *args, "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(scratch / "target"),
         "--log-path", str(scratch / "logs")],
        env=env, capture_output=True, text=True, check=False,
    )


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltWarehouse]:
    scratch = tmp_path_factory.mktemp("dbt_build")
    warehouse = scratch / "warehouse.duckdb"
    files = build_raw_warehouse(warehouse)
    result = run_dbt(["build"], warehouse, scratch)
    yield BuiltWarehouse(path=warehouse, files=files, dbt_output=result.stdout + result.stderr)

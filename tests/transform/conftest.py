"""One build of the fixture warehouse per test session (through Dagster), shared by the tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from raw_fixture import FixtureFile, build_raw_warehouse  # noqa: E402

from dagster_project.transform.definitions import dbt_resource, defs  # noqa: E402
from dagster_project.warehouse import WarehouseResource  # noqa: E402


@dataclass(frozen=True)
class BuiltWarehouse:
    path: Path
    files: list[FixtureFile]
    result: dg.ExecuteInProcessResult
    logs: list[str]

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


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltWarehouse]:
    """The fixture raw layer, built through the Dagster dbt assets (one `dbt build` per layer)."""
    warehouse = tmp_path_factory.mktemp("dbt_build") / "warehouse.duckdb"
    files = build_raw_warehouse(warehouse)
    with pytest.MonkeyPatch.context() as patch:
        # dbt gets the warehouse from the resource, whatever the environment says.
        patch.setenv("POET_WAREHOUSE", str(warehouse.with_name("not_this.duckdb")))
        patch.setenv("DBT_INDIRECT_SELECTION", "eager")
        instance = dg.DagsterInstance.ephemeral()
        result = dg.materialize(
            defs.assets,
            resources={
                "dbt": dbt_resource(unit_tests=True),
                "warehouse": WarehouseResource(path=str(warehouse)),
            },
            instance=instance,
            raise_on_error=False,
        )
    logs = [entry.user_message for entry in instance.all_logs(result.run_id)]
    yield BuiltWarehouse(path=warehouse, files=files, result=result, logs=logs)

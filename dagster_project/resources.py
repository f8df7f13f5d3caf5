"""Resources configured from the environment (see settings.py)."""

from __future__ import annotations

from dagster_project.settings import Settings
from dagster_project.transform.project import dbt_resource
from dagster_project.warehouse import WarehouseResource


def build_resources(settings: Settings | None = None) -> dict:
    settings = settings or Settings.from_env()
    return {
        "warehouse": WarehouseResource(
            path=str(settings.warehouse),
            memory_limit=settings.duckdb_memory_limit,
            temp_directory=settings.duckdb_temp_dir,
        ),
        "dbt": dbt_resource(),
    }

"""Resources configured from the environment (see settings.py)."""

from __future__ import annotations

from dagster_project.reports.store import ReportsResource, reports_dir
from dagster_project.settings import Settings
from dagster_project.transform.project import dbt_resource
from dagster_project.warehouse import WarehouseResource


def build_resources(settings: Settings | None = None) -> dict:
    settings = settings or Settings.from_env()
    return {
        "warehouse": WarehouseResource(path=str(settings.warehouse)),
        "dbt": dbt_resource(),
        "reports": ReportsResource(path=str(reports_dir(settings.published))),
    }

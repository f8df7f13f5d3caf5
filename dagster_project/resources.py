"""The shared resources, built once from the settings in definitions.py.

Assets and sensors get paths and settings only from these resources (`settings`,
`warehouse`, `dbt`, `reports`); nothing inside a run reads the environment again.
"""

from __future__ import annotations

import threading
from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr

from dagster_project import warm_up
from dagster_project.jobs import FULL_REFRESH_JOB
from dagster_project.quality import prefetch
from dagster_project.refresh_lock import RefreshLock
from dagster_project.reports.assets import REPORTS_KEY
from dagster_project.reports.store import ReportsResource, reports_dir
from dagster_project.settings import Settings
from dagster_project.settings_resource import (
    DEFAULT_LOCK_WAIT_SECONDS,
    SettingsResource,
    hold_refresh_lock,
)
from dagster_project.transform.project import (
    PoetDbtCliResource,
    dbt_resource,
    step_environment,
    target_folder,
)
from dagster_project.warehouse import DEFAULT_MEMORY_LIMIT, WarehouseResource


class LockingDbtCliResource(PoetDbtCliResource):
    """The project's dbt resource (transform/project.py), holding the refresh lock of the
    run's warehouse while the run lasts (refresh_lock.py; re-entrant within a process).

    The dbt steps (transform/assets.py) give dbt the warehouse path and DuckDB settings of
    the `warehouse` resource for each invocation.
    """

    warehouse: str
    lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS
    # DuckDB's settings of the warehouse resource, for parsing the project ahead of the
    # first dbt step in the environment the steps give dbt (warm_up.py).
    memory_limit: str = DEFAULT_MEMORY_LIMIT
    temp_directory: str = ""

    _lock: RefreshLock | None = PrivateAttr(default=None)
    _warm_up: threading.Thread | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        super().setup_for_execution(context)
        self._lock = hold_refresh_lock(self.warehouse, context, self.lock_wait_seconds)
        if self._lock is not None:  # in a run, not a sensor's evaluation
            warehouse = WarehouseResource(
                path=self.warehouse,
                memory_limit=self.memory_limit,
                temp_directory=self.temp_directory,
            )
            environment = step_environment(
                warehouse.path, warehouse.memory_limit, warehouse.spill_directory
            )
            self._warm_up = warm_up.start(
                Path(self.project_dir), Path(self.profiles_dir),
                target_folder(warehouse.path), warehouse.path, environment,
                reports=_builds_report_pack(context.dagster_run),
            )  # fmt: skip

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._warm_up is not None:
            self._warm_up.join()
        if context.run_id:  # gates prepared ahead for steps that did not run
            prefetch.settle(context.run_id)
        if self._lock is not None:
            self._lock.release()


def _builds_report_pack(run: dg.DagsterRun | None) -> bool:
    """Whether the run executes the report pack's step (a whole `full_refresh` does)."""
    if run is None:
        return False
    if run.asset_selection is not None:
        return REPORTS_KEY in run.asset_selection
    if run.step_keys_to_execute is not None:
        return REPORTS_KEY.to_python_identifier() in run.step_keys_to_execute
    return run.job_name == FULL_REFRESH_JOB


def poet_dbt_resource(settings: Settings) -> LockingDbtCliResource:
    """The project's dbt resource with the run's warehouse."""
    base = dbt_resource()
    fields = {
        name: getattr(base, name)
        for name in PoetDbtCliResource.model_fields
        if getattr(base, name, None) is not None
    }
    return LockingDbtCliResource(
        **fields,
        warehouse=str(settings.warehouse),
        memory_limit=settings.duckdb_memory_limit,
        temp_directory=settings.duckdb_temp_dir,
    )


def build_resources(settings: Settings) -> dict:
    return {
        "settings": SettingsResource.from_settings(settings),
        "warehouse": WarehouseResource(
            path=str(settings.warehouse),
            memory_limit=settings.duckdb_memory_limit,
            temp_directory=settings.duckdb_temp_dir,
        ),
        "dbt": poet_dbt_resource(settings),
        "reports": ReportsResource(path=str(reports_dir(settings.published))),
    }

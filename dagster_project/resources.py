"""The shared resources, built once from the settings in definitions.py.

Assets and sensors get paths and settings only from these resources (`settings`,
`warehouse`, `dbt`); nothing inside a run reads the environment again.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliInvocation, DbtCliResource
from pydantic import PrivateAttr

from dagster_project.refresh_lock import RefreshLock
from dagster_project.settings import Settings
from dagster_project.settings_resource import (
    DEFAULT_LOCK_WAIT_SECONDS,
    SettingsResource,
    hold_refresh_lock,
)
from dagster_project.transform.project import dbt_resource
from dagster_project.warehouse import WarehouseResource

# dbt's default ("eager") also runs a test when only one of its parents is selected, so a
# relationships test of a mart would run in the staging step, before the mart exists.
# "buildable" runs a test once all its parents are built; dagster-dbt still overrides it
# when it selects single checks.
DBT_INDIRECT_SELECTION = "buildable"


@contextmanager
def _subprocess_environment(values: dict[str, str]) -> Iterator[None]:
    """These variables in the environment dbt's subprocess copies, for the call only."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class PoetDbtCliResource(DbtCliResource):
    """dagster-dbt's resource, given the run's warehouse and holding the refresh lock.

    dbt runs as a subprocess whose profile (dbt_project/profiles.yml) reads the warehouse
    path from `POET_WAREHOUSE`: `cli()` puts this resource's path there for the duration
    of the call (dagster-dbt copies the environment when it starts dbt) and restores it.
    """

    warehouse: str
    lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS

    _lock: RefreshLock | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        super().setup_for_execution(context)
        self._lock = hold_refresh_lock(self.warehouse, context, self.lock_wait_seconds)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._lock is not None:
            self._lock.release()

    def cli(self, args: Sequence[str], **kwargs: Any) -> DbtCliInvocation:
        environment = {
            "POET_WAREHOUSE": self.warehouse,
            "DBT_INDIRECT_SELECTION": DBT_INDIRECT_SELECTION,
        }
        with _subprocess_environment(environment):
            return super().cli(args, **kwargs)


def poet_dbt_resource(settings: Settings) -> PoetDbtCliResource:
    """The project's dbt resource (transform/project.py) with the run's warehouse."""
    base = dbt_resource()
    fields = {
        name: getattr(base, name)
        for name in DbtCliResource.model_fields
        if getattr(base, name, None) is not None
    }
    return PoetDbtCliResource(**fields, warehouse=str(settings.warehouse))


def build_resources(settings: Settings) -> dict:
    return {
        "settings": SettingsResource.from_settings(settings),
        "warehouse": WarehouseResource(path=str(settings.warehouse)),
        "dbt": poet_dbt_resource(settings),
    }

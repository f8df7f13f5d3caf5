"""The DuckDB warehouse as a Dagster resource.

DuckDB takes one writer process at a time: every step opens its connection, does its
work and closes it before the next step (or the dbt subprocess) needs the file. A run
holds the refresh lock of the file from its start to its end (refresh_lock.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from dagster_project.refresh_lock import RefreshLock
from dagster_project.settings_resource import DEFAULT_LOCK_WAIT_SECONDS, hold_refresh_lock


class WarehouseResource(dg.ConfigurableResource):
    """The working warehouse file a refresh builds into (absolute path)."""

    path: str
    lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS

    _lock: RefreshLock | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # One refresh at a time (refresh_lock.py): held from before the first step to after
        # the last, so a second run never writes beside this one.
        self._lock = hold_refresh_lock(self.path, context, self.lock_wait_seconds)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._lock is not None:
            self._lock.release()

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(self.path, read_only=read_only)
        try:
            yield con
        finally:
            con.close()

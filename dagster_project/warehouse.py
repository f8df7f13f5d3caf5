"""The DuckDB warehouse as a Dagster resource.

DuckDB takes one writer process at a time. A run holds the refresh lock of the file from
its start to its end (refresh_lock.py), and keeps the database open from its start to
its publish (DECISIONS R49): every step's connection, and dbt's, joins the open
database. The publish closes it first, so that its guards and the publisher can attach
the file to databases of their own.

Every connection (and dbt's, through profiles.yml) caps DuckDB's memory at
`memory_limit` and spills what does not fit to `temp_directory`, so a national-scale
refresh fits a small server (docs/refresh.md).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from dagster_project.publish import parquet_stage
from dagster_project.refresh_lock import RefreshLock
from dagster_project.settings_resource import DEFAULT_LOCK_WAIT_SECONDS, hold_refresh_lock

DEFAULT_MEMORY_LIMIT = "4GB"
# Two threads opening the file at once when no connection holds it (a step and a gate
# prepared in the background, quality/prefetch.py) both start DuckDB's database: one
# connection then missed the Python client's table functions ("pandas_scan does not
# exist"). Connections are opened one at a time.
_CONNECTING = threading.Lock()


def default_temp_directory(path: str | Path) -> str:
    """DuckDB's own default for a database file, made explicit: `<file>.tmp` beside it."""
    return f"{path}.tmp"


class WarehouseResource(dg.ConfigurableResource):
    """The working warehouse file a refresh builds into (absolute path)."""

    path: str
    lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS
    # DuckDB memory_limit of every connection, e.g. "2GB" (POET_DUCKDB_MEMORY_LIMIT).
    memory_limit: str = DEFAULT_MEMORY_LIMIT
    # Where DuckDB spills; empty: `<warehouse>.tmp` beside the file (POET_DUCKDB_TEMP_DIR).
    temp_directory: str = ""

    _lock: RefreshLock | None = PrivateAttr(default=None)
    _database: duckdb.DuckDBPyConnection | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # One refresh at a time (refresh_lock.py): held from before the first step to after
        # the last, so a second run never writes beside this one.
        self._lock = hold_refresh_lock(self.path, context, self.lock_wait_seconds)
        # A run keeps the database open until its publish (close_database): a step's
        # connection then joins it (under a millisecond) instead of opening the file and
        # writing it out when it closes (about 50 ms, some 80 times a run). A file that
        # cannot be opened is left to the first step, which says why. Outside a run (a
        # sensor's evaluation) the file is not opened.
        if context.run is not None:
            try:
                self._database = self._open()
            except duckdb.Error:
                self._database = None

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        # Marts written as Parquet ahead of a publish: the writing thread ends, and what
        # the publish did not take is removed, before another run may open the file.
        parquet_stage.discard(self.path)
        self.close_database()
        if self._lock is not None:
            self._lock.release()

    def close_database(self) -> None:
        """Close the connection the run keeps open. DuckDB closes the database (and
        writes it out) with the last connection of the process; only then can another
        database, such as the publish's, attach the file."""
        database, self._database = self._database, None
        if database is not None:
            database.close()

    @property
    def spill_directory(self) -> str:
        """Where DuckDB spills: temp_directory, or `<warehouse>.tmp` when it is empty."""
        return self.temp_directory or default_temp_directory(self.path)

    def duckdb_config(self) -> dict[str, str]:
        return {"memory_limit": self.memory_limit, "temp_directory": self.spill_directory}

    def _open(self) -> duckdb.DuckDBPyConnection:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        with _CONNECTING:
            return duckdb.connect(self.path, config=self.duckdb_config())

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection of its own (of the database the run holds open, in a run)."""
        con = self._open()
        try:
            yield con
        finally:
            con.close()

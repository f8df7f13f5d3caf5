"""The DuckDB warehouse as a Dagster resource.

DuckDB takes one writer process at a time: every step opens its connection, does its
work and closes it before the next step (or the dbt subprocess) needs the file.

Every connection (and dbt's, through profiles.yml) caps DuckDB's memory at
`memory_limit` and spills what does not fit to `temp_directory`, so a national-scale
refresh fits a small server (docs/refresh.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

DEFAULT_MEMORY_LIMIT = "4GB"


def default_temp_directory(path: str | Path) -> str:
    """DuckDB's own default for a database file, made explicit: `<file>.tmp` beside it."""
    return f"{path}.tmp"


class WarehouseResource(dg.ConfigurableResource):
    """The working warehouse file a refresh builds into (absolute path)."""

    path: str
    # DuckDB memory_limit of every connection, e.g. "2GB" (POET_DUCKDB_MEMORY_LIMIT).
    memory_limit: str = DEFAULT_MEMORY_LIMIT
    # Where DuckDB spills; empty: `<warehouse>.tmp` beside the file (POET_DUCKDB_TEMP_DIR).
    temp_directory: str = ""

    @property
    def spill_directory(self) -> str:
        """Where DuckDB spills: temp_directory, or `<warehouse>.tmp` when it is empty."""
        return self.temp_directory or default_temp_directory(self.path)

    def duckdb_config(self) -> dict[str, str]:
        return {"memory_limit": self.memory_limit, "temp_directory": self.spill_directory}

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(self.path, read_only=read_only, config=self.duckdb_config())
        try:
            yield con
        finally:
            con.close()

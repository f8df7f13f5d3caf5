"""Copies the analysts' schemas into a new DuckDB file and swaps it in atomically.

The working warehouse is attached read-only; the new file is written beside the
published one (same filesystem, so the rename is atomic), checkpointed and closed,
then `os.replace`d over it. An analyst's open read-only connection keeps reading the
old file's inode; new connections see the new file. Nothing of `raw`, `staging` or
`recoded` is copied: unredacted comments and non-consenting rows never leave the
working file.

The file is written in DuckDB's storage format `STORAGE_VERSION`, which DuckDB 1.x
clients (the registry's `duckdb` CLI, R and Python packages, DBeaver, BI drivers) read;
the project's own DuckDB 2 would otherwise write a format no 1.x release opens. Each
mart is also written as Parquet into `parquet/` beside the file (publish/parquet.py),
swapped in right after the file.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.publish import parquet
from dagster_project.quality.gated_tables import MARTS_TABLES
from dagster_project.quality.results_store import latest_failed_tables

PUBLISHED_SCHEMAS = ("marts", "reference", "quality")
TMP_MARKER = ".tmp-"
# The newest storage format that the DuckDB 1.x clients analysts carry read (docs/DECISIONS.md
# P1; tests/publish/test_published_clients.py opens the file with the `duckdb` 1.5 CLI and an
# older `duckdb` 1.x Python package).
STORAGE_VERSION = "v1.1.0"
PUBLISHED_CATALOG = "published"
RUN_SCOPED_TABLE = ("quality", "validation_results")


class PublishRefused(RuntimeError):
    """The publish would expose something it must not; the old file is kept."""


@dataclass(frozen=True)
class PublishReport:
    path: Path
    tables: dict[str, int]  # schema.table -> rows
    removed_stale: tuple[str, ...]
    bytes: int
    parquet_dir: Path | None = None
    parquet_tables: dict[str, int] | None = None


def tmp_path(published: Path, run_id: str) -> Path:
    return published.with_name(f"{published.name}{TMP_MARKER}{run_id}")


def remove_stale_tmp_files(published: Path) -> list[str]:
    """Half-written files of a killed publish (and their WALs) are never published."""
    removed = []
    for path in sorted(published.parent.glob(f"{published.name}{TMP_MARKER}*")):
        path.unlink(missing_ok=True)
        removed.append(str(path))
    return removed + parquet.remove_stale_dirs(published)


def _source_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    placeholders = ", ".join("?" for _ in PUBLISHED_SCHEMAS)
    return con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        f"WHERE table_catalog = 'working' AND table_schema IN ({placeholders}) ORDER BY 1, 2",
        list(PUBLISHED_SCHEMAS),
    ).fetchall()


def _refuse_unsafe(con: duckdb.DuckDBPyConnection, tables: list[tuple[str, str]]) -> None:
    present = {name for schema, name in tables if schema == "marts"}
    missing = [name for name in MARTS_TABLES if name not in present]
    if missing:
        raise PublishRefused(
            f"the working warehouse lacks marts tables promised to analysts: {missing}; "
            "the published warehouse was left unchanged"
        )
    failed = latest_failed_tables(con)
    if failed:
        raise PublishRefused(
            f"the latest quality gate failed for {failed} (see quality.validation_results); "
            "the published warehouse was left unchanged"
        )


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(
    working: Path, published: Path, run_id: str, log: Callable[[str], None] = print
) -> PublishReport:
    published.parent.mkdir(parents=True, exist_ok=True)
    removed = remove_stale_tmp_files(published)
    for path in removed:
        log(f"removed stale publish file {path}")
    target = tmp_path(published, run_id)
    new_parquet = parquet.tmp_parquet_dir(published, run_id)
    copied: dict[str, int] = {}
    con = duckdb.connect()  # in memory: both files are attached
    try:
        con.execute(
            f"ATTACH '{target}' AS {PUBLISHED_CATALOG} (STORAGE_VERSION '{STORAGE_VERSION}')"
        )
        con.execute(f"ATTACH '{working}' AS working (READ_ONLY)")
        tables = _source_tables(con)
        con.execute("USE working")  # the gate history is read where the gates wrote it
        _refuse_unsafe(con, tables)
        con.execute(f"USE {PUBLISHED_CATALOG}")
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        for schema, name in tables:
            # Views are materialised: the published file must not depend on schemas it lacks.
            # The gate history published is this run's: the gates of the marts it copies,
            # not those of failed or concurrent runs (guards.py checks they all passed).
            only_this_run = " WHERE run_id = $run_id" if (schema, name) == RUN_SCOPED_TABLE else ""
            con.execute(
                f'CREATE TABLE "{schema}"."{name}" AS SELECT * FROM working."{schema}"."{name}"{only_this_run}',
                {"run_id": run_id} if only_this_run else None,
            )
            copied[f"{schema}.{name}"] = con.execute(
                f'SELECT count(*) FROM "{schema}"."{name}"'
            ).fetchone()[0]
            log(f"copied {schema}.{name} ({copied[f'{schema}.{name}']} rows)")
        con.execute("DETACH working")
        con.execute(f"CHECKPOINT {PUBLISHED_CATALOG}")
        parquet_rows = parquet.write_marts(con, PUBLISHED_CATALOG, new_parquet, run_id)
        log(f"wrote {len(parquet_rows)} marts as Parquet")
        con.execute("USE memory")
        con.execute(f"DETACH {PUBLISHED_CATALOG}")
    except BaseException:
        con.close()
        target.unlink(missing_ok=True)
        Path(f"{target}.wal").unlink(missing_ok=True)
        shutil.rmtree(new_parquet, ignore_errors=True)
        raise
    con.close()
    if Path(f"{target}.wal").exists():
        shutil.rmtree(new_parquet, ignore_errors=True)
        raise PublishRefused(
            f"{target} still has a write-ahead log after checkpoint; not published"
        )
    try:
        with open(target, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(target, published)
    except OSError:
        target.unlink(missing_ok=True)  # never leave a half-published file behind
        raise
    _fsync_dir(published.parent)
    parquet.swap_in(new_parquet, parquet.parquet_dir(published), run_id, log)
    return PublishReport(
        published,
        copied,
        tuple(removed),
        published.stat().st_size,
        parquet.parquet_dir(published),
        parquet_rows,
    )

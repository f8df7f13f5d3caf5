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

When the caller knows that the file in place was published from the same code, libraries
and settings (`previous_run`, DECISIONS R34), the new file starts as a copy of it: a
table of file versions (the responses marts, comments, comment_themes) then only loses
the rows of versions gone from the working warehouse and gains those of versions new to
it, since a version's rows depend only on its bytes and that code; every other table is
copied whole as before. A table whose row count then differs from the working one is
copied whole, and so is every table when the copy has too many free blocks.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.file_versions import (
    delete_versions,
    same_version,
    version_changes,
    version_keys,
)
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


# A previous file with more free space than this share is not reused: rewritten whole.
MAX_FREE_SHARE = 0.3


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
    # schema.table -> (versions removed, versions added) of the tables updated by version
    by_version: dict[str, tuple[int, int]] | None = None


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


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, name: str) -> list:
    return con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_catalog = ? AND table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [catalog, schema, name],
    ).fetchall()


def _copy_whole(con: duckdb.DuckDBPyConnection, schema: str, name: str, run_id: str) -> None:
    # Views are materialised: the published file must not depend on schemas it lacks.
    # The gate history published is this run's: the gates of the marts it copies,
    # not those of failed or concurrent runs (guards.py checks they all passed).
    only_this_run = " WHERE run_id = $run_id" if (schema, name) == RUN_SCOPED_TABLE else ""
    con.execute(f'DROP TABLE IF EXISTS "{schema}"."{name}"')
    con.execute(
        f'CREATE TABLE "{schema}"."{name}" AS SELECT * FROM working."{schema}"."{name}"{only_this_run}',
        {"run_id": run_id} if only_this_run else None,
    )


def _update_by_version(
    con: duckdb.DuckDBPyConnection, schema: str, name: str, keys: tuple[str, ...]
) -> tuple[int, int]:
    """Delete the rows of the versions the working table no longer holds and insert those
    of the versions the published one lacks; returns (versions removed, versions added)."""
    here, there = f'"{schema}"."{name}"', f'working."{schema}"."{name}"'
    gone, new = version_changes(con, there, here, keys, "versions")
    if gone:
        delete_versions(con, (here,), "versions_gone", keys)
    if new:
        con.execute(
            f"INSERT INTO {here} SELECT t.* FROM {there} AS t SEMI JOIN versions_new AS v "
            f"ON {same_version(keys, 't', 'v')}"
        )
    con.execute("DROP TABLE versions_gone; DROP TABLE versions_new")
    return gone, new


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _reusable(published: Path, log: Callable[[str], None]) -> bool:
    """The file in place can be the start of the new one: it opens and has few free blocks."""
    try:
        con = duckdb.connect(str(published), read_only=True)
        try:
            total, free = con.execute(
                "SELECT total_blocks, free_blocks FROM pragma_database_size()"
            ).fetchone()
        finally:
            con.close()
    except duckdb.Error as error:
        log(f"the published file cannot be reused ({error}); writing it whole")
        return False
    if total and free / total > MAX_FREE_SHARE:
        log(f"the published file has {free} free blocks of {total}; writing it whole")
        return False
    return True


def _sync_tables(
    con: duckdb.DuckDBPyConnection,
    tables: list[tuple[str, str]],
    run_id: str,
    reused: bool,
    log: Callable[[str], None],
) -> tuple[dict[str, int], dict[str, tuple[int, int]]]:
    """Make every table of `tables` in the published catalog equal the working one."""
    copied: dict[str, int] = {}
    by_version: dict[str, tuple[int, int]] = {}
    wanted = set(tables)
    if reused:
        for schema, name in con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_catalog = ? AND table_schema IN ('marts', 'reference', 'quality')",
            [PUBLISHED_CATALOG],
        ).fetchall():
            if (schema, name) not in wanted:
                con.execute(f'DROP TABLE "{schema}"."{name}"')
    for schema, name in tables:
        qualified = f"{schema}.{name}"
        columns = _columns(con, "working", schema, name)
        keys = version_keys(name for name, _ in columns)
        if reused and keys and _columns(con, PUBLISHED_CATALOG, schema, name) == columns:
            by_version[qualified] = _update_by_version(con, schema, name, keys)
            copied[qualified] = _count(con, f'"{schema}"."{name}"')
            if copied[qualified] == _count(con, f'working."{schema}"."{name}"'):
                gone, new = by_version[qualified]
                log(
                    f"updated {qualified} by file version: {gone} removed, {new} added ({copied[qualified]} rows)"
                )
                continue
            del by_version[qualified]
            log(f"{qualified}: row counts differ after the update by version; copying it whole")
        _copy_whole(con, schema, name, run_id)
        copied[qualified] = _count(con, f'"{schema}"."{name}"')
        log(f"copied {qualified} ({copied[qualified]} rows)")
    return copied, by_version


def publish(
    working: Path,
    published: Path,
    run_id: str,
    log: Callable[[str], None] = print,
    previous_run: str | None = None,
    staged_parquet: dict[str, tuple[Path, int]] | None = None,
) -> PublishReport:
    """`previous_run`: the run that published the file in place, from the same code,
    libraries and settings (the caller checks its record), so that file may be the start
    of the new one and its unchanged Parquet files reused; None: everything is written.
    `staged_parquet`: marts this run wrote as Parquet ahead of the publish (file, rows;
    parquet_stage.py), moved in when the published table has as many rows."""
    published.parent.mkdir(parents=True, exist_ok=True)
    removed = remove_stale_tmp_files(published)
    for path in removed:
        log(f"removed stale publish file {path}")
    target = tmp_path(published, run_id)
    new_parquet = parquet.tmp_parquet_dir(published, run_id)
    reused = previous_run is not None and published.exists() and _reusable(published, log)
    con = duckdb.connect()  # in memory: both files are attached
    try:
        if reused:
            shutil.copyfile(published, target)
            con.execute(f"ATTACH '{target}' AS {PUBLISHED_CATALOG}")
        else:
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
        copied, by_version = _sync_tables(con, tables, run_id, reused, log)
        con.execute("DETACH working")
        con.execute(f"CHECKPOINT {PUBLISHED_CATALOG}")
        unchanged = {
            name.split(".", 1)[1]
            for name, (gone, new) in by_version.items()
            if name.startswith("marts.") and not gone and not new
        }
        parquet_rows = parquet.write_marts(
            con, PUBLISHED_CATALOG, new_parquet, run_id,
            reuse=parquet.Reuse(parquet.parquet_dir(published), previous_run, unchanged) if reused else None,
            staged=staged_parquet,
        )  # fmt: skip
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
        by_version if reused else None,
    )

"""Counts per file version, kept between refreshes and added up (DECISIONS R50).

A count over a responses mart is the sum of the same count over its file versions, and
a version's rows depend only on the version (its bytes, its organisation's type) and the
project's code (file_versions.py). The odds ratios' 2x2 cells and the group tests' level
counts are kept per version in `poet_meta`: a refresh counts only the versions it has not
counted yet (after one changed return, that one; the scan reads only their rows) and
adds the counts up. Integers add up exactly, so the totals are those of one count over
every row. A changed code digest or a forced refresh counts every version again; a table
without version columns (the statistics' test fixtures), or of fewer than MIN_ROWS rows,
is counted whole each time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pandas as pd

from dagster_project.file_versions import (
    delete_versions,
    same_version,
    version_changes,
    version_keys,
)
from dagster_project.landing.rules import quote_identifier, quote_literal
from dagster_project.stats.tables import column_names, table_exists, wave_condition

SCHEMA = "poet_meta"
# A smaller mart is counted whole each time: the kept counts' transaction (a commit, and
# the write-ahead log's sync) costs more than counting a few thousand rows again.
MIN_ROWS = 100_000

# count_sql(relation, by): a query counting the rows of `relation` (a subquery of the
# responses mart) grouped by the columns `by` and its own groups; its other columns are
# the totals.
CountSql = Callable[[str, tuple[str, ...]], str]


@dataclass(frozen=True)
class Reuse:
    """What the kept counts must have been made with: this run's code digest; `forced`
    (poet run --force) counts everything again."""

    code: str
    forced: bool = False


def summed(
    con: duckdb.DuckDBPyConnection,
    name: str,
    table: str,
    count_sql: CountSql,
    groups: tuple[str, ...],
    totals: tuple[str, ...],
    waves: list[int],
    reuse: Reuse | None,
) -> pd.DataFrame:
    """wave, `groups` and the `totals` summed over the file versions of `table` in
    `waves` (one row per wave and group that has rows), counting the versions not
    counted yet under `name`; with `reuse` None, everything is counted and nothing kept."""
    keys = version_keys(column_names(con, table))
    in_waves = f"(SELECT * FROM {table} WHERE {wave_condition(waves)})"
    if reuse is None or keys is None or _rows(con, table) < MIN_ROWS:
        return _add_up(con, f"({count_sql(in_waves, ('wave',))})", groups, totals, waves)
    counts, counted = f"{SCHEMA}.{name}__counts", f"{SCHEMA}.{name}__versions"
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    con.execute("BEGIN TRANSACTION")
    try:
        if _stale(con, name, keys, reuse):
            con.execute(f"DROP TABLE IF EXISTS {counts}")
            con.execute(f"DROP TABLE IF EXISTS {counted}")
        fresh = not table_exists(con, SCHEMA, f"{name}__versions")
        listed = ", ".join(quote_identifier(k) for k in keys)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE counted_now AS SELECT DISTINCT {listed} FROM {table}"
        )
        new = "counted_now"
        if not fresh:
            version_changes(con, "counted_now", counted, keys, "counted")
            delete_versions(con, (counts, counted), "counted_gone", keys)
            new = "counted_new"
        # Numbered, so that the count groups by one integer rather than the version's text.
        con.execute(
            "CREATE OR REPLACE TEMP TABLE missing_versions AS SELECT row_number() OVER () "
            f"AS version_id, * FROM {new} WHERE {wave_condition(waves)}"
        )
        missing = con.execute("SELECT count(*) FROM missing_versions").fetchone()[0]
        if fresh or missing:
            rows = _rows_of_missing(con, table, keys, fresh)
            other_keys = ", ".join(f"v.{quote_identifier(k)}" for k in keys if k != "wave")
            version_counts = (
                f"SELECT {other_keys}, n.* EXCLUDE (version_id) "
                f"FROM ({count_sql(rows, ('wave', 'version_id'))}) AS n "
                "JOIN missing_versions AS v USING (version_id)"
            )
            versions = (
                f"SELECT * EXCLUDE (version_id), {quote_literal(reuse.code)} AS code "
                "FROM missing_versions"
            )
            if fresh:
                con.execute(f"CREATE TABLE {counts} AS {version_counts}")
                con.execute(f"CREATE TABLE {counted} AS {versions}")
            else:
                con.execute(f"INSERT INTO {counts} BY NAME {version_counts}")
                con.execute(f"INSERT INTO {counted} BY NAME {versions}")
        for temporary in ("counted_now", "counted_gone", "counted_new", "missing_versions"):
            con.execute(f"DROP TABLE IF EXISTS {temporary}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return _add_up(con, counts, groups, totals, waves)


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _stale(con: duckdb.DuckDBPyConnection, name: str, keys: tuple[str, ...], reuse: Reuse) -> bool:
    """The kept counts cannot be added to: forced, made by other code, or of other keys."""
    if reuse.forced or not table_exists(con, SCHEMA, f"{name}__versions"):
        return True
    if not table_exists(con, SCHEMA, f"{name}__counts"):
        return True
    if column_names(con, f"{SCHEMA}.{name}__versions") != [*keys, "code"]:
        return True
    other = con.execute(
        f"SELECT count(*) FROM {SCHEMA}.{name}__versions WHERE code <> ?", [reuse.code]
    ).fetchone()[0]
    return bool(other)


def _rows_of_missing(
    con: duckdb.DuckDBPyConnection, table: str, keys: tuple[str, ...], every: bool
) -> str:
    """The rows of `table` of the versions in missing_versions, with their version_id.
    Unless they are `every` version, the list of their sha256 lets DuckDB skip the other
    versions' rows as it scans; the join keeps exactly the versions (a sha256 may be
    another slot's too)."""
    prefilter = "TRUE"
    if not every:
        shas = [
            s
            for (s,) in con.execute(
                "SELECT DISTINCT source_sha256 FROM missing_versions WHERE source_sha256 IS NOT NULL"
            ).fetchall()
        ]
        listed = ", ".join(quote_literal(s) for s in shas) or "NULL"
        prefilter = f"t.source_sha256 IN ({listed})"
        nulls = con.execute(
            "SELECT count(*) FROM missing_versions WHERE source_sha256 IS NULL"
        ).fetchone()[0]
        if nulls:
            prefilter = f"({prefilter} OR t.source_sha256 IS NULL)"
    return (
        f"(SELECT t.*, v.version_id FROM {table} AS t JOIN missing_versions AS v "
        f"ON {same_version(keys, 't', 'v')} WHERE {prefilter})"
    )


def _add_up(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    groups: tuple[str, ...],
    totals: tuple[str, ...],
    waves: list[int],
) -> pd.DataFrame:
    by = ", ".join(quote_identifier(c) for c in ("wave", *groups))
    sums = ", ".join(f"SUM({quote_identifier(c)})::BIGINT AS {quote_identifier(c)}" for c in totals)
    return con.execute(
        f"SELECT {by}, {sums} FROM {relation} WHERE {wave_condition(waves)} "
        f"GROUP BY {by} ORDER BY {by}"
    ).df()

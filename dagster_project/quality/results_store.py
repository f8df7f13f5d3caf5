"""History of every gate: `quality.validation_results` in the working warehouse.

One row per expectation per run, passes included, so a data engineer can follow a
gate over time; publishing copies the schema to analysts as well.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb

from dagster_project.quality.outcomes import GateResult

RESULTS_TABLE = "quality.validation_results"

_DDL = f"""
CREATE SCHEMA IF NOT EXISTS quality;
CREATE TABLE IF NOT EXISTS {RESULTS_TABLE} (
    run_id VARCHAR NOT NULL,
    checked_at TIMESTAMP NOT NULL,
    "table" VARCHAR NOT NULL,
    suite VARCHAR NOT NULL,
    expectation VARCHAR NOT NULL,
    "column" VARCHAR,
    success BOOLEAN NOT NULL,
    severity VARCHAR NOT NULL,
    unexpected_count BIGINT,
    examples JSON,
    message VARCHAR
);
"""


def record(con: duckdb.DuckDBPyConnection, run_id: str, result: GateResult) -> int:
    """Append one row per outcome; returns the number of rows written."""
    con.execute(_DDL)
    checked_at = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        (
            run_id,
            checked_at,
            result.table,
            result.suite,
            o.expectation,
            o.column,
            o.success,
            o.severity,
            o.unexpected_count,
            json.dumps(o.examples, default=str),
            o.message,
        )  # fmt: skip
        for o in result.outcomes
    ]
    con.executemany(f"INSERT INTO {RESULTS_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def latest_failed_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables whose most recent gate run had a failed critical expectation."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'quality' AND table_name = 'validation_results'"
    ).fetchone()[0]
    if not exists:
        return []
    return [
        row[0]
        for row in con.execute(
            f"""
            WITH latest AS (
                SELECT "table", arg_max(run_id, checked_at) AS run_id
                FROM {RESULTS_TABLE} GROUP BY "table"
            )
            SELECT DISTINCT r."table" FROM {RESULTS_TABLE} r JOIN latest USING ("table", run_id)
            WHERE NOT r.success AND r.severity = 'critical' ORDER BY 1
            """
        ).fetchall()
    ]

"""History of every gate: `quality.validation_results` in the working warehouse.

One row per expectation per run, passes included, so a data engineer can follow a
gate over time; publishing copies the schema to analysts as well.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb

from dagster_project.quality.contact_details import CONTACT_DETAIL_PATTERNS, CONTACT_DETAILS_CHECK
from dagster_project.quality.masking import FREE_TEXT_COLUMN_SQL
from dagster_project.quality.outcomes import ExpectationOutcome, GateResult

RESULTS_TABLE = "quality.validation_results"
_ROWS_PER_INSERT = 200

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


MASKED_BY_MIGRATION = "hidden (recorded before gates masked their examples)"


def mask_stored_examples(con: duckdb.DuckDBPyConnection) -> int:
    """Migration: examples recorded before masking (contact-detail findings, values of
    free-text columns) are replaced by where and what; messages are scrubbed of contact
    details. Idempotent: rows already masked are left alone. Returns rows changed."""
    examples = con.execute(
        f"""UPDATE {RESULTS_TABLE}
            SET examples = json_array(json_object('column', "column", 'kind', expectation,
                                                  'value', '{MASKED_BY_MIGRATION}'))
            WHERE examples IS NOT NULL AND json_array_length(examples) > 0
              AND (expectation = ? OR regexp_matches(coalesce("column", ''), ?))
              AND json_extract_string(examples, '$[0].kind') IS NULL""",
        [CONTACT_DETAILS_CHECK, FREE_TEXT_COLUMN_SQL],
    ).fetchone()[0]
    scrubbed_message = "message"
    scrubbed_examples = "CAST(examples AS VARCHAR)"
    regex = "|".join(f"(?:{p})" for p in CONTACT_DETAIL_PATTERNS.values())
    for kind, pattern in CONTACT_DETAIL_PATTERNS.items():
        literal = "'" + pattern.replace("'", "''") + "'"
        scrubbed_message = f"regexp_replace({scrubbed_message}, {literal}, '[{kind}]', 'g')"
        scrubbed_examples = f"regexp_replace({scrubbed_examples}, {literal}, '[{kind}]', 'g')"
    others = con.execute(
        f"""UPDATE {RESULTS_TABLE}
            SET message = {scrubbed_message}, examples = CAST({scrubbed_examples} AS JSON)
            WHERE regexp_matches(coalesce(message, ''), ?)
               OR regexp_matches(coalesce(CAST(examples AS VARCHAR), ''), ?)""",
        [regex, regex],
    ).fetchone()[0]
    return int(examples) + int(others)


# Warehouse files this process has migrated: rows recorded by this code are masked when
# they are written, so the migration (a regex scan of the whole history, which grows
# with every run) runs once per file and process, not once per gate (29 per refresh).
_MIGRATED: set[str] = set()


def _database_file(con: duckdb.DuckDBPyConnection) -> str | None:
    """The file of the connection's database (None in memory)."""
    return con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()[0]


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_DDL)
    database = _database_file(con)
    if database is None or database not in _MIGRATED:
        mask_stored_examples(con)
        if database is not None:
            _MIGRATED.add(database)


def record(con: duckdb.DuckDBPyConnection, run_id: str, result: GateResult) -> int:
    """Append one row per outcome; returns the number of rows written."""
    ensure_table(con)
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
    # One statement per chunk of rows: DuckDB's executemany runs a statement per row
    # (about 1.3 ms each, and a refresh records some 900 outcomes).
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        chunk = rows[start : start + _ROWS_PER_INSERT]
        values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(chunk))
        con.execute(
            f"INSERT INTO {RESULTS_TABLE} VALUES {values}", [v for row in chunk for v in row]
        )
    return len(rows)


def _results_exist(con: duckdb.DuckDBPyConnection) -> bool:
    schema, name = RESULTS_TABLE.split(".")
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = ? AND table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


# The SQL checks' outcomes (runner.py) are named so; Great Expectations' are not.
SQL_CHECK_PREFIX = "poet_"


def expectation_outcomes(
    con: duckdb.DuckDBPyConnection, run_id: str, table: str, suite: str
) -> tuple[ExpectationOutcome, ...]:
    """The Great Expectations outcomes a run recorded for a table, in their order."""
    if not _results_exist(con):
        return ()
    rows = con.execute(
        f"""SELECT expectation, "column", success, severity, unexpected_count, examples, message
            FROM {RESULTS_TABLE}
            WHERE run_id = ? AND "table" = ? AND suite = ? AND NOT starts_with(expectation, ?)
            ORDER BY rowid""",
        [run_id, table, suite, SQL_CHECK_PREFIX],
    ).fetchall()
    return tuple(
        ExpectationOutcome(
            expectation,
            column,
            success,
            severity,
            unexpected_count,
            json.loads(examples) if examples else [],
            message,
        )  # fmt: skip
        for expectation, column, success, severity, unexpected_count, examples, message in rows
    )


def latest_failed_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables whose most recent gate run had a failed critical expectation."""
    if not _results_exist(con):
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

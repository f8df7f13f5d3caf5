"""Runs one expectation suite against one warehouse table.

Great Expectations (ephemeral context, pandas batch) runs the suite's expectations on
a dataframe holding only the columns they name, in the gate worker's process
(gate_worker.py, engine.py); the SQL checks declared in `meta.poet` run in DuckDB. Anything that stops a check from running (no table, no
column, an invalid expectation, a GE exception) is a failed outcome, never a pass.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from dagster_project.quality import gate_worker
from dagster_project.quality.contact_details import CONTACT_DETAILS_CHECK
from dagster_project.quality.gated_versions import VersionScope
from dagster_project.quality.masking import masked, masked_value
from dagster_project.quality.outcomes import (
    CRITICAL,
    EXAMPLES,
    WARNING,
    ExpectationOutcome,
    GateResult,
    columns_of,
    display_column,
    plain,
)

BATCH_COLUMNS = 2  # columns per GE batch (see _column_batches; 2 measured fastest at 1M rows)
# Below this many rows a table is validated in one batch per gate worker: GE's fixed
# cost per batch dominates there (the 29 gates of the default set, in this process: 11.5 s
# in batches of 2 columns, 8.7 s in one; in the two workers: 2.5-2.7 s in halves, 3.1-4.1 s
# in one).
ONE_BATCH_ROWS = 100_000
# Expectations about the table's shape: run on a zero-row frame with every column.
SCHEMA_EXPECTATIONS = frozenset(
    {"expect_column_to_exist", "expect_table_columns_to_match_set",
     "expect_table_columns_to_match_ordered_list", "expect_table_column_count_to_equal",
     "expect_table_column_count_to_be_between"}
)  # fmt: skip
# Expectations that judge each row on its own (without `mostly`): a table passes when
# every row does, so rows that passed before under the same code need no new check.
ROW_WISE_EXPECTATIONS = frozenset(
    {"expect_column_values_to_be_in_set", "expect_column_values_to_not_be_in_set",
     "expect_column_values_to_not_be_null", "expect_column_values_to_be_null",
     "expect_column_values_to_be_between", "expect_column_values_to_match_regex",
     "expect_column_values_to_not_match_regex"}
)  # fmt: skip


@dataclass(frozen=True)
class Suite:
    name: str
    table: str  # schema.table
    expectations: tuple[dict[str, Any], ...]
    poet: dict[str, Any]

    @classmethod
    def load(cls, path: Path) -> Suite:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            name=data["name"],
            table=data["meta"]["table"],
            expectations=tuple(data["expectations"]),
            poet=data["meta"].get("poet", {}),
        )


def table_columns(con: duckdb.DuckDBPyConnection, qualified: str) -> dict[str, str]:
    schema, table = qualified.split(".", 1)
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [schema, table],
    ).fetchall()
    return dict(rows)


def _contact_detail_outcomes(
    con: duckdb.DuckDBPyConnection, table: str, patterns: dict[str, str], columns: dict[str, str]
) -> list[ExpectationOutcome]:
    """Scan every VARCHAR column in one DuckDB pass (RE2, all cores).

    GE's pandas regex metric ran at about 3 s per column per million rows; DuckDB does the
    same scan in a tenth of a second, which keeps the gates inside their time budget.
    The columns are unpivoted so the statement holds one `regexp_matches`: DuckDB
    compiles the 23 kB pattern once per expression (a table of 18 text columns: 2.8 s
    with one expression per column, 0.2 s unpivoted).
    """
    text_columns = [name for name, data_type in columns.items() if data_type == "VARCHAR"]
    if not text_columns:
        return []
    regex = "|".join(f"(?:{pattern})" for pattern in patterns.values())
    listed = ", ".join(f'"{c}"' for c in text_columns)
    found = dict(
        con.execute(
            f"SELECT name, count(*) FROM (UNPIVOT (SELECT {listed} FROM {table}) "
            f"ON {listed} INTO NAME name VALUE value) "
            "WHERE regexp_matches(value, $re) GROUP BY name",
            {"re": regex},
        ).fetchall()
    )
    counts = [found.get(column, 0) for column in text_columns]
    outcomes = []
    for column, count in zip(text_columns, counts, strict=True):
        examples = _contact_detail_examples(con, table, column, patterns, columns) if count else []
        outcomes.append(
            ExpectationOutcome(
                CONTACT_DETAILS_CHECK, column, count == 0, unexpected_count=count, examples=examples
            )
        )
    return outcomes


def _contact_detail_examples(
    con: duckdb.DuckDBPyConnection,
    table: str,
    column: str,
    patterns: dict[str, str],
    columns: dict[str, str],
) -> list[dict[str, Any]]:
    """Where each finding is and what kind of detail it is, never the text (masking.py):
    respondent id (or file and row), column, kind."""
    kind = (
        "CASE "
        + " ".join(
            f'WHEN regexp_matches("{column}", {_sql_literal(p)}) THEN {_sql_literal(k)}'
            for k, p in patterns.items()
        )
        + " END"
    )
    locators = [c for c in ("respondent_id", "source_path", "source_row") if c in columns]
    select = ", ".join([*(f'"{c}"' for c in locators), kind])
    regex = "|".join(f"(?:{pattern})" for pattern in patterns.values())
    rows = con.execute(
        f'SELECT {select} FROM {table} WHERE regexp_matches("{column}", $re) LIMIT {EXAMPLES}',
        {"re": regex},
    ).fetchall()
    examples = []
    for row in rows:
        where = {
            name: masked_value(name, plain(value))
            for name, value in zip(locators, row[:-1], strict=True)
        }
        examples.append({**where, "column": column, "kind": row[-1]})
    return examples


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _row_check_outcomes(
    con: duckdb.DuckDBPyConnection, table: str, checks: list[dict[str, Any]]
) -> list[ExpectationOutcome]:
    outcomes = []
    for check in checks:
        name = f"poet_row_check:{check['name']}"
        shown = ", ".join(check["columns"])
        sql = f"SELECT {shown} FROM (SELECT *, ({check['unexpected_rows']}) AS __bad FROM {table}) WHERE __bad"
        try:
            count = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
            examples = con.execute(f"{sql} LIMIT {EXAMPLES}").fetchall() if count else []
        except duckdb.Error as error:
            outcomes.append(
                ExpectationOutcome(name, shown, False, message=f"check could not run: {error}")
            )
            continue
        outcomes.append(
            ExpectationOutcome(name, shown, count == 0, unexpected_count=count,
                               examples=plain([dict(zip(check["columns"], row, strict=True)) for row in examples]))
        )  # fmt: skip
    return outcomes


def _both_values_outcomes(
    con: duckdb.DuckDBPyConnection, table: str, flags: list[str], columns: dict[str, str]
) -> list[ExpectationOutcome]:
    """Warnings for 0/1 flags that do not take both values over the table (one scan)."""
    present = [f for f in flags if f in columns]
    if not present:
        return []
    bounds = con.execute(
        "SELECT " + ", ".join(f'min("{f}"), max("{f}")' for f in present) + f" FROM {table}"
    ).fetchone()
    outcomes = []
    for i, flag in enumerate(present):
        low, high = bounds[2 * i], bounds[2 * i + 1]
        both = low == 0 and high == 1
        outcomes.append(
            ExpectationOutcome(
                "poet_flag_takes_both_values", flag, both, severity=WARNING,
                examples=[] if both else [{"min": low, "max": high}],
            )
        )  # fmt: skip
    return outcomes


def _row_count_outcome(
    con: duckdb.DuckDBPyConnection, table: str, other: str, rows: int
) -> ExpectationOutcome:
    name = "poet_same_row_count_as"
    try:
        other_rows = con.execute(f"SELECT count(*) FROM {other}").fetchone()[0]
    except duckdb.Error as error:
        return ExpectationOutcome(name, None, False, message=f"cannot count {other}: {error}")
    return ExpectationOutcome(
        name, None, rows == other_rows, unexpected_count=abs(rows - other_rows),
        examples=[{table: rows, other: other_rows}],
        message=None if rows == other_rows else f"{table} has {rows} rows, {other} has {other_rows}",
    )  # fmt: skip


def _column_batches(
    specs: list[dict], limit: int = BATCH_COLUMNS
) -> list[tuple[list[str], list[dict]]]:
    """Expectations grouped into batches of at most `limit` columns.

    GE's pandas engine copies its dataframe for each metric domain, so a wide frame
    costs (columns x expectations); one batch per column instead pays GE's fixed cost
    per batch. A few columns per batch balances the two on a large table; on a small one
    the copies are cheap and one batch is fastest (run_suite).
    """
    batches: list[tuple[list[str], list[dict]]] = []
    for spec in specs:
        needed = list(dict.fromkeys(columns_of(spec["kwargs"])))
        for columns, members in batches:
            merged = list(dict.fromkeys(columns + needed))
            if len(merged) <= max(limit, len(needed)):
                columns[:] = merged
                members.append(spec)
                break
        else:
            batches.append((needed, [spec]))
    return batches


def _fetch(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    """A query's rows as an Arrow table: what the gate worker converts to pandas (text
    columns become Arrow-backed strings without a Python object per cell, 3-5x faster
    than .df() for text)."""
    # A cursor of its own: DuckDB refuses a relation query on a connection holding an
    # unfinished result (fetchone) of an earlier execute.
    cursor = con.cursor()
    try:
        return cursor.sql(sql).to_arrow_table()
    finally:
        cursor.close()


@dataclass(frozen=True)
class Submitted:
    """A gate's first half: its batches sent to the workers (see run_suite)."""

    table: str
    columns: dict[str, str]
    versions: VersionScope | None
    rows: int
    checked: int
    scoped: str
    missing: list[ExpectationOutcome]  # expectations naming an absent column
    validations: gate_worker.Validations | None  # None: the table does not exist
    # Great Expectations' outcomes on this very table, recorded by an earlier passed gate
    # (gated_versions.unchanged_since): nothing was sent to the workers.
    carried: tuple[ExpectationOutcome, ...] = ()


def submit(
    con: duckdb.DuckDBPyConnection,
    suite: Suite,
    versions: VersionScope | None = None,
    in_flight: int = gate_worker.IN_FLIGHT,
    carried: tuple[ExpectationOutcome, ...] | None = None,
) -> Submitted:
    """Read the suite's batches of columns and send them to the gate workers; or, with
    `carried` (the outcomes an earlier gate gave this unchanged table), send nothing."""
    table = suite.table
    columns = table_columns(con, table)
    if not columns:
        return Submitted(table, columns, versions, 0, 0, table, [], None)
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    # The rows the row-wise checks read: the whole table, or the new versions' rows.
    # (No version passed before: every row is new, and the table is read as it is.)
    whole_table = versions is None or versions.passed == 0
    scoped = table if whole_table else f"(SELECT * FROM {table} WHERE {versions.where})"
    checked = rows if whole_table else con.execute(f"SELECT count(*) FROM {scoped}").fetchone()[0]
    if carried is not None:
        validations = gate_worker.Validations(in_flight)  # nothing to validate
        return Submitted(table, columns, versions, rows, checked, scoped, [], validations, carried)

    expectations = list(suite.expectations)
    schema_level = [e for e in expectations if e["type"] in SCHEMA_EXPECTATIONS]
    row_level = [e for e in expectations if e["type"] not in SCHEMA_EXPECTATIONS]

    missing: list[ExpectationOutcome] = []
    runnable = []
    for spec in row_level:
        absent = [c for c in columns_of(spec["kwargs"]) if c not in columns]
        if absent:
            missing.append(
                ExpectationOutcome(spec["type"], display_column(spec["kwargs"]), False,
                                   severity=spec.get("severity", CRITICAL),
                                   message=f"column(s) {absent} missing from {table}")
            )  # fmt: skip
        else:
            runnable.append(spec)

    row_wise = [s for s in runnable if not whole_table and _row_wise(s)]
    whole = [s for s in runnable if whole_table or not _row_wise(s)]
    # Each batch is read from DuckDB just before it is sent to the workers, which
    # validate up to gate_worker.IN_FLIGHT batches while this process reads the next
    # one: memory stays at a few columns whatever the width of the table.
    validations = gate_worker.Validations(in_flight)
    for source, source_rows, specs in ((scoped, checked, row_wise), (table, rows, whole)):
        if not specs:
            continue
        limit = BATCH_COLUMNS if source_rows > ONE_BATCH_ROWS else _share(specs)
        for group_columns, batch_specs in _column_batches(specs, limit):
            select = ", ".join(f'"{c}"' for c in group_columns) or "1 AS __rows"
            validations.add(_fetch(con, f"SELECT {select} FROM {source}"), batch_specs, suite.name)
    if schema_level:
        empty = _fetch(con, f"SELECT * FROM {table} LIMIT 0")
        validations.add(empty, schema_level, f"{suite.name}.schema")
    return Submitted(table, columns, versions, rows, checked, scoped, missing, validations)


def still_current(
    con: duckdb.DuckDBPyConnection, prepared: Submitted | None, versions: VersionScope | None
) -> bool:
    """Whether a gate prepared ahead read what the gate would read now (prefetch.py)."""
    if prepared is None or prepared.validations is None or prepared.versions != versions:
        return False
    [(rows,)] = con.execute(f"SELECT count(*) FROM {prepared.table}").fetchall()
    return rows == prepared.rows


def finish(con: duckdb.DuckDBPyConnection, suite: Suite, submitted: Submitted) -> GateResult:
    """Run the SQL checks while the workers finish, and gather every outcome."""
    table, columns, rows, scoped = (
        submitted.table, submitted.columns, submitted.rows, submitted.scoped
    )  # fmt: skip
    if submitted.validations is None:
        missing = ExpectationOutcome(
            "table_exists", None, False, message=f"table {table} does not exist in the warehouse"
        )
        return GateResult(table, suite.name, (missing,))
    # The SQL checks run here while the workers finish; their outcomes come after GE's.
    checks: list[ExpectationOutcome] = []
    for check in suite.poet.get("row_checks", []):
        source = scoped if check.get("per_version") else table
        checks += _row_check_outcomes(con, source, [check])
    if patterns := suite.poet.get("contact_detail_patterns"):
        checks += _contact_detail_outcomes(con, scoped, patterns, columns)
    if flags := suite.poet.get("flags_take_both_values"):
        checks += _both_values_outcomes(con, table, flags, columns)
    if other := suite.poet.get("same_row_count_as"):
        checks.append(_row_count_outcome(con, table, other, rows))
    outcomes = (
        submitted.missing + submitted.validations.outcomes() + list(submitted.carried) + checks
    )
    # Nothing a gate stores, logs or prints repeats personal text (masking.py).
    return GateResult(
        table,
        suite.name,
        tuple(masked(o) for o in outcomes),
        rows=rows,
        checked_rows=submitted.checked,
    )


def run_suite(
    con: duckdb.DuckDBPyConnection, suite: Suite, versions: VersionScope | None = None
) -> GateResult:
    """Validate `suite.table` on an open (read-only is enough) warehouse connection.

    With `versions`, the expectations that look at one row (or one file version) at a
    time check only the rows of `versions.new`; the others read the whole table
    (gated_versions.py)."""
    return finish(con, suite, submit(con, suite, versions))


def _share(specs: list[dict]) -> int:
    """Columns per batch of a small table: its columns split between the gate workers,
    which validate the parts at once (GE's fixed cost per batch is paid in parallel)."""
    named = {c for spec in specs for c in columns_of(spec["kwargs"])}
    return max(1, math.ceil(len(named) / gate_worker.WORKERS))


def _row_wise(spec: dict[str, Any]) -> bool:
    """An expectation whose verdict over a table is the verdicts over its rows, all passing."""
    return spec["type"] in ROW_WISE_EXPECTATIONS and "mostly" not in spec["kwargs"]

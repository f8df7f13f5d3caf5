"""Statistics of the changed waves and surveys only (issue 11, point 3; DECISIONS R36).

The odds ratios (plan 2.2: their Benjamini-Hochberg family is one wave and survey) and
the regressions (plan 2.3: one model per wave, survey and outcome) are computed per wave
and survey. A partition's inputs are the file versions of its rows in the survey's
responses mart (organisation, its type and sha256: file_versions.py) and the project's
code digest (transform/build_state.code_inputs). A refresh computes again only the
partitions whose inputs changed since the table was last written, deletes the rows of
partitions gone, and keeps the others' rows; the table and its record change in one
transaction. A forced refresh, a table without a record, or a responses mart without
version columns (the statistics' test fixtures) computes every partition.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import duckdb
import pandas as pd

from dagster_project.file_versions import version_keys
from dagster_project.stats.plan import Survey
from dagster_project.stats.tables import (
    column_names,
    create_table,
    insert_frame,
    ordered,
    table_exists,
)

RECORD = "poet_meta.stats_partitions"


@dataclass(frozen=True)
class Partitions:
    """What one survey's rows of a statistics table need this refresh."""

    survey: str
    inputs: dict[int, str] | None  # digest per present wave; None: not recorded
    compute: tuple[int, ...]  # waves to compute
    drop: tuple[int, ...]  # recorded waves no longer present: their rows go
    everything: bool  # every present wave is computed (the table may be written whole)


def _ensure_record(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS poet_meta")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {RECORD} "
        "(table_name VARCHAR, survey VARCHAR, wave INTEGER, inputs VARCHAR)"
    )


def _wave_inputs(con: duckdb.DuckDBPyConnection, survey: Survey, code: str) -> dict | None:
    keys = version_keys(column_names(con, survey.table))
    if keys is None:
        return None
    parts = ", ".join(f"coalesce(CAST(\"{k}\" AS VARCHAR), '')" for k in keys if k != "wave")
    rows = con.execute(
        f"SELECT wave, sha256(string_agg(v, ',' ORDER BY v)) FROM "
        f"(SELECT DISTINCT wave, concat_ws('|', {parts}) AS v FROM {survey.table}) GROUP BY wave"
    ).fetchall()
    return {int(w): hashlib.sha256(f"{code}:{d}".encode()).hexdigest() for w, d in rows}


def plan(
    con: duckdb.DuckDBPyConnection,
    names: tuple[str, ...],
    survey: Survey,
    code: str,
    forced: bool,
    waves: list[int],
) -> Partitions:
    """The partitions of `survey` to compute for marts tables `names` (computed
    together: what any of them needs), for the present `waves`."""
    inputs = _wave_inputs(con, survey, code)
    everything = Partitions(survey.name, inputs, tuple(waves), (), True)
    if inputs is None or forced or not all(table_exists(con, "marts", n) for n in names):
        return everything
    _ensure_record(con)
    compute, drop = set(), set()
    for name in names:
        recorded = dict(
            con.execute(
                f"SELECT wave, inputs FROM {RECORD} WHERE table_name = ? AND survey = ?",
                [name, survey.name],
            ).fetchall()
        )
        if not recorded:
            return everything
        compute |= {w for w in waves if recorded.get(w) != inputs.get(w)}
        drop |= set(recorded) - set(waves)
    return Partitions(
        survey.name, inputs, tuple(sorted(compute)), tuple(sorted(drop)), len(compute) == len(waves)
    )


def write(
    con: duckdb.DuckDBPyConnection,
    table: str,
    frame: pd.DataFrame,
    columns: dict[str, str],
    partitions: list[Partitions],
) -> int:
    """Replace the rows of the computed and dropped partitions of marts.`table` with
    `frame` (the computed partitions' rows), and the table's record; returns the rows
    the table holds. A table whose every partition is computed is written whole (so a
    changed column list takes effect)."""
    frame = ordered(table, frame, columns)
    whole = all(p.everything for p in partitions) or not table_exists(con, "marts", table)
    _ensure_record(con)
    con.execute("BEGIN TRANSACTION")
    try:
        if whole:
            create_table(con, table, columns)
        for p in partitions:
            gone = list(p.compute) + list(p.drop)
            if not whole and gone:
                marks = ", ".join("?" for _ in gone)
                con.execute(
                    f"DELETE FROM marts.{table} WHERE survey = ? AND wave IN ({marks})",
                    [p.survey, *gone],
                )
            con.execute(
                f"DELETE FROM {RECORD} WHERE table_name = ? AND survey = ?", [table, p.survey]
            )
            if p.inputs is not None:
                con.executemany(
                    f"INSERT INTO {RECORD} VALUES (?, ?, ?, ?)",
                    [(table, p.survey, w, d) for w, d in sorted(p.inputs.items())],
                )
        insert_frame(con, table, frame, columns)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return con.execute(f"SELECT count(*) FROM marts.{table}").fetchone()[0]


def describe(partitions: list[Partitions], waves: dict[str, list[int]]) -> str:
    """One line: which waves of which survey were computed, and which kept."""
    parts = []
    for p in partitions:
        kept = [w for w in waves[p.survey] if w not in p.compute]
        parts.append(
            f"{p.survey}: computed {list(p.compute) or 'none'}"
            + (f", kept {kept}" if kept else "")
            + (f", dropped {list(p.drop)}" if p.drop else "")
        )
    return "; ".join(parts)

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
from dagster_project.stats.tables import table_exists

RECORD = "poet_meta.stats_partitions"


@dataclass(frozen=True)
class Partitions:
    """What one survey's rows of a statistics table need this refresh."""

    survey: str
    inputs: dict[int, str] | None  # digest per present wave; None: not recorded
    compute: tuple[int, ...]  # waves to compute
    drop: tuple[int, ...]  # recorded waves no longer present: their rows go
    everything: bool  # every present wave is computed (the table may be written whole)


def _wave_inputs(con: duckdb.DuckDBPyConnection, survey: Survey, code: str) -> dict | None:
    columns = [
        c
        for (c,) in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema || '.' || table_name = ? ORDER BY ordinal_position",
            [survey.table],
        ).fetchall()
    ]
    keys = version_keys(columns)
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
    table: str,
    survey: Survey,
    code: str,
    forced: bool,
    waves: list[int],
) -> Partitions:
    """The partitions of `survey` in marts.`table` to compute, for the present `waves`."""
    inputs = _wave_inputs(con, survey, code)
    if inputs is None or forced or not table_exists(con, "marts", table):
        return Partitions(survey.name, inputs, tuple(waves), (), True)
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {RECORD} "
        "(table_name VARCHAR, survey VARCHAR, wave INTEGER, inputs VARCHAR)"
    )
    recorded = dict(
        con.execute(
            f"SELECT wave, inputs FROM {RECORD} WHERE table_name = ? AND survey = ?",
            [table, survey.name],
        ).fetchall()
    )
    if not recorded:
        return Partitions(survey.name, inputs, tuple(waves), (), True)
    compute = tuple(w for w in waves if recorded.get(w) != inputs.get(w))
    drop = tuple(sorted(set(recorded) - set(waves)))
    return Partitions(survey.name, inputs, compute, drop, len(compute) == len(waves))


def union(a: Partitions, b: Partitions) -> Partitions:
    """Two tables computed together (the regressions' models and terms): what either needs."""
    compute = tuple(sorted(set(a.compute) | set(b.compute)))
    drop = tuple(sorted(set(a.drop) | set(b.drop)))
    return Partitions(a.survey, a.inputs, compute, drop, a.everything or b.everything)


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
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"marts.{table}: the computed frame lacks columns {missing}")
    frame = frame[list(columns)]
    casts = ", ".join(f'CAST("{c}" AS {t})' for c, t in columns.items())
    ddl = ", ".join(f'"{c}" {t}' for c, t in columns.items())
    whole = all(p.everything for p in partitions) or not table_exists(con, "marts", table)
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute("CREATE SCHEMA IF NOT EXISTS poet_meta")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {RECORD} "
        "(table_name VARCHAR, survey VARCHAR, wave INTEGER, inputs VARCHAR)"
    )
    con.execute("BEGIN TRANSACTION")
    try:
        if whole:
            con.execute(f"CREATE OR REPLACE TABLE marts.{table} ({ddl})")
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
        if len(frame):
            con.register("_stats_frame", frame)
            con.execute(f"INSERT INTO marts.{table} SELECT {casts} FROM _stats_frame")
            con.unregister("_stats_frame")
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

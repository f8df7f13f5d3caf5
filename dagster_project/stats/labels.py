"""Readable labels for the statistics tables, joined from the reference data.

The dbt reference models (`reference.outcomes`, `reference.factor_definitions`,
`reference.variable_labels`) are the one place labels are derived (from the codebooks
and the 2014 report's seeds); the dbt marts join them in SQL, the stats stage joins the
same tables here, so an analyst reads the same label for an id in every mart.
"""

from __future__ import annotations

import duckdb
import pandas as pd

# The reference models the labels come from (Dagster asset keys [schema, name]).
LABEL_SOURCES = (
    ("reference", "outcomes"),
    ("reference", "factor_definitions"),
    ("reference", "variable_labels"),
)


def _lookup(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def outcome_labels(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _lookup(con, "SELECT survey, outcome_id, outcome_label FROM reference.outcomes")


def factor_labels(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _lookup(
        con,
        "SELECT survey, factor_id, factor_label, report_table FROM reference.factor_definitions",
    )


def analysis_variable_labels(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Labels of the flags and recodes the statistics test (kind 'analysis')."""
    return _lookup(
        con,
        "SELECT survey, variable, variable_label FROM reference.variable_labels "
        "WHERE kind = 'analysis'",
    )


def _merge(frame: pd.DataFrame, labels: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    # A left merge keeps the frame's rows and order; the reference keys are unique (dbt tests).
    # A frame made empty with every column of its table already has the label columns: they
    # are replaced, not suffixed.
    joined = [c for c in labels.columns if c not in keys]
    frame = frame.drop(columns=[c for c in joined if c in frame.columns])
    return frame.merge(labels, how="left", on=keys, validate="many_to_one")


def add_labels(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with outcome_label, factor_label and report_table, variable_label appended
    for each of outcome_id, factor_id, variable it has (per survey)."""
    if "survey" not in frame.columns:
        return frame
    if "outcome_id" in frame.columns:
        frame = _merge(frame, outcome_labels(con), ["survey", "outcome_id"])
    if "factor_id" in frame.columns:
        frame = _merge(frame, factor_labels(con), ["survey", "factor_id"])
    if "variable" in frame.columns:
        frame = _merge(frame, analysis_variable_labels(con), ["survey", "variable"])
    return frame

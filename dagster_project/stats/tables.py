"""Typed output tables of the stats stage and the one way they are written."""

from __future__ import annotations

import duckdb
import pandas as pd

# Column name -> DuckDB type, in published order (docs/contract/marts.md, plus the
# extra columns this stage documents in docs/stats.md). The label columns (outcome_label,
# factor_label, report_table, variable_label) are joined from the reference data by
# labels.add_labels when the table is written.
ODDS_RATIOS = {
    "wave": "INTEGER", "survey": "VARCHAR", "factor_id": "VARCHAR", "outcome_id": "VARCHAR",
    "a": "BIGINT", "b": "BIGINT", "c": "BIGINT", "d": "BIGINT", "n": "BIGINT",
    "odds_ratio": "DOUBLE", "ci_low": "DOUBLE", "ci_high": "DOUBLE", "p_value": "DOUBLE",
    "p_value_bh": "DOUBLE", "test": "VARCHAR", "significant": "BOOLEAN", "status": "VARCHAR",
    "factor_label": "VARCHAR", "outcome_label": "VARCHAR", "report_table": "INTEGER",
}  # fmt: skip
REGRESSION_MODELS = {
    "wave": "INTEGER", "survey": "VARCHAR", "outcome_id": "VARCHAR", "n": "BIGINT",
    "events": "BIGINT", "ll_model": "DOUBLE", "ll_null": "DOUBLE",
    "nagelkerke_r2": "DOUBLE", "cox_snell_r2": "DOUBLE", "status": "VARCHAR",
    "dropped_predictors": "VARCHAR[]", "n_predictors": "INTEGER",
    "events_per_predictor": "DOUBLE", "c_statistic": "DOUBLE", "iterations": "INTEGER",
    "outcome_label": "VARCHAR",
}  # fmt: skip
REGRESSION_TERMS = {
    "wave": "INTEGER", "survey": "VARCHAR", "outcome_id": "VARCHAR", "factor_id": "VARCHAR",
    "coef": "DOUBLE", "std_err": "DOUBLE", "odds_ratio": "DOUBLE", "ci_low": "DOUBLE",
    "ci_high": "DOUBLE", "p_value": "DOUBLE", "reported": "BOOLEAN",
    "outcome_label": "VARCHAR", "factor_label": "VARCHAR",
}  # fmt: skip
GROUP_DIFFERENCES = {
    "wave": "INTEGER", "survey": "VARCHAR", "variable": "VARCHAR", "test": "VARCHAR",
    "statistic": "DOUBLE", "df": "INTEGER", "df_within": "INTEGER", "p_value": "DOUBLE",
    "n": "BIGINT", "note": "VARCHAR", "variable_label": "VARCHAR",
}  # fmt: skip
GROUP_FIGURES = {
    "wave": "INTEGER", "survey": "VARCHAR", "variable": "VARCHAR", "level": "VARCHAR",
    "social_care_group": "VARCHAR", "n": "BIGINT", "value": "DOUBLE", "variable_label": "VARCHAR",
}  # fmt: skip
PROCESS_SCALE = {
    "wave": "INTEGER", "survey": "VARCHAR", "n": "BIGINT", "mean_inter_item_r": "DOUBLE",
    "cronbach_alpha": "DOUBLE", "items": "INTEGER",
}  # fmt: skip
REPORT_FIDELITY = {
    "kind": "VARCHAR", "survey": "VARCHAR", "table_ref": "VARCHAR", "section": "VARCHAR",
    "category": "VARCHAR", "factor_id": "VARCHAR", "outcome_id": "VARCHAR",
    "published": "DOUBLE", "reproduced": "DOUBLE", "ci_low": "DOUBLE", "ci_high": "DOUBLE",
    "within_interval": "BOOLEAN", "significance_agrees": "BOOLEAN",
    "suspected_erratum": "BOOLEAN", "unit": "VARCHAR", "published_n": "BIGINT",
    "reproduced_n": "BIGINT", "published_r2": "DOUBLE", "reproduced_r2": "DOUBLE",
    "reason": "VARCHAR", "note": "VARCHAR", "outcome_label": "VARCHAR", "factor_label": "VARCHAR",
}  # fmt: skip


def create_table(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, str]) -> None:
    """`marts.<name>`, empty, with the declared column types (replacing any table)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    ddl = ", ".join(f'"{c}" {t}' for c, t in columns.items())
    con.execute(f"CREATE OR REPLACE TABLE marts.{name} ({ddl})")


def ordered(name: str, frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """`frame`'s declared columns, in order; ValueError naming any it lacks."""
    if missing := [c for c in columns if c not in frame.columns]:
        raise ValueError(f"marts.{name}: the computed frame lacks columns {missing}")
    return frame[list(columns)]


def insert_frame(
    con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame, columns: dict[str, str]
) -> int:
    """Append `frame` (from `ordered`) to `marts.<name>`, cast to the declared types."""
    if len(frame):
        con.register("_stats_frame", frame)
        casts = ", ".join(f'CAST("{c}" AS {t})' for c, t in columns.items())
        con.execute(f"INSERT INTO marts.{name} SELECT {casts} FROM _stats_frame")
        con.unregister("_stats_frame")
    return len(frame)


def write_table(
    con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame, columns: dict[str, str]
) -> int:
    """Replace `marts.<name>` with `frame`, cast to the declared column types."""
    frame = ordered(name, frame, columns)
    create_table(con, name, columns)
    return insert_frame(con, name, frame, columns)


def wave_condition(waves: list[int] | None) -> str:
    """A SQL condition on `wave`: every wave (None) or those of `waves`."""
    if waves is None:
        return "TRUE"
    return f"wave IN ({', '.join(str(int(w)) for w in waves)})" if waves else "FALSE"


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def require_columns(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> None:
    """Fail with the missing column names when an upstream mart lacks what the stats read."""
    schema, name = table.split(".")
    if not table_exists(con, schema, name):
        raise RuntimeError(f"{table} does not exist: build the dbt marts (transform stage) first")
    present = set(column_names(con, table))
    missing = [c for c in columns if c not in present]
    if missing:
        raise RuntimeError(
            f"{table} lacks the columns {missing} that the statistics read "
            "(docs/ARCHITECTURE.md, 'The marts'): add them in the dbt model"
        )


def waves_of(con: duckdb.DuckDBPyConnection, table: str) -> list[int]:
    """The waves present in a responses table, in order (every statistic is per wave)."""
    return [
        int(w)
        for (w,) in con.execute(f"SELECT DISTINCT wave FROM {table} ORDER BY wave").fetchall()
    ]


def column_names(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The columns of `table` (schema.name), in order."""
    schema, name = table.split(".")
    return [
        c
        for (c,) in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [schema, name],
        ).fetchall()
    ]

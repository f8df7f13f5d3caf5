"""Small clean tables with the documented columns, written into a fixture DuckDB file.

Each builder writes one table that passes its gate; tests then break it on purpose.
"""

from __future__ import annotations

import duckdb

from dagster_project.codebook import load_codebook
from dagster_project.quality.gated_tables import MARTS_TABLES
from dagster_project.stats.plan import HOLDERS


def create_stg_holders(con: duckdb.DuckDBPyConnection, rows: int = 40) -> None:
    """Valid codes cycle through each variable's codebook list."""
    codebook = load_codebook("holders")
    codes = []
    for k, variable in enumerate(codebook.of_type("code", "tick")):
        if variable.name == "consent":  # staging keeps consenting rows and drops the column
            continue
        values = sorted(variable.codes)
        listed = ", ".join(map(str, values))
        codes.append(f"([{listed}])[1 + (i + {k}) % {len(values)}]::INTEGER AS {variable.name}")
    con.execute("CREATE SCHEMA IF NOT EXISTS staging")
    con.execute(
        f"""CREATE OR REPLACE TABLE staging.stg_holders AS
        SELECT 'sha' || (i // 20)::VARCHAR AS source_sha256, 2014 AS wave,
               '2014/LA0' || (i // 20)::VARCHAR || '/holders.csv' AS source_path,
               'LA0' || (i // 20)::VARCHAR AS org_code, 'H' || lpad(i::VARCHAR, 7, '0') AS respondent_id,
               CASE WHEN i % 5 = 0 THEN NULL ELSE 50.0 + i END AS amount_gbp,
               DATE '2014-03-01' + (i % 60)::INTEGER AS survey_date,
               'Thanks to [name], call [phone]' AS comment_worked_well_redacted,
               {", ".join(codes)}
        FROM range({rows}) t(i)"""
    )


def create_rec_holders(con: duckdb.DuckDBPyConnection) -> None:
    """One row per staging row; each flag alternates so every share lies inside (0, 1)."""
    flags = [f"{o}_{side}" for o in HOLDERS.outcomes for side in ("positive", "negative")]
    flags += list(HOLDERS.factors)
    columns = ", ".join(
        f"CASE WHEN (row_number() OVER () + {k}) % 7 = 0 THEN NULL "
        f"ELSE ((row_number() OVER () + {k}) % 2)::INTEGER END AS {flag}"
        for k, flag in enumerate(flags)
    )
    con.execute("CREATE SCHEMA IF NOT EXISTS recoded")
    con.execute(
        f"CREATE OR REPLACE TABLE recoded.rec_holders AS "
        f"SELECT source_sha256, respondent_id, {columns} FROM staging.stg_holders"
    )


def _as_double(con: duckdb.DuckDBPyConnection, table: str, *columns: str) -> None:
    # VALUES literals are DECIMAL; the marts hold DOUBLE.
    for column in columns:
        con.execute(f"ALTER TABLE {table} ALTER {column} TYPE DOUBLE")


def create_outcome_summary(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute(
        """CREATE OR REPLACE TABLE marts.outcome_summary AS SELECT * FROM (VALUES
        (2014, 'holders', 'quality_of_life', 200, 150, 75.0, 68.6, 80.4, 5.0, 20.0),
        (2014, 'holders', 'paid_work', 40, 10, 25.0, 14.2, 40.2, 15.0, 60.0),
        (2014, 'carers', 'carer_stress', 80, 40, 50.0, 39.3, 60.7, 10.0, 40.0)
        ) t(wave, survey, outcome_id, n_relevant, n_positive, pct_positive, ci_low, ci_high,
            pct_negative, pct_no_difference)"""
    )
    _as_double(con, "marts.outcome_summary", "pct_positive", "ci_low", "ci_high",
               "pct_negative", "pct_no_difference")  # fmt: skip


def create_org_benchmark(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute(
        """CREATE OR REPLACE TABLE marts.org_benchmark AS SELECT * FROM (VALUES
        (2014, 'holders', 'LA01', 'Lancaster Council', 'quality_of_life', 20, 15, 75.0, 53.1,
         88.8, 70.0, 'similar', 49.9, 90.1, 37.6, 100.0, false),
        (2014, 'holders', 'LA02', 'Northshire NHS', 'quality_of_life', NULL, NULL, NULL, NULL,
         NULL, 70.0, NULL, NULL, NULL, NULL, NULL, true)
        ) t(wave, survey, org_code, org_name, outcome_id, n_relevant, n_positive, pct_positive,
            ci_low, ci_high, national_pct, comparison, funnel_95_low, funnel_95_high,
            funnel_998_low, funnel_998_high, suppressed)"""
    )
    _as_double(con, "marts.org_benchmark", "pct_positive", "ci_low", "ci_high", "national_pct",
               "funnel_95_low", "funnel_95_high", "funnel_998_low", "funnel_998_high")  # fmt: skip


def create_comments(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute(
        """CREATE OR REPLACE TABLE marts.comments AS SELECT * FROM (VALUES
        (2014, 'holders', 'LA01', 'H0001', 'worked_well', 'My PA [name] is great, call [phone]'),
        (2014, 'holders', 'LA01', 'H0002', 'change', 'Write to [email] or [postcode], NHS [nhs_number]'),
        (2014, 'carers', 'LA02', 'C0001', 'not_worked', 'I miss going out. Paid 1000 pounds in 2014-03-07')
        ) t(wave, survey, org_code, respondent_id, question, comment_redacted)"""
    )


def create_comment_themes(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute(
        """CREATE OR REPLACE TABLE marts.comment_themes AS SELECT * FROM (VALUES
        (2014, 'holders', 'LA01', 'H0001', 'change', 'process', 'forms', 'Process', 'a1'),
        (2014, 'holders', 'LA01', 'H0001', 'change', 'support', 'help', 'Support', 'a1'),
        (2014, 'holders', 'LA01', 'H0002', 'change', 'process', 'forms', 'Process', 'a1')
        ) t(wave, survey, org_code, respondent_id, question, theme_id, rule, label, source_sha256)"""
    )


def create_odds_ratios(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute(
        """CREATE OR REPLACE TABLE marts.odds_ratios AS SELECT * FROM (VALUES
        (2014, 'holders', 'female', 'quality_of_life', 30, 10, 20, 20, 80, 3.0, 1.2, 7.5, 0.01,
         0.02, 'chi_square', true, 'ok'),
        (2014, 'holders', 'white', 'quality_of_life', 50, 30, 0, 0, 80, NULL, NULL, NULL, NULL,
         NULL, NULL, false, 'one_value')
        ) t(wave, survey, factor_id, outcome_id, a, b, c, d, n, odds_ratio, ci_low, ci_high,
            p_value, p_value_bh, test, significant, status)"""
    )
    _as_double(con, "marts.odds_ratios", "odds_ratio", "ci_low", "ci_high", "p_value", "p_value_bh")


def working_warehouse(path, marts: dict[str, str]):
    """A working warehouse at `path` holding `marts` (name: its SELECT) and every other
    contract mart as a one-row table, so a publish has all of them; returns `path`."""
    with duckdb.connect(str(path)) as con:
        create_other_marts(con, skip=tuple(marts))
        for name, select in marts.items():
            con.execute(f"CREATE TABLE marts.{name} AS {select}")
    return path


def create_other_marts(con: duckdb.DuckDBPyConnection, skip: tuple[str, ...]) -> None:
    """Every other contract mart as a one-row table, so a publish has all of them."""
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    for name in MARTS_TABLES:
        if name not in skip:
            con.execute(f"CREATE OR REPLACE TABLE marts.{name} AS SELECT 2014 AS wave")

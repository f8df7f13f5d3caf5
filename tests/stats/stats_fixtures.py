"""The stats tests' fixture warehouse: small synthetic respondent marts, an outcome
summary and distributions computed from them, and the published 2014 seeds loaded from
CSV (a module of its own, so that tests import it by a name no other folder uses)."""

from __future__ import annotations

import duckdb

from dagster_project.settings import REFERENCE_DIR
from dagster_project.stats.synthetic_marts import carers_frame, holders_frame, write_marts

SEED_NAMES = [
    f"published_2014_{s}_{n}"
    for s in ("holder", "carer")
    for n in ("bivariate_odds_ratios", "marginals", "regressions")
]


def build_fixture_warehouse(path: str, holders: int = 2500, carers: int = 1200) -> None:
    con = duckdb.connect(path)
    try:
        write_marts(
            con,
            holders_frame(holders, wave=2014, seed=11),
            carers_frame(carers, wave=2014, seed=12),
        )
        # A second wave so that every statistic is shown to be per wave.
        con.execute(
            "INSERT INTO marts.holder_responses BY NAME SELECT * FROM ("
            "SELECT * REPLACE (2015 AS wave) FROM marts.holder_responses USING SAMPLE 60% (bernoulli, 3))"
        )
        con.execute(
            "INSERT INTO marts.carer_responses BY NAME SELECT * FROM ("
            "SELECT * REPLACE (2015 AS wave) FROM marts.carer_responses USING SAMPLE 60% (bernoulli, 3))"
        )
        outcome_summary(con)
        _distributions(con)
        org_summary(con)
        con.execute("CREATE SCHEMA IF NOT EXISTS reference")
        for name in SEED_NAMES:
            con.execute(
                f"CREATE OR REPLACE TABLE reference.{name} AS "
                f"SELECT * FROM read_csv('{REFERENCE_DIR / (name + '.csv')}', header = true)"
            )
        label_references(con)
    finally:
        con.close()


def label_references(con: duckdb.DuckDBPyConnection) -> None:
    """Stand-ins for the dbt reference models the stats join labels from (their derivation
    from the codebooks is tested with dbt in tests/transform): a label names its id."""
    from dagster_project.stats.group_tests import AMOUNT, group_variables
    from dagster_project.stats.plan import SURVEYS

    outcomes, factors, variables = [], [], []
    for s in SURVEYS:
        outcomes += [(s.name, o, f"Outcome {o}") for o in s.outcomes]
        factors += [(s.name, f, f"Factor {f}", 1 + i % 6) for i, f in enumerate(s.factors)]
    variables += [("holders", "analysis", v, f"Variable {v}") for v, _ in group_variables()]
    variables.append(("holders", "analysis", AMOUNT, f"Variable {AMOUNT}"))
    con.execute(
        "CREATE OR REPLACE TABLE reference.outcomes (survey VARCHAR, outcome_id VARCHAR, outcome_label VARCHAR)"
    )
    con.executemany("INSERT INTO reference.outcomes VALUES (?, ?, ?)", outcomes)
    con.execute(
        "CREATE OR REPLACE TABLE reference.factor_definitions "
        "(survey VARCHAR, factor_id VARCHAR, factor_label VARCHAR, report_table INTEGER)"
    )
    con.executemany("INSERT INTO reference.factor_definitions VALUES (?, ?, ?, ?)", factors)
    con.execute(
        "CREATE OR REPLACE TABLE reference.variable_labels "
        "(survey VARCHAR, kind VARCHAR, variable VARCHAR, variable_label VARCHAR)"
    )
    con.executemany("INSERT INTO reference.variable_labels VALUES (?, ?, ?, ?)", variables)


def outcome_summary(con: duckdb.DuckDBPyConnection) -> None:
    from dagster_project.stats.plan import SURVEYS

    parts = []
    for s in SURVEYS:
        for o in s.outcomes:
            parts.append(
                f"SELECT wave, '{s.name}' AS survey, '{o}' AS outcome_id, COUNT({o}_positive) AS n_relevant, "
                f"SUM({o}_positive) AS n_positive, 100.0 * AVG({o}_positive) AS pct_positive, "
                f"100.0 * AVG({o}_positive) - 3 AS ci_low, 100.0 * AVG({o}_positive) + 3 AS ci_high, "
                f"5.0 AS pct_negative, 100 - 100.0 * AVG({o}_positive) - 5 AS pct_no_difference "
                f"FROM {s.table} GROUP BY wave"
            )
    con.execute("CREATE OR REPLACE TABLE marts.outcome_summary AS " + " UNION ALL ".join(parts))


def org_summary(con: duckdb.DuckDBPyConnection) -> None:
    # The used returns (trend_changes compares organisations with a return in both waves).
    con.execute(
        """
        CREATE OR REPLACE TABLE marts.org_summary AS
        SELECT DISTINCT wave, 'holders' AS survey, org_code, 'Org ' || org_code AS org_name
        FROM marts.holder_responses
        UNION ALL
        SELECT DISTINCT wave, 'carers', org_code, 'Org ' || org_code FROM marts.carer_responses
        """
    )


def _distributions(con: duckdb.DuckDBPyConnection) -> None:
    # A few coded variables, enough for code_share marginals: gender from `female`.
    con.execute(
        """
        CREATE OR REPLACE TABLE marts.distributions AS
        SELECT wave, survey, 'gender' AS variable, code, label, n,
               100.0 * n / SUM(n) OVER (PARTITION BY wave, survey) AS pct
        FROM (
            SELECT wave, 'holders' AS survey, CASE female WHEN 1 THEN 1 ELSE 2 END AS code,
                   CASE female WHEN 1 THEN 'Female' ELSE 'Male' END AS label, COUNT(*) AS n
            FROM marts.holder_responses WHERE female IS NOT NULL GROUP BY ALL
            UNION ALL
            SELECT wave, 'carers', CASE female WHEN 1 THEN 1 ELSE 2 END,
                   CASE female WHEN 1 THEN 'Female' ELSE 'Male' END, COUNT(*)
            FROM marts.carer_responses WHERE female IS NOT NULL GROUP BY ALL
        )
        """
    )

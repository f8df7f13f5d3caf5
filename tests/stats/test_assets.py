"""One dg.materialize of every stats asset on a fixture warehouse."""

import csv

import duckdb

from dagster_project.settings import REFERENCE_DIR
from dagster_project.stats.fidelity import fidelity_summary
from dagster_project.stats.plan import (
    CARER_FACTORS,
    CARER_OUTCOMES,
    HOLDER_FACTORS,
    HOLDER_OUTCOMES,
)


def _seed_rows(name: str) -> int:
    with (REFERENCE_DIR / f"published_2014_{name}.csv").open() as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_every_table_written_per_wave_and_survey(materialized_warehouse):
    con = duckdb.connect(materialized_warehouse, read_only=True)
    counts = dict(
        con.execute(
            "SELECT survey || wave, COUNT(*) FROM marts.odds_ratios GROUP BY ALL"
        ).fetchall()
    )
    assert counts == {
        "holders2014": len(HOLDER_FACTORS) * len(HOLDER_OUTCOMES),
        "holders2015": len(HOLDER_FACTORS) * len(HOLDER_OUTCOMES),
        "carers2014": len(CARER_FACTORS) * len(CARER_OUTCOMES),
        "carers2015": len(CARER_FACTORS) * len(CARER_OUTCOMES),
    }
    models = con.execute(
        "SELECT survey, wave, COUNT(*) FROM marts.regression_models GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert models == [
        ("carers", 2014, 8),
        ("carers", 2015, 8),
        ("holders", 2014, 15),
        ("holders", 2015, 15),
    ]
    # terms only for fitted models, one per kept predictor
    bad = con.execute(
        """
        SELECT m.survey, m.wave, m.outcome_id FROM marts.regression_models m
        LEFT JOIN (SELECT survey, wave, outcome_id, COUNT(*) k FROM marts.regression_terms GROUP BY ALL) t
        USING (survey, wave, outcome_id)
        WHERE (m.status = 'ok') <> (COALESCE(t.k, 0) = m.n_predictors AND t.k > 0)
        """
    ).fetchall()
    assert bad == []
    assert con.execute("SELECT COUNT(*) FROM marts.process_scale").fetchone()[0] == 2
    assert (
        con.execute("SELECT COUNT(DISTINCT variable) FROM marts.group_differences").fetchone()[0]
        == 15 + 18 + 9 + 1
    )
    expected = sum(
        _seed_rows(f"{s}_{n}")
        for s in ("holder", "carer")
        for n in ("marginals", "bivariate_odds_ratios", "regressions")
    )
    assert con.execute("SELECT COUNT(*) FROM marts.report_fidelity").fetchone()[0] == expected
    con.close()


def test_fidelity_rows(materialized_warehouse):
    con = duckdb.connect(materialized_warehouse, read_only=True)
    # the inverse row is compared with 1/OR of older_adult_65plus
    inverse = con.execute(
        """
        SELECT f.reproduced, t.odds_ratio, f.ci_low, 1 / t.ci_high FROM marts.report_fidelity f
        JOIN marts.regression_terms t ON t.wave = 2014 AND t.survey = f.survey
         AND t.outcome_id = f.outcome_id AND t.factor_id = f.factor_id
        WHERE f.kind = 'regression' AND f.category = 'Working age carer'
        """
    ).fetchall()
    for reproduced, odds_ratio, low, expected_low in inverse:
        assert abs(reproduced - 1 / odds_ratio) < 1e-12 and abs(low - expected_low) < 1e-12
    errata = con.execute(
        "SELECT COUNT(*) FROM marts.report_fidelity WHERE suspected_erratum"
    ).fetchone()[0]
    assert errata == 4
    # odds ratio rows carry the reproduced figure of odds_ratios
    (mismatch,) = con.execute(
        """
        SELECT COUNT(*) FROM marts.report_fidelity f JOIN marts.odds_ratios o
          ON o.wave = 2014 AND o.survey = f.survey AND o.factor_id = f.factor_id AND o.outcome_id = f.outcome_id
        WHERE f.kind = 'odds_ratio' AND o.status = 'ok' AND (f.reproduced <> o.odds_ratio
           OR f.within_interval <> (f.published BETWEEN o.ci_low AND o.ci_high))
        """
    ).fetchone()
    assert mismatch == 0
    census = con.execute(
        "SELECT reproduced, reason FROM marts.report_fidelity WHERE section = 'general_health_population'"
    ).fetchall()
    assert census and all(r is None and "Census" in reason for r, reason in census)
    gender = con.execute(
        "SELECT reproduced FROM marts.report_fidelity WHERE survey = 'holders' AND section = 'gender' AND category = 'female'"
    ).fetchone()[0]
    expected = con.execute(
        "SELECT 100 * AVG(female) FROM marts.holder_responses WHERE wave = 2014"
    ).fetchone()[0]
    assert abs(gender - expected) < 1e-9
    summary = fidelity_summary(con)
    assert "Table 7:" in summary and "Table 12:" in summary
    con.close()


def test_missing_mart_column_is_named(tmp_path):
    import pytest

    from dagster_project.stats.odds_ratios import odds_ratio_table
    from dagster_project.stats.plan import HOLDERS

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.holder_responses (wave INTEGER, female INTEGER)")
    with pytest.raises(RuntimeError, match="lacks the columns .*white"):
        odds_ratio_table(con, HOLDERS)

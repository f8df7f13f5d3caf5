"""Plan 2.2 statistics against hand calculations, scipy and statsmodels."""

import math

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from dagster_project.stats.odds_ratios import benjamini_hochberg, pair_counts, two_by_two_tests
from dagster_project.stats.plan import HOLDERS
from dagster_project.stats.synthetic_marts import carers_frame, holders_frame, write_marts


def _one(a, b, c, d, wave=2014, survey="holders"):
    frame = pd.DataFrame([{"wave": wave, "survey": survey, "a": a, "b": b, "c": c, "d": d}])
    return two_by_two_tests(frame).iloc[0]


def test_hand_worked_table():
    # a=30 b=10 c=20 d=40: OR = 30*40/(10*20) = 6; se = sqrt(1/30+1/10+1/20+1/40)
    row = _one(30, 10, 20, 40)
    se = math.sqrt(1 / 30 + 1 / 10 + 1 / 20 + 1 / 40)
    assert row["odds_ratio"] == pytest.approx(6.0)
    assert row["ci_low"] == pytest.approx(math.exp(math.log(6) - 1.959964 * se))
    assert row["ci_high"] == pytest.approx(math.exp(math.log(6) + 1.959964 * se))
    # chi-square by hand: n(ad-bc)^2 / (row and column totals)
    chi2 = 100 * (30 * 40 - 10 * 20) ** 2 / (40 * 60 * 50 * 50)
    assert row["p_value"] == pytest.approx(stats.chi2.sf(chi2, 1))
    assert row["test"] == "chi_square" and row["status"] == "ok" and row["significant"]
    assert row["n"] == 100


def test_chi_square_agrees_with_scipy():
    for table in ([[120, 80], [90, 110]], [[40, 25], [33, 51]], [[500, 20], [480, 35]]):
        row = _one(*table[0], *table[1])
        expected = stats.chi2_contingency(np.array(table), correction=False)
        assert row["test"] == "chi_square"
        assert row["p_value"] == pytest.approx(expected.pvalue, rel=1e-10)


def test_fisher_when_an_expected_count_is_below_five():
    # expected count of cell a: 10 * 7 / 20 = 3.5 < 5
    row = _one(1, 9, 6, 4)
    assert row["test"] == "fisher"
    assert row["p_value"] == pytest.approx(stats.fisher_exact([[1, 9], [6, 4]]).pvalue, rel=1e-12)


def test_zero_cell_adds_one_half_to_every_cell():
    row = _one(0, 10, 5, 20)
    or_expected = (0.5 * 20.5) / (10.5 * 5.5)
    se = math.sqrt(1 / 0.5 + 1 / 10.5 + 1 / 5.5 + 1 / 20.5)
    assert row["odds_ratio"] == pytest.approx(or_expected)
    assert row["ci_low"] == pytest.approx(math.exp(math.log(or_expected) - 1.959964 * se))
    assert row["a"] == 0  # counts stay as observed


@pytest.mark.parametrize("cells", [(10, 5, 0, 0), (0, 0, 3, 4), (10, 0, 5, 0), (0, 7, 0, 9)])
def test_one_value(cells):
    row = _one(*cells)
    assert row["status"] == "one_value" and not row["significant"]
    assert all(pd.isna(row[k]) for k in ("odds_ratio", "ci_low", "ci_high", "p_value", "test"))
    assert row["n"] == sum(cells)


def test_benjamini_hochberg_matches_statsmodels():
    p = np.random.default_rng(4).uniform(size=200) ** 3
    assert np.allclose(benjamini_hochberg(p), multipletests(p, method="fdr_bh")[1], atol=1e-14)


def test_bh_over_ok_rows_of_each_wave_and_survey():
    frame = pd.DataFrame(
        [
            {"wave": w, "survey": s, "a": a, "b": 10, "c": 12, "d": d}
            for w in (2014, 2015)
            for s in ("holders", "carers")
            for a, d in ((15, 11), (30, 9), (12, 40), (7, 0))
        ]
        + [{"wave": 2014, "survey": "holders", "a": 5, "b": 6, "c": 0, "d": 0}]
    )
    out = two_by_two_tests(frame)
    assert out["p_value_bh"][out["status"] == "one_value"].isna().all()
    for _, group in out[out["status"] == "ok"].groupby(["wave", "survey"]):
        expected = multipletests(group["p_value"], method="fdr_bh")[1]
        assert np.allclose(group["p_value_bh"], expected)


def test_sql_counts_match_a_crosstab_per_pair():
    holders = holders_frame(1500, seed=5)
    con = duckdb.connect()
    write_marts(con, holders, carers_frame(300, seed=6))
    counts = pair_counts(con, HOLDERS).set_index(["factor_id", "outcome_id"])
    for factor in ("female", "process_made_easy", "plan_help_nhs", "dp_broker"):
        for outcome in ("quality_of_life", "paid_work", "dignity"):
            pair = holders[[factor, f"{outcome}_positive"]].dropna().astype(int)
            table = pd.crosstab(pair[factor], pair[f"{outcome}_positive"]).reindex(
                index=[1, 0], columns=[1, 0], fill_value=0
            )
            got = counts.loc[(factor, outcome)]
            assert [got.a, got.b, got.c, got.d] == table.to_numpy().ravel().tolist()

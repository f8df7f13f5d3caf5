"""Plan 2.4 and 2.5 against scipy and the textbook formulas."""

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from dagster_project.stats.group_tests import group_tables, process_scale
from dagster_project.stats.plan import PROCESS_ITEMS, SOCIAL_CARE_GROUPS
from dagster_project.stats.synthetic_marts import carers_frame, holders_frame, write_marts


@pytest.fixture(scope="module")
def holders_and_tables():
    holders = holders_frame(2500, seed=31)
    con = duckdb.connect()
    write_marts(con, holders, carers_frame(200, seed=32))
    differences, figures = group_tables(con)
    scale = process_scale(con)
    return holders, differences.set_index("variable"), figures, scale


def test_flag_chi_square_matches_scipy(holders_and_tables):
    holders, differences, figures, _ = holders_and_tables
    for variable in ("quality_of_life_positive", "dp_broker", "plan_help_nhs", "spend_equipment"):
        rows = holders[["social_care_group", variable]].dropna()
        table = pd.crosstab(rows["social_care_group"], rows[variable])
        expected = stats.chi2_contingency(table.to_numpy(), correction=False)
        got = differences.loc[variable]
        assert got["test"] == "chi_square" and got["df"] == 3
        assert got["statistic"] == pytest.approx(expected.statistic) and got[
            "p_value"
        ] == pytest.approx(expected.pvalue)
        shares = figures[(figures["variable"] == variable) & (figures["level"] == "1")].set_index(
            "social_care_group"
        )
        for group in SOCIAL_CARE_GROUPS:
            in_group = rows.loc[rows["social_care_group"] == group, variable]
            assert shares.loc[group, "n"] == len(in_group)
            assert shares.loc[group, "value"] == pytest.approx(100 * in_group.mean())


def test_process_level_chi_square_has_six_df(holders_and_tables):
    holders, differences, figures, _ = holders_and_tables
    variable = "process_change_level"
    rows = holders[["social_care_group", variable]].dropna()
    expected = stats.chi2_contingency(
        pd.crosstab(rows["social_care_group"], rows[variable]).to_numpy(), correction=False
    )
    assert differences.loc[variable, "df"] == 6
    assert differences.loc[variable, "statistic"] == pytest.approx(expected.statistic)
    levels = figures[
        (figures["variable"] == variable) & (figures["social_care_group"] == "older_people")
    ]
    assert sorted(levels["level"]) == ["difficult", "easy", "neither"]
    assert levels["value"].sum() == pytest.approx(100)


def test_anova_matches_f_oneway(holders_and_tables):
    holders, differences, figures, _ = holders_and_tables
    rows = holders[["social_care_group", "weekly_amount_gbp"]].dropna()
    samples = [
        rows.loc[rows["social_care_group"] == g, "weekly_amount_gbp"] for g in SOCIAL_CARE_GROUPS
    ]
    expected = stats.f_oneway(*samples)
    got = differences.loc["weekly_amount_gbp"]
    assert got["test"] == "anova" and got["df"] == 3 and got["df_within"] == len(rows) - 4
    assert got["statistic"] == pytest.approx(expected.statistic) and got[
        "p_value"
    ] == pytest.approx(expected.pvalue)
    means = figures[figures["level"] == "mean"].set_index("social_care_group")["value"]
    assert means["learning_disability"] == pytest.approx(samples[1].mean())


def test_process_scale_by_formula(holders_and_tables):
    holders, _, _, scale = holders_and_tables
    items = holders[list(PROCESS_ITEMS)].astype(float)
    corr = items.corr()  # pandas: pairwise complete Pearson
    mean_r = corr.to_numpy()[np.triu_indices(len(PROCESS_ITEMS), 1)].mean()
    complete = items.dropna()
    k = len(PROCESS_ITEMS)
    alpha = k / (k - 1) * (1 - complete.var(ddof=1).sum() / complete.sum(axis=1).var(ddof=1))
    row = scale.iloc[0]
    assert row["n"] == len(complete)
    assert row["mean_inter_item_r"] == pytest.approx(mean_r, abs=1e-10)
    assert row["cronbach_alpha"] == pytest.approx(alpha, abs=1e-10)

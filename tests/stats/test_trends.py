"""Plan 2.7: the change between waves against independent implementations (statsmodels'
Newcombe interval, Newcombe 1998's worked examples, scipy's chi-square) and the whole
trend marts against an independent pandas computation on a generated multi-wave set."""

from __future__ import annotations

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency
from stats_fixtures import label_references, org_summary, outcome_summary
from statsmodels.stats.proportion import confint_proportions_2indep

from dagster_project.stats.plan import SURVEYS
from dagster_project.stats.synthetic_marts import carers_frame, holders_frame, write_marts
from dagster_project.stats.trends import (
    compare,
    newcombe_interval,
    pearson_p,
    previous_waves,
)
from dagster_project.warehouse import WarehouseResource

# Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10: (k1, n1, k0, n0)
# -> (lower, upper) of p1 - p0, four decimals as printed.
NEWCOMBE_1998_METHOD_10 = {
    (56, 70, 48, 80): (0.0524, 0.3339),
    (9, 10, 3, 10): (0.1705, 0.8090),
    (6, 7, 2, 7): (0.0582, 0.8062),
    (5, 56, 0, 29): (-0.0381, 0.1926),
    (0, 10, 0, 20): (-0.1611, 0.2775),
    (10, 10, 0, 20): (0.6791, 1.0000),
}


@pytest.mark.parametrize(("counts", "published"), NEWCOMBE_1998_METHOD_10.items())
def test_newcombe_interval_matches_the_worked_examples(counts, published):
    low, high = newcombe_interval(*counts)
    assert (round(low, 4), round(high, 4)) == published


def test_newcombe_interval_matches_statsmodels():
    rng = np.random.default_rng(7)
    for _ in range(300):
        n1, n0 = (int(x) for x in rng.integers(1, 400, size=2))
        k1, k0 = int(rng.integers(0, n1 + 1)), int(rng.integers(0, n0 + 1))
        expected = confint_proportions_2indep(k1, n1, k0, n0, method="newcomb", compare="diff")
        # statsmodels uses the exact 97.5% quantile, the plan z = 1.959964: ~1e-8 apart
        assert newcombe_interval(k1, n1, k0, n0) == pytest.approx(expected, abs=1e-6)


def test_pearson_p_matches_scipy_without_correction():
    rng = np.random.default_rng(8)
    for _ in range(300):
        n1, n0 = (int(x) for x in rng.integers(2, 3000, size=2))
        k1, k0 = int(rng.integers(1, n1)), int(rng.integers(1, n0))
        table = [[k1, n1 - k1], [k0, n0 - k0]]
        expected = chi2_contingency(table, correction=False).pvalue
        assert pearson_p(k1, n1, k0, n0) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_equal_shares_of_0_or_100_percent_are_no_change():
    assert compare(0, 20, 0, 30).direction == "no_change"
    assert compare(20, 20, 30, 30).p_value == 1.0


def test_direction_follows_p_and_sign():
    up = compare(80, 100, 50, 100)
    down = compare(50, 100, 80, 100)
    same = compare(52, 100, 50, 100)
    assert (up.direction, down.direction, same.direction) == ("up", "down", "no_change")
    assert up.change_points == pytest.approx(30.0) and up.ci_low > 0
    assert down.ci_high < 0 and same.ci_low < 0 < same.ci_high


def test_an_empty_base_gives_null_figures():
    change = compare(0, 0, 40, 100)
    assert change.direction is None and change.p_value is None and change.ci_low is None
    assert change.n_relevant == 0 and change.previous_n_relevant == 100


def test_each_wave_is_compared_with_the_latest_earlier_loaded_wave():
    assert previous_waves([2015, 2013, 2014]) == {2014: 2013, 2015: 2014}
    assert previous_waves([2012, 2015]) == {2015: 2012}
    assert previous_waves([2014]) == {}


# ---------------------------------------------------------------- whole marts, pandas


WAVES = (2013, 2014, 2016)  # a gap: 2016 is compared with 2014


def _frames(survey: str, wave: int, seed: int) -> pd.DataFrame:
    make = holders_frame if survey == "holders" else carers_frame
    frame = make(900 if survey == "holders" else 500, wave=wave, seed=seed, orgs=14)
    # an organisation that improves and one that gets worse in later waves, and one with
    # a tiny return (suppressed)
    rng = np.random.default_rng(seed)
    survey_plan = {s.name: s for s in SURVEYS}[survey]
    for outcome in survey_plan.outcomes:
        flag = survey_plan.flag(outcome)
        for org, shift in (("LA01", 0.3), ("LA02", -0.3)):
            rows = (frame["org_code"] == org) & frame[flag].notna()
            share = min(0.95, max(0.05, 0.6 + shift * (wave - 2013)))
            frame.loc[rows, flag] = (rng.random(int(rows.sum())) < share).astype(int)
    small = frame.index[frame["org_code"] == "LA03"][8:]
    return frame.drop(index=small)


@pytest.fixture(scope="module")
def trend_warehouse(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("trends") / "warehouse.duckdb")
    holders = pd.concat([_frames("holders", w, 100 + w) for w in WAVES], ignore_index=True)
    # carers: no used return in 2014 (a wave with no return of a survey has no rows for it)
    carers = pd.concat([_frames("carers", w, 200 + w) for w in (2013, 2016)], ignore_index=True)
    # LA14 sends no holders return in 2014: no 2014 or 2016 comparison for it
    holders = holders[~((holders["wave"] == 2014) & (holders["org_code"] == "LA14"))]
    con = duckdb.connect(path)
    try:
        write_marts(con, holders, carers)
        con.execute("CREATE SCHEMA IF NOT EXISTS reference")
        label_references(con)  # the stats tables join their labels (stats/labels.py)
        outcome_summary(con)
        org_summary(con)
    finally:
        con.close()
    from dagster_project.stats.assets import trend_changes

    result = dg.materialize([trend_changes], resources={"warehouse": WarehouseResource(path=path)})
    assert result.success
    return path


def _independent(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Plan 2.7 recomputed with pandas, statsmodels and scipy from the responses marts."""
    national, orgs = [], []
    for s in SURVEYS:
        frame = con.execute(f"SELECT * FROM {s.table}").df()
        waves = sorted(frame["wave"].unique())
        for wave, previous in zip(waves[1:], waves[:-1], strict=True):
            for o in s.outcomes:
                flag = f"{o}_positive"

                def counts(rows: pd.DataFrame, flag: str = flag) -> tuple[int, int]:
                    answered = rows[flag].dropna()
                    return int(answered.sum()), len(answered)

                now, before = frame[frame["wave"] == wave], frame[frame["wave"] == previous]
                national.append(_row(s.name, o, wave, previous, *counts(now), *counts(before)))
                for org in sorted(set(now["org_code"]) & set(before["org_code"])):
                    k1, n1 = counts(now[now["org_code"] == org])
                    k0, n0 = counts(before[before["org_code"] == org])
                    row = _row(s.name, o, wave, previous, k1, n1, k0, n0)
                    row["org_code"] = org
                    row["suppressed"] = min(n1, n0) < 10
                    orgs.append(row)
    return pd.DataFrame(national), pd.DataFrame(orgs)


def _row(survey, outcome, wave, previous, k1, n1, k0, n0) -> dict:
    low, high = confint_proportions_2indep(k1, n1, k0, n0, method="newcomb", compare="diff")
    p = chi2_contingency([[k1, n1 - k1], [k0, n0 - k0]], correction=False).pvalue
    change = 100 * (k1 / n1 - k0 / n0)
    direction = ("up" if change > 0 else "down") if p < 0.05 else "no_change"
    return {
        "survey": survey, "outcome_id": outcome, "wave": int(wave), "previous_wave": int(previous),
        "n_relevant": n1, "previous_n_relevant": n0, "change_points": change,
        "ci_low": 100 * low, "ci_high": 100 * high, "p_value": p, "direction": direction,
    }  # fmt: skip


def test_trend_marts_equal_an_independent_computation(trend_warehouse):
    con = duckdb.connect(trend_warehouse, read_only=True)
    try:
        national = con.execute("SELECT * FROM marts.trend_changes").df()
        orgs = con.execute("SELECT * FROM marts.org_trend_changes").df()
        expected_national, expected_orgs = _independent(con)
    finally:
        con.close()
    key = ["survey", "outcome_id", "wave"]
    got = national.sort_values(key).reset_index(drop=True)
    want = expected_national.sort_values(key).reset_index(drop=True)
    assert (
        got[[*key, "previous_wave"]].astype(str).equals(want[[*key, "previous_wave"]].astype(str))
    )
    assert list(got["direction"]) == list(want["direction"])
    for column in ("n_relevant", "previous_n_relevant", "change_points", "ci_low", "ci_high"):
        np.testing.assert_allclose(got[column], want[column], rtol=0, atol=1e-4)
    np.testing.assert_allclose(got["p_value"], want["p_value"], rtol=1e-7, atol=1e-300)

    org_key = ["survey", "org_code", "outcome_id", "wave"]
    got = orgs.sort_values(org_key).reset_index(drop=True)
    want = expected_orgs.sort_values(org_key).reset_index(drop=True)
    assert got[org_key].astype(str).equals(want[org_key].astype(str))
    assert list(got["suppressed"]) == list(want["suppressed"])
    shown = ~want["suppressed"]
    assert list(got.loc[shown, "direction"]) == list(want.loc[shown, "direction"])
    for column in ("n_relevant", "previous_n_relevant", "change_points", "ci_low", "ci_high"):
        np.testing.assert_allclose(got.loc[shown, column], want.loc[shown, column], atol=1e-4)
    figures = ["n_relevant", "pct_positive", "previous_n_relevant", "previous_pct_positive",
               "change_points", "ci_low", "ci_high", "p_value", "direction"]  # fmt: skip
    assert got.loc[~shown, figures].isna().all().all()
    assert (got["org_name"] == "Org " + got["org_code"]).all()


def test_trend_marts_cover_the_waves_each_survey_has(trend_warehouse):
    con = duckdb.connect(trend_warehouse, read_only=True)
    try:
        pairs = con.execute(
            "SELECT DISTINCT survey, wave, previous_wave FROM marts.trend_changes ORDER BY ALL"
        ).fetchall()
        la14 = con.execute(
            "SELECT DISTINCT wave FROM marts.org_trend_changes "
            "WHERE org_code = 'LA14' AND survey = 'holders'"
        ).fetchall()
        moved = dict(
            con.execute(
                "SELECT org_code, string_agg(DISTINCT direction) FROM marts.org_trend_changes "
                "WHERE survey = 'holders' AND org_code IN ('LA01', 'LA02') AND NOT suppressed "
                "AND wave = 2016 GROUP BY org_code"
            ).fetchall()
        )
    finally:
        con.close()
    assert pairs == [("carers", 2016, 2013), ("holders", 2014, 2013), ("holders", 2016, 2014)]
    assert la14 == []
    assert "up" in moved["LA01"] and "down" in moved["LA02"]

"""Plan 2.3 logistic regressions against row-level statsmodels fits and the plan's rules."""

import duckdb
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from dagster_project.stats.plan import HOLDERS, RegressionRules
from dagster_project.stats.regression import (
    Patterns,
    fit_patterns,
    model_rows,
    patterns_sql,
    wave_patterns,
)
from dagster_project.stats.synthetic_marts import carers_frame, holders_frame, write_marts


def _patterns_from_rows(x: np.ndarray, y: np.ndarray, names) -> Patterns:
    frame = pd.DataFrame(x, columns=names)
    frame["y"] = y
    grouped = frame.groupby(list(names), as_index=False).agg(w=("y", "size"), e=("y", "sum"))
    return Patterns(
        grouped[list(names)].to_numpy(),
        grouped["w"].to_numpy(float),
        grouped["e"].to_numpy(float),
        tuple(names),
    )


@pytest.fixture(scope="module")
def holders_2014():
    holders = holders_frame(3000, seed=21)
    con = duckdb.connect()
    write_marts(con, holders, carers_frame(200, seed=22))
    grouped = con.execute(patterns_sql(HOLDERS)).df()
    return holders, grouped


def test_pattern_fit_equals_row_level_statsmodels(holders_2014):
    holders, grouped = holders_2014
    outcome = "quality_of_life"
    fit = fit_patterns(wave_patterns(grouped, HOLDERS)[outcome])
    assert fit.status == "ok"
    rows = holders[[*HOLDERS.predictors, f"{outcome}_positive"]].dropna().astype(float)
    reference = sm.Logit(
        rows[f"{outcome}_positive"], sm.add_constant(rows[list(HOLDERS.predictors)])
    ).fit(disp=0, method="newton", tol=1e-12, maxiter=100)
    assert fit.n == len(rows) and fit.events == int(rows[f"{outcome}_positive"].sum())
    assert np.allclose(fit.coef, reference.params.to_numpy(), atol=1e-6)
    assert np.allclose(fit.std_err, reference.bse.to_numpy(), atol=1e-6)
    assert fit.ll_model == pytest.approx(reference.llf, abs=1e-6)
    assert fit.ll_null == pytest.approx(reference.llnull, abs=1e-6)
    model, terms = model_rows(2014, HOLDERS, outcome, fit)
    assert len(terms) == 31
    p = {t["factor_id"]: t["p_value"] for t in terms}
    assert np.allclose(
        [p[f] for f in HOLDERS.predictors], reference.pvalues.to_numpy()[1:], atol=1e-8
    )
    assert all(t["reported"] == (t["p_value"] < 0.01) for t in terms)
    # Nagelkerke and Cox-Snell by the plan's formulas
    n = fit.n
    cox_snell = 1 - np.exp((2 / n) * (reference.llnull - reference.llf))
    assert model["cox_snell_r2"] == pytest.approx(cox_snell, abs=1e-9)
    assert model["nagelkerke_r2"] == pytest.approx(
        cox_snell / (1 - np.exp((2 / n) * reference.llnull)), abs=1e-9
    )
    lo, hi = terms[0]["ci_low"], terms[0]["ci_high"]
    b, se = reference.params.iloc[1], reference.bse.iloc[1]
    assert lo == pytest.approx(np.exp(b - 1.959964 * se), rel=1e-6) and hi == pytest.approx(
        np.exp(b + 1.959964 * se), rel=1e-6
    )


def test_c_statistic_equals_pairwise_concordance():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 2, size=(900, 3))
    y = (rng.random(900) < 1 / (1 + np.exp(-(x @ [0.8, -0.5, 0.3] - 0.2)))).astype(float)
    fit = fit_patterns(_patterns_from_rows(x, y, ("p1", "p2", "p3")))
    score = np.column_stack([np.ones(900), x]) @ fit.coef
    pos, neg = score[y == 1], score[y == 0]
    diff = pos[:, None] - neg[None, :]
    expected = ((diff > 0).sum() + 0.5 * (np.abs(diff) < 1e-12).sum()) / diff.size
    assert fit.c_statistic == pytest.approx(expected, abs=1e-9)


def test_too_few_cases_reports_n_and_events_only():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 2, size=(499, 2))
    y = rng.integers(0, 2, 499).astype(float)
    fit = fit_patterns(_patterns_from_rows(x, y, ("p1", "p2")))
    assert fit.status == "too_few_cases" and fit.n == 499 and fit.events == int(y.sum())
    empty = fit_patterns(Patterns(np.zeros((0, 2)), np.zeros(0), np.zeros(0), ("p1", "p2")))
    assert empty.status == "too_few_cases" and empty.n == 0 and empty.dropped == []
    model, terms = model_rows(2014, HOLDERS, "dignity", fit)
    assert terms == [] and model["ll_model"] is None and model["nagelkerke_r2"] is None


def test_too_few_events_counts_predictors_left_after_dropping():
    rng = np.random.default_rng(2)
    x = np.column_stack([rng.integers(0, 2, 800), np.ones(800, dtype=int), rng.integers(0, 2, 800)])
    y = np.zeros(800)
    y[:9] = 1  # 9 events < 5 * 2 predictors left (the constant one is dropped)
    fit = fit_patterns(_patterns_from_rows(x, y, ("p1", "constant", "p3")))
    assert fit.status == "too_few_events" and fit.dropped == ["constant"]
    y[:10] = 1
    fit = fit_patterns(_patterns_from_rows(x, y, ("p1", "constant", "p3")))
    assert fit.status == "ok" and fit.dropped == ["constant"] and len(fit.coef) == 3


def test_separation_is_refused():
    rng = np.random.default_rng(5)
    x = rng.integers(0, 2, size=(1000, 2))
    y = np.where(
        x[:, 0] == 1, 1.0, (rng.random(1000) < 0.4).astype(float)
    )  # p1 = 1 -> always positive
    fit = fit_patterns(_patterns_from_rows(x, y, ("p1", "p2")))
    assert fit.status == "separated"
    model, terms = model_rows(2014, HOLDERS, "dignity", fit)
    assert terms == [] and model["n"] == 1000


def test_collinear_predictors_are_not_converged():
    rng = np.random.default_rng(6)
    p1 = rng.integers(0, 2, 1000)
    x = np.column_stack([p1, 1 - p1, rng.integers(0, 2, 1000)])  # p1 + p2 = intercept
    y = (rng.random(1000) < 0.5).astype(float)
    assert fit_patterns(_patterns_from_rows(x, y, ("p1", "p2", "p3"))).status == "not_converged"


def test_iteration_limit_is_not_converged():
    rng = np.random.default_rng(7)
    x = rng.integers(0, 2, size=(1000, 2))
    y = (rng.random(1000) < 0.3).astype(float)
    rules = RegressionRules(max_iterations=1)
    assert fit_patterns(_patterns_from_rows(x, y, ("p1", "p2")), rules).status == "not_converged"


def test_pattern_design_equals_dense_products():
    from dagster_project.stats.pattern_design import PatternDesign

    rng = np.random.default_rng(8)
    x = np.column_stack(
        [np.ones(5000), rng.random((5000, 31)) < rng.uniform(0.05, 0.9, 31)]
    ).astype(float)
    s = rng.random(5000)
    dense = x.T @ (x * s[:, None])
    design = PatternDesign(x.astype(np.int8))
    assert np.allclose(design.information(s), dense, rtol=1e-12, atol=1e-9)
    # The linear predictor and the score, from the same split of the columns.
    beta = rng.normal(size=x.shape[1])
    assert np.allclose(design.linear(beta), x @ beta, rtol=1e-12, atol=1e-12)
    assert np.allclose(design.score(s - 0.5), x.T @ (s - 0.5), rtol=1e-12, atol=1e-9)
    with pytest.raises(ValueError, match="0/1"):
        PatternDesign(np.array([[1.0, 2.0], [1.0, 0.0]]))


def test_a_shared_design_fits_as_the_answered_patterns_alone():
    """wave_patterns gives every outcome the wave's patterns and one design, with weight 0
    where the outcome was not answered: the fit equals the fit of the answered patterns,
    also when a predictor does not vary among them (dropped, fitted without it)."""
    from dagster_project.stats.pattern_design import PatternDesign

    rng = np.random.default_rng(12)
    names = tuple(f"p{i}" for i in range(1, 11))  # 1,024 patterns of about 4 rows
    x = rng.integers(0, 2, size=(4000, 10))
    y = (rng.random(4000) < 1 / (1 + np.exp(-(x @ rng.normal(0, 0.5, 10))))).astype(float)
    frame = pd.DataFrame(x, columns=names).assign(y=y)
    for answered in (rng.random(4000) < 0.6, (x[:, 9] == 0) & (rng.random(4000) < 0.8)):
        frame["n"], frame["pos"] = answered.astype(float), np.where(answered, y, 0.0)
        grouped = frame.groupby(list(names), as_index=False)[["n", "pos"]].sum()
        xu = grouped[list(names)].to_numpy(np.int8)
        assert (grouped["n"] == 0).any()
        shared = Patterns(
            xu,
            grouped["n"].to_numpy(),
            grouped["pos"].to_numpy(),
            names,
            design=PatternDesign(np.column_stack([np.ones(len(xu), np.int8), xu])),
        )
        alone = _patterns_from_rows(x[answered], y[answered], names)
        a, b = fit_patterns(shared), fit_patterns(alone)
        assert a.status == b.status == "ok"
        assert (a.n, a.events, a.dropped, a.iterations) == (b.n, b.events, b.dropped, b.iterations)
        assert np.allclose(a.coef, b.coef, rtol=1e-10) and np.allclose(a.std_err, b.std_err)
        assert a.ll_model == pytest.approx(b.ll_model, rel=1e-12)
        assert a.c_statistic == pytest.approx(b.c_statistic, rel=1e-12)
    assert a.dropped == ["p10"]

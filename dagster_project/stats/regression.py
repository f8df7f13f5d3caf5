"""Plan 2.3: one logistic regression per outcome, fitted on covariate patterns.

DuckDB groups the complete cases by every predictor (one query per wave and survey,
with the positive count and non-NULL count of every outcome per pattern); Newton-Raphson
on the distinct patterns with frequency weights maximises the same likelihood as the
row-level fit, so estimates, standard errors and log-likelihoods are identical.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit

from dagster_project.stats.pattern_design import PatternDesign
from dagster_project.stats.plan import REPORTED_ALPHA, Z_95, RegressionRules, Survey
from dagster_project.stats.tables import require_columns, wave_condition, waves_of
from dagster_project.workers import WORKERS

RULES = RegressionRules()


@dataclass
class Patterns:
    """Distinct covariate patterns of one outcome's complete cases.

    A wave's outcomes share one frame of patterns (wave_patterns): a pattern whose rows
    did not answer the outcome weighs 0, and `design`, the intercept and every predictor
    prepared once for X'SX, serves every outcome whose predictors all vary."""

    x: np.ndarray  # patterns x predictors (0/1)
    weight: np.ndarray  # rows per pattern
    events: np.ndarray  # positive outcomes per pattern
    predictors: tuple[str, ...]
    design: PatternDesign | None = None  # of [1 | x]


@dataclass
class Fit:
    status: str
    n: int
    events: int
    dropped: list[str] = field(default_factory=list)
    predictors: tuple[str, ...] = ()
    coef: np.ndarray | None = None  # intercept first
    std_err: np.ndarray | None = None
    ll_model: float | None = None
    ll_null: float | None = None
    iterations: int | None = None
    c_statistic: float | None = None

    @property
    def cox_snell_r2(self) -> float | None:
        if self.ll_model is None:
            return None
        return 1 - np.exp((2 / self.n) * (self.ll_null - self.ll_model))

    @property
    def nagelkerke_r2(self) -> float | None:
        if self.ll_model is None:
            return None
        return self.cox_snell_r2 / (1 - np.exp((2 / self.n) * self.ll_null))

    @property
    def events_per_predictor(self) -> float | None:
        k = len(self.predictors)
        if k == 0 or self.n == 0:
            return None
        return min(self.events, self.n - self.events) / k


def _log_likelihood(eta: np.ndarray, weight: np.ndarray, events: np.ndarray) -> float:
    # log(1 + exp(eta)) computed stably
    return float(np.sum(events * eta - weight * np.logaddexp(0.0, eta)))


def null_log_likelihood(n: int, events: int) -> float:
    """Intercept-only maximum log-likelihood on the same n (closed form)."""
    p = events / n
    return float(sum(k * np.log(q) for k, q in ((events, p), (n - events, 1 - p)) if k > 0))


def c_statistic(score: np.ndarray, weight: np.ndarray, events: np.ndarray) -> float:
    """Area under the ROC curve of weighted patterns (ties count one half)."""
    # Weights and events are counts: their sums within a group of tied scores are exact in
    # any order, so the sort need not be stable.
    order = np.argsort(score)
    score, pos, neg = score[order], events[order], weight[order] - events[order]
    first_of_group = np.ones(len(score), dtype=bool)
    first_of_group[1:] = score[1:] != score[:-1]
    start = np.flatnonzero(first_of_group)
    pos_g, neg_g = np.add.reduceat(pos, start), np.add.reduceat(neg, start)
    neg_below = np.concatenate([[0.0], np.cumsum(neg_g)[:-1]])
    total = pos_g.sum() * neg_g.sum()
    return float(np.sum(pos_g * (neg_below + 0.5 * neg_g)) / total)


def fit_patterns(p: Patterns, rules: RegressionRules = RULES) -> Fit:
    """Apply the plan's refusal rules, then fit by Newton-Raphson from zero."""
    n, events = int(p.weight.sum()), int(p.events.sum())
    answered = p.weight > 0
    # One value only in the complete cases: dropped, and listed whatever the status
    # (with no complete cases nothing is listed).
    if not answered.any():
        varies = np.ones(len(p.predictors), dtype=bool)
    elif p.design is not None:
        varies = p.design.varies(p.weight)[1:]
    else:
        varies = p.x[answered].min(axis=0) != p.x[answered].max(axis=0)
    dropped = [name for name, v in zip(p.predictors, varies, strict=True) if not v]
    kept = tuple(name for name, v in zip(p.predictors, varies, strict=True) if v)
    fit = Fit("ok", n, events, dropped=dropped, predictors=kept)
    if n < rules.min_cases:
        fit.status = "too_few_cases"
        return fit
    if min(events, n - events) < rules.min_events_per_predictor * len(kept):
        fit.status = "too_few_events"
        return fit
    # The intercept and the kept predictors (0/1): the linear predictor, the score and the
    # information matrix all come from PatternDesign in time linear in the patterns.
    # Patterns of weight 0 add exact zeros to every sum.
    if p.design is not None and varies.all():
        design, w, y = p.design, p.weight.astype(float), p.events.astype(float)
    else:
        design = PatternDesign(_with_intercept(p.x[answered][:, varies]))
        w, y = p.weight[answered].astype(float), p.events[answered].astype(float)
    beta = np.zeros(len(kept) + 1)
    ll = _log_likelihood(design.linear(beta), w, y)
    converged, iterations = False, 0
    while iterations < rules.max_iterations:
        iterations += 1
        prob = expit(design.linear(beta))
        try:
            info = _checked(design.information(w * prob * (1 - prob)))
            step = np.linalg.solve(info, design.score(y - w * prob))
        except np.linalg.LinAlgError:
            fit.status = "not_converged"
            return fit
        beta = beta + step
        ll_new = _log_likelihood(design.linear(beta), w, y)
        if abs(ll_new - ll) < rules.ll_tolerance:
            ll, converged = ll_new, True
            break
        ll = ll_new
    fit.iterations = iterations
    if not converged:
        fit.status = "not_converged"
        return fit
    eta = design.linear(beta)
    prob = expit(eta)
    fitted = prob[w > 0]
    if (
        fitted.min() < rules.separation_probability
        or fitted.max() > 1 - rules.separation_probability
        or np.any(np.abs(beta[1:]) > rules.separation_coefficient)
    ):
        fit.status = "separated"
        return fit
    try:
        cov = np.linalg.inv(_checked(design.information(w * prob * (1 - prob))))
    except np.linalg.LinAlgError:
        fit.status = "not_converged"
        return fit
    fit.coef, fit.std_err = beta, np.sqrt(np.diag(cov))
    fit.ll_model, fit.ll_null = ll, null_log_likelihood(n, events)
    fit.c_statistic = c_statistic(eta, w, y)
    return fit


def _with_intercept(x: np.ndarray) -> np.ndarray:
    design = np.empty((len(x), x.shape[1] + 1), dtype=np.int8)
    design[:, 0] = 1
    design[:, 1:] = x
    return design


def _checked(info: np.ndarray) -> np.ndarray:
    """The information matrix, or LinAlgError when it is singular (collinear predictors)."""
    if not np.all(np.isfinite(info)) or np.linalg.matrix_rank(info) < info.shape[0]:
        raise np.linalg.LinAlgError("singular Hessian")
    return info


def patterns_sql(survey: Survey, waves: list[int] | None = None) -> str:
    preds = ", ".join(f'CAST("{f}" AS TINYINT) AS "{f}"' for f in survey.predictors)
    complete = " AND ".join(f'"{f}" IS NOT NULL' for f in survey.predictors)
    per_outcome = ", ".join(
        f'COUNT("{survey.flag(o)}") AS "n__{o}", '
        f'COALESCE(SUM(CAST("{survey.flag(o)}" AS INTEGER)), 0) AS "pos__{o}"'
        for o in survey.outcomes
    )
    return (
        f"SELECT wave, {preds}, {per_outcome} FROM {survey.table} "
        f"WHERE {complete} AND {wave_condition(waves)} GROUP BY ALL"
    )


def wave_patterns(grouped: pd.DataFrame, survey: Survey) -> dict[str, Patterns]:
    """The patterns of every outcome of one wave, from the grouped frame of patterns_sql.

    The outcomes share the wave's patterns and one prepared design (building it took a
    third of each fit at 1M holders); a pattern's weight for an outcome is the number of
    its rows that answered it, 0 where none did."""
    x = grouped[list(survey.predictors)].to_numpy(dtype=np.int8)
    design = PatternDesign(_with_intercept(x)) if len(x) else None
    return {
        outcome_id: Patterns(
            x=x,
            weight=grouped[f"n__{outcome_id}"].to_numpy(dtype=float),
            events=grouped[f"pos__{outcome_id}"].to_numpy(dtype=float),
            predictors=survey.predictors,
            design=design,
        )
        for outcome_id in survey.outcomes
    }


def model_rows(wave: int, survey: Survey, outcome_id: str, fit: Fit) -> tuple[dict, list[dict]]:
    model = {
        "wave": wave, "survey": survey.name, "outcome_id": outcome_id, "n": fit.n,
        "events": fit.events, "ll_model": fit.ll_model, "ll_null": fit.ll_null,
        "nagelkerke_r2": fit.nagelkerke_r2, "cox_snell_r2": fit.cox_snell_r2,
        "status": fit.status, "dropped_predictors": list(fit.dropped),
        "n_predictors": len(fit.predictors), "events_per_predictor": fit.events_per_predictor,
        "c_statistic": fit.c_statistic, "iterations": fit.iterations,
    }  # fmt: skip
    terms = []
    if fit.coef is not None:
        for i, name in enumerate(fit.predictors, start=1):
            b, se = float(fit.coef[i]), float(fit.std_err[i])
            p = float(2 * stats.norm.sf(abs(b / se)))
            terms.append({
                "wave": wave, "survey": survey.name, "outcome_id": outcome_id,
                "factor_id": name, "coef": b, "std_err": se, "odds_ratio": np.exp(b),
                "ci_low": np.exp(b - Z_95 * se), "ci_high": np.exp(b + Z_95 * se),
                "p_value": p, "reported": p < REPORTED_ALPHA,
            })  # fmt: skip
    return model, terms


def regression_tables(
    con: duckdb.DuckDBPyConnection, survey: Survey, log=None, waves: list[int] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """regression_models and regression_terms rows of every wave of one survey (or of
    `waves`, stats/partitions.py)."""
    require_columns(
        con, survey.table, ["wave", *survey.predictors, *map(survey.flag, survey.outcomes)]
    )
    waves = waves_of(con, survey.table) if waves is None else list(waves)
    if not waves:
        return pd.DataFrame(), pd.DataFrame()
    grouped = con.execute(patterns_sql(survey, waves)).df()
    models, terms = [], []
    # The fits are independent and numpy releases the interpreter lock in their long
    # loops: two threads fit a wave's outcomes in about half the time (each fit is the
    # same computation on its own arrays, so the results do not depend on the threads).
    with ThreadPoolExecutor(WORKERS, thread_name_prefix="poet-regression") as pool:
        for wave in waves:
            by_outcome = wave_patterns(grouped[grouped["wave"] == wave], survey)
            fits = pool.map(fit_patterns, (by_outcome[o] for o in survey.outcomes))
            _collect(wave, survey, fits, models, terms, log)
    return pd.DataFrame(models), pd.DataFrame(terms)


def _collect(wave: int, survey: Survey, fits, models: list, terms: list, log) -> None:
    for outcome_id, fit in zip(survey.outcomes, fits, strict=True):
        model, model_terms = model_rows(wave, survey, outcome_id, fit)
        models.append(model)
        terms.extend(model_terms)
        if log:
            log(
                f"{survey.name} {wave} {outcome_id}: n={fit.n} events={fit.events} "
                f"status={fit.status} dropped={fit.dropped or '-'}"
            )

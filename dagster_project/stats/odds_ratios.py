"""Plan 2.2: bivariate odds ratios of every factor x outcome, per wave and survey.

The 2x2 counts of every pair come from one DuckDB aggregation: the factors are
unpivoted to long form (UNPIVOT drops NULL factor values), grouped by wave, factor and
factor value, with one positive count and one non-NULL count per outcome; the outcomes
are then unpivoted from that small result. The tests run vectorised in numpy, Fisher's
exact test only for the few tables that need it.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
from scipy import stats

from dagster_project.stats import version_counts
from dagster_project.stats.plan import (
    FISHER_MIN_EXPECTED,
    SIGNIFICANCE_ALPHA,
    Z_95,
    ZERO_CELL_ADDITION,
    Survey,
)
from dagster_project.stats.tables import require_columns, waves_of


def counts_sql(survey: Survey, relation: str, by: tuple[str, ...]) -> str:
    """One query giving a, b, c, d for every factor x outcome of `survey` and value of
    the columns `by` (the wave, or the wave and a file version: stats/version_counts.py)
    in the rows of `relation` (the survey's mart, or some of its rows)."""
    factors = ", ".join(f'CAST("{f}" AS INTEGER) AS "{f}"' for f in survey.factors)
    outcome_cols = ", ".join(
        f'CAST("{survey.flag(o)}" AS INTEGER) AS "{survey.flag(o)}"' for o in survey.outcomes
    )
    per_value = ", ".join(
        f'COALESCE(SUM("{survey.flag(o)}"), 0) AS "pos__{o}", COUNT("{survey.flag(o)}") AS "n__{o}"'
        for o in survey.outcomes
    )
    by_outcome = ", ".join(f'("pos__{o}", "n__{o}") AS "{o}"' for o in survey.outcomes)
    return f"""
    WITH long_factors AS (
        UNPIVOT (SELECT {", ".join(by)}, {factors}, {outcome_cols} FROM {relation})
        ON {", ".join(f'"{f}"' for f in survey.factors)}
        INTO NAME factor_id VALUE factor_value
    ),
    by_value AS (
        SELECT {", ".join(by)}, factor_id, factor_value, {per_value}
        FROM long_factors GROUP BY ALL
    ),
    cells AS (
        UNPIVOT by_value ON {by_outcome}
        INTO NAME outcome_id VALUE positive, total
    )
    SELECT {", ".join(by)}, factor_id, outcome_id,
           COALESCE(SUM(positive) FILTER (WHERE factor_value = 1), 0)::BIGINT AS a,
           COALESCE(SUM(total - positive) FILTER (WHERE factor_value = 1), 0)::BIGINT AS b,
           COALESCE(SUM(positive) FILTER (WHERE factor_value = 0), 0)::BIGINT AS c,
           COALESCE(SUM(total - positive) FILTER (WHERE factor_value = 0), 0)::BIGINT AS d
    FROM cells GROUP BY ALL
    """


def pair_counts(
    con: duckdb.DuckDBPyConnection,
    survey: Survey,
    waves: list[int] | None = None,
    reuse: version_counts.Reuse | None = None,
) -> pd.DataFrame:
    """Every wave (or those of `waves`) x factor x outcome with its 2x2 counts (0 for an
    empty cell); with `reuse`, counted per file version and added up (version_counts.py)."""
    waves = waves_of(con, survey.table) if waves is None else list(waves)
    found = version_counts.summed(
        con,
        f"odds_ratio_cells_{survey.name}",
        survey.table,
        lambda relation, by: counts_sql(survey, relation, by),
        groups=("factor_id", "outcome_id"),
        totals=("a", "b", "c", "d"),
        waves=waves,
        reuse=reuse,
    )
    # Every pair is reported even when a factor or outcome is NULL throughout the wave.
    grid = pd.MultiIndex.from_product(
        [waves, survey.factors, survey.outcomes],
        names=["wave", "factor_id", "outcome_id"],
    ).to_frame(index=False)
    found["wave"] = found["wave"].astype("int64")
    out = grid.merge(found, on=["wave", "factor_id", "outcome_id"], how="left")
    for cell in "abcd":
        out[cell] = out[cell].fillna(0).astype("int64")
    out.insert(1, "survey", survey.name)
    return out


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (step-up, capped at 1)."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p)
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def two_by_two_tests(counts: pd.DataFrame) -> pd.DataFrame:
    """Add the plan 2.2 statistics to a frame with wave, survey, a, b, c, d."""
    out = counts.copy()
    a, b, c, d = (out[k].to_numpy(dtype=float) for k in "abcd")
    n = a + b + c + d
    out["n"] = n.astype("int64")
    one_value = (a + b == 0) | (c + d == 0) | (a + c == 0) | (b + d == 0)
    ok = ~one_value

    add = np.where((a == 0) | (b == 0) | (c == 0) | (d == 0), ZERO_CELL_ADDITION, 0.0)
    aa, bb, cc, dd = a + add, b + add, c + add, d + add
    with np.errstate(divide="ignore", invalid="ignore"):
        log_or = np.log(aa * dd / (bb * cc))
        se = np.sqrt(1 / aa + 1 / bb + 1 / cc + 1 / dd)
        row1, row0, col1, col0 = a + b, c + d, a + c, b + d
        expected_min = np.minimum.reduce([row1 * col1, row1 * col0, row0 * col1, row0 * col0]) / n
        chi2 = n * (a * d - b * c) ** 2 / (row1 * row0 * col1 * col0)
    p = stats.chi2.sf(chi2, 1)
    use_fisher = ok & (expected_min < FISHER_MIN_EXPECTED)
    for i in np.flatnonzero(use_fisher):
        p[i] = stats.fisher_exact([[a[i], b[i]], [c[i], d[i]]], alternative="two-sided").pvalue

    out["odds_ratio"] = np.where(ok, np.exp(log_or), np.nan)
    out["ci_low"] = np.where(ok, np.exp(log_or - Z_95 * se), np.nan)
    out["ci_high"] = np.where(ok, np.exp(log_or + Z_95 * se), np.nan)
    out["p_value"] = np.where(ok, p, np.nan)
    out["test"] = np.where(ok, np.where(use_fisher, "fisher", "chi_square"), None)
    out["significant"] = ok & (out["p_value"].to_numpy() < SIGNIFICANCE_ALPHA)
    out["status"] = np.where(ok, "ok", "one_value")
    out["p_value_bh"] = np.nan
    for _, idx in out[ok].groupby(["wave", "survey"]).groups.items():
        out.loc[idx, "p_value_bh"] = benjamini_hochberg(out.loc[idx, "p_value"].to_numpy())
    return out


def odds_ratio_table(
    con: duckdb.DuckDBPyConnection,
    survey: Survey,
    waves: list[int] | None = None,
    reuse: version_counts.Reuse | None = None,
) -> pd.DataFrame:
    """The odds_ratios rows of every wave of `survey` (or of `waves`, stats/partitions.py)."""
    require_columns(
        con, survey.table, ["wave", *survey.factors, *map(survey.flag, survey.outcomes)]
    )
    return two_by_two_tests(pair_counts(con, survey, waves, reuse))

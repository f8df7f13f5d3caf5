"""Benchmark of the stats stage on one wave of 1,000,000 synthetic budget holders.

Not a test. Builds the holders mart in a scratch DuckDB file, runs this stage's odds
ratios and regressions, then a naive script of the same analysis (a pandas crosstab and a
scipy test per factor x outcome pair, a row-level statsmodels formula Logit per outcome),
and prints both times, their ratio and the largest absolute difference in any odds ratio
or coefficient. Targets: under 60 s, at least 5x faster, differences <= 1e-6.

    /work/main/.venv/bin/python benchmarks/bench_stats.py [--rows 1000000] [--scratch /tmp/stats]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats

from dagster_project.stats.odds_ratios import odds_ratio_table
from dagster_project.stats.plan import FISHER_MIN_EXPECTED, HOLDERS, ZERO_CELL_ADDITION
from dagster_project.stats.regression import regression_tables
from dagster_project.stats.synthetic_marts import carers_frame, holders_frame, write_marts


def naive_odds_ratios(holders: pd.DataFrame) -> dict[tuple[str, str], float]:
    out = {}
    for factor in HOLDERS.factors:
        for outcome in HOLDERS.outcomes:
            pair = holders[[factor, f"{outcome}_positive"]].dropna()
            table = pd.crosstab(pair[factor], pair[f"{outcome}_positive"]).reindex(
                index=[1, 0], columns=[1, 0], fill_value=0
            )
            cells = table.to_numpy().astype(float)
            if (cells.sum(axis=0) == 0).any() or (cells.sum(axis=1) == 0).any():
                continue
            if stats.contingency.expected_freq(cells).min() < FISHER_MIN_EXPECTED:
                stats.fisher_exact(cells)
            else:
                stats.chi2_contingency(cells, correction=False)
            if (cells == 0).any():
                cells = cells + ZERO_CELL_ADDITION
            out[(factor, outcome)] = cells[0, 0] * cells[1, 1] / (cells[0, 1] * cells[1, 0])
    return out


def naive_regressions(holders: pd.DataFrame) -> dict[tuple[str, str], float]:
    out = {}
    formula_rhs = " + ".join(HOLDERS.predictors)
    for outcome in HOLDERS.outcomes:
        y = f"{outcome}_positive"
        rows = holders[[y, *HOLDERS.predictors]].dropna().astype(float)
        fit = smf.logit(f"{y} ~ {formula_rhs}", data=rows).fit(disp=0, method="newton", tol=1e-10)
        for name, value in fit.params.items():
            out[(outcome, name)] = value
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--scratch", default="/tmp/stats")
    parser.add_argument(
        "--warehouse",
        help="use the 2014 holders of a warehouse built by `poet run` (e.g. of poet synth "
        "--holders 1000000) instead of generated flags",
    )
    args = parser.parse_args()
    scratch = Path(args.scratch)
    scratch.mkdir(parents=True, exist_ok=True)
    path = scratch / "bench_warehouse.duckdb"
    path.unlink(missing_ok=True)

    start = time.perf_counter()
    con = duckdb.connect(str(path))
    if args.warehouse:
        con.execute(f"ATTACH '{args.warehouse}' AS built (READ_ONLY)")
        con.execute("CREATE SCHEMA marts")
        for table in ("holder_responses", "carer_responses"):
            con.execute(
                f"CREATE TABLE marts.{table} AS SELECT * FROM built.marts.{table} WHERE wave = 2014"
            )
        con.execute("DETACH built")
        holders = con.execute("SELECT * FROM marts.holder_responses").df()
    else:
        holders = holders_frame(args.rows, wave=2014, seed=2014)
        write_marts(con, holders, carers_frame(1000, seed=1))
    print(f"built {len(holders):,} holders in {time.perf_counter() - start:.1f} s")

    start = time.perf_counter()
    ours_or = odds_ratio_table(con, HOLDERS)
    t_or = time.perf_counter() - start
    start = time.perf_counter()
    models, terms = regression_tables(con, HOLDERS)
    t_reg = time.perf_counter() - start
    ours = t_or + t_reg
    con.close()
    print(f"ours:  odds ratios {t_or:.1f} s, regressions {t_reg:.1f} s, total {ours:.1f} s")
    print(f"       models: {models['status'].value_counts().to_dict()}")

    start = time.perf_counter()
    naive_or = naive_odds_ratios(holders)
    t_naive_or = time.perf_counter() - start
    start = time.perf_counter()
    naive_coef = naive_regressions(holders)
    t_naive_reg = time.perf_counter() - start
    naive = t_naive_or + t_naive_reg
    print(
        f"naive: odds ratios {t_naive_or:.1f} s, regressions {t_naive_reg:.1f} s, total {naive:.1f} s"
    )

    ok = ours_or[ours_or["status"] == "ok"].set_index(["factor_id", "outcome_id"])["odds_ratio"]
    assert set(ok.index) == set(naive_or), "the two scripts disagree on which pairs are estimable"
    or_diff = max(abs(ok[k] - v) for k, v in naive_or.items())
    ours_coef = {(r.outcome_id, r.factor_id): r.coef for r in terms.itertuples()}
    shared = [k for k in naive_coef if k[1] != "Intercept"]
    assert set(shared) == set(ours_coef), "the two scripts fitted different terms"
    coef_diff = max(abs(ours_coef[k] - naive_coef[k]) for k in shared)
    print(f"speed-up: {naive / ours:.1f}x")
    print(f"largest absolute difference: odds ratio {or_diff:.2e}, coefficient {coef_diff:.2e}")
    print(
        f"targets: under 60 s {'met' if ours < 60 else 'MISSED'}; "
        f"5x {'met' if naive / ours >= 5 else 'MISSED'}; "
        f"1e-6 {'met' if max(or_diff, coef_diff) <= 1e-6 else 'MISSED'}"
    )
    path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()

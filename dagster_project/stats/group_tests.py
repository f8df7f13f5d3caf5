"""Plan 2.4 (differences across the four social care groups) and 2.5 (process scale).

Holders only: `social_care_group` is a holder recode. Counts and means come from DuckDB
GROUP BY queries; scipy computes the tests from those small tables.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
from scipy import stats

from dagster_project.landing.rules import quote_literal
from dagster_project.stats import version_counts
from dagster_project.stats.plan import (
    GROUP_TEST_FACTORS,
    HOLDERS,
    PROCESS_ITEMS,
    PROCESS_LEVELS,
    SOCIAL_CARE_GROUPS,
)
from dagster_project.stats.tables import require_columns, waves_of

AMOUNT = "weekly_amount_gbp"


def group_variables() -> list[tuple[str, tuple[str, ...]]]:
    """(variable, its levels) of every chi-square test of plan 2.4, in published order."""
    flags = [HOLDERS.flag(o) for o in HOLDERS.outcomes] + list(GROUP_TEST_FACTORS)
    return [(v, ("0", "1")) for v in flags] + [
        (f"{i}_level", PROCESS_LEVELS) for i in PROCESS_ITEMS
    ]


def _level_counts(
    con: duckdb.DuckDBPyConnection, waves: list[int], reuse: version_counts.Reuse | None = None
) -> pd.DataFrame:
    """Rows at each level of every tested variable of `waves`, by wave and social care
    group: indexed by (wave, social_care_group), one column per (variable, level). One
    scan with a conditional count per level: 0.5-0.8 s at 1M holders, where an UNPIVOT of
    every variable (42 rows of text per holder) took 1.0-2.4 s. With `reuse`, counted per
    file version and added up (version_counts.py)."""
    levels = [(v, level) for v, of_variable in group_variables() for level in of_variable]
    counts = ", ".join(
        f'count_if(CAST("{v}" AS VARCHAR) = {quote_literal(level)}) AS "n{i}"'
        for i, (v, level) in enumerate(levels)
    )

    def count_sql(relation: str, by: tuple[str, ...]) -> str:
        return (
            f"SELECT {', '.join(by)}, social_care_group, {counts} FROM {relation} "
            "WHERE social_care_group IS NOT NULL GROUP BY ALL"
        )

    frame = version_counts.summed(
        con,
        "group_level_counts",
        HOLDERS.table,
        count_sql,
        groups=("social_care_group",),
        totals=tuple(f"n{i}" for i in range(len(levels))),
        waves=waves,
        reuse=reuse,
    ).set_index(["wave", "social_care_group"])
    frame.columns = pd.MultiIndex.from_tuples(levels, names=["variable", "level"])
    return frame


def chi_square(table: np.ndarray) -> tuple[float | None, int, float | None, str | None]:
    """Pearson chi-square without continuity correction on the non-empty rows and columns."""
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    df = (table.shape[0] - 1) * (table.shape[1] - 1) if table.size else 0
    if df < 1:
        return None, 0, None, "fewer than two groups or levels with answers: no test"
    result = stats.chi2_contingency(table, correction=False)
    return float(result.statistic), df, float(result.pvalue), None


def group_tables(
    con: duckdb.DuckDBPyConnection,
    waves: list[int] | None = None,
    reuse: version_counts.Reuse | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """group_differences and group_figures rows of every wave (or of `waves`,
    stats/partitions.py)."""
    require_columns(
        con,
        HOLDERS.table,
        ["wave", "social_care_group", AMOUNT, *(v for v, _ in group_variables())],
    )
    waves = waves_of(con, HOLDERS.table) if waves is None else list(waves)
    if not waves:
        return pd.DataFrame(), pd.DataFrame()
    counts = _level_counts(con, waves, reuse)
    differences, figures = [], []
    for wave in waves:
        # A group with no holders in the wave counts zero at every level.
        in_wave = counts.reindex(pd.MultiIndex.from_product([[wave], SOCIAL_CARE_GROUPS]))
        for variable, levels in group_variables():
            table = in_wave[variable][list(levels)].fillna(0).to_numpy(dtype=float)
            statistic, df, p, note = chi_square(table)
            differences.append({
                "wave": wave, "survey": "holders", "variable": variable, "test": "chi_square",
                "statistic": statistic, "df": df, "df_within": None, "p_value": p,
                "n": int(table.sum()), "note": note,
            })  # fmt: skip
            shown = ("1",) if levels == ("0", "1") else levels
            for g, group in enumerate(SOCIAL_CARE_GROUPS):
                base = table[g].sum()
                for level in shown:
                    value = 100 * table[g, levels.index(level)] / base if base else None
                    figures.append({
                        "wave": wave, "survey": "holders", "variable": variable, "level": level,
                        "social_care_group": group, "n": int(base), "value": value,
                    })  # fmt: skip
        anova_row, anova_figures = _anova(con, wave)
        differences.append(anova_row)
        figures.extend(anova_figures)
    return pd.DataFrame(differences), pd.DataFrame(figures)


def _anova(con: duckdb.DuckDBPyConnection, wave: int) -> tuple[dict, list[dict]]:
    """One-way ANOVA of the weekly amount (ongoing budgets only) across the groups."""
    amounts = con.execute(
        f"SELECT social_care_group, {AMOUNT} FROM {HOLDERS.table} "
        f"WHERE wave = ? AND social_care_group IS NOT NULL AND {AMOUNT} IS NOT NULL",
        [wave],
    ).df()
    samples = {
        g: amounts.loc[amounts["social_care_group"] == g, AMOUNT].to_numpy()
        for g in SOCIAL_CARE_GROUPS
    }
    present = [s for s in samples.values() if len(s)]
    n = sum(len(s) for s in present)
    row = {"wave": wave, "survey": "holders", "variable": AMOUNT, "test": "anova", "n": n,
           "statistic": None, "df": None, "df_within": None, "p_value": None, "note": None}  # fmt: skip
    if len(present) >= 2 and n > len(present):
        result = stats.f_oneway(*present)
        row |= {"statistic": float(result.statistic), "p_value": float(result.pvalue),
                "df": len(present) - 1, "df_within": n - len(present)}  # fmt: skip
    else:
        row["note"] = "fewer than two groups with an ongoing weekly amount: no test"
    figures = [
        {"wave": wave, "survey": "holders", "variable": AMOUNT, "level": "mean",
         "social_care_group": g, "n": len(s), "value": float(s.mean()) if len(s) else None}
        for g, s in samples.items()
    ]  # fmt: skip
    return row, figures


def process_scale(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Mean inter-item r (pairwise complete) and Cronbach's alpha (complete cases) per wave."""
    require_columns(con, HOLDERS.table, ["wave", *PROCESS_ITEMS])
    items = [f'CAST("{i}" AS DOUBLE)' for i in PROCESS_ITEMS]
    pairs = [
        f"corr({items[i]}, {items[j]})" for i in range(len(items)) for j in range(i + 1, len(items))
    ]
    complete = " AND ".join(f'"{i}" IS NOT NULL' for i in PROCESS_ITEMS)
    item_vars = " + ".join(f"var_samp({x}) FILTER (WHERE {complete})" for x in items)
    total = " + ".join(items)
    k = len(items)
    return con.execute(
        f"""
        SELECT wave::INTEGER AS wave, 'holders' AS survey,
               COUNT(*) FILTER (WHERE {complete}) AS n,
               list_avg([{", ".join(pairs)}]) AS mean_inter_item_r,
               {k} / {k - 1} * (1 - ({item_vars}) / var_samp({total}) FILTER (WHERE {complete}))
                   AS cronbach_alpha,
               {k} AS items
        FROM {HOLDERS.table} GROUP BY wave ORDER BY wave
        """
    ).df()

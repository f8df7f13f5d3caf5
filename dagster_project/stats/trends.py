"""Plan 2.7: change between waves, nationally (`trend_changes`) and per organisation
(`org_trend_changes`).

Each wave of a survey that has an earlier loaded wave is compared with the latest
earlier one. The difference of the positive shares gets Newcombe's hybrid score interval
(method 10 of Newcombe 1998, built from the two Wilson intervals) and a Pearson
chi-square p without continuity correction; `direction` is `up`/`down` when p < 0.05.
The p value of a 1-df chi-square is `erfc(sqrt(chi2 / 2))`, so this module needs no
statistics library (the tests check it against scipy and statsmodels).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
import pandas as pd

from dagster_project.stats.plan import SURVEYS, Z_95
from dagster_project.stats.tables import require_columns

TREND_ALPHA = 0.05  # `up` / `down` when p < 0.05 (plan 2.7)
DISCLOSURE_MIN_BASE = 10  # plan section 3: no organisation figure on a base below 10
USED_RETURNS = "marts.org_summary"  # one row per used return: wave, survey, org_code, org_name
FIGURES = (
    "n_relevant", "pct_positive", "previous_n_relevant", "previous_pct_positive",
    "change_points", "ci_low", "ci_high", "p_value", "direction",
)  # fmt: skip


def wilson(k: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval of k successes in n (proportions, 0-1)."""
    p = k / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    denominator = 1 + z * z / n
    return (centre - half) / denominator, (centre + half) / denominator


def newcombe_interval(k1: int, n1: int, k0: int, n0: int, z: float = Z_95) -> tuple[float, float]:
    """Newcombe's hybrid score interval (method 10) for p1 - p0, proportions 0-1."""
    p1, p0 = k1 / n1, k0 / n0
    l1, u1 = wilson(k1, n1, z)
    l0, u0 = wilson(k0, n0, z)
    delta = p1 - p0
    return (
        delta - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2),
        delta + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2),
    )


def pearson_p(k1: int, n1: int, k0: int, n0: int) -> float | None:
    """Two-sided p of Pearson's chi-square (1 df, no continuity correction) on the 2x2
    table positive / not positive by wave; None when a margin is empty (no test)."""
    n = n1 + n0
    positives = k1 + k0
    if n1 == 0 or n0 == 0 or positives == 0 or positives == n:
        # one wave empty, or every answer the same: chi-square is 0/0; equal shares
        return 1.0 if n1 and n0 else None
    # chi2 = n (ad - bc)^2 / (row and column margins), a=k1, b=n1-k1, c=k0, d=n0-k0
    chi2 = n * (k1 * (n0 - k0) - (n1 - k1) * k0) ** 2 / (n1 * n0 * positives * (n - positives))
    return math.erfc(math.sqrt(chi2 / 2.0))


@dataclass(frozen=True)
class Change:
    n_relevant: int
    pct_positive: float | None
    previous_n_relevant: int
    previous_pct_positive: float | None
    change_points: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    direction: str | None


def compare(k1: int, n1: int, k0: int, n0: int) -> Change:
    """One comparison of plan 2.7, percentages and points on a 0-100 scale."""
    if n1 == 0 or n0 == 0:
        return Change(n1, None, n0, None, None, None, None, None, None)
    p1, p0 = 100.0 * k1 / n1, 100.0 * k0 / n0
    low, high = newcombe_interval(k1, n1, k0, n0)
    p = pearson_p(k1, n1, k0, n0)
    change = p1 - p0
    if p < TREND_ALPHA and change != 0:
        direction = "up" if change > 0 else "down"
    else:
        direction = "no_change"
    return Change(n1, p1, n0, p0, change, 100.0 * low, 100.0 * high, p, direction)


def previous_waves(waves: list[int]) -> dict[int, int]:
    """Each loaded wave that has an earlier one -> the latest earlier loaded wave."""
    ordered = sorted(set(waves))
    return dict(zip(ordered[1:], ordered[:-1], strict=True))


def _used_returns(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    require_columns(con, USED_RETURNS, ["wave", "survey", "org_code", "org_name"])
    return con.execute(f"SELECT DISTINCT wave, survey, org_code, org_name FROM {USED_RETURNS}").df()


def _national_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    table = "marts.outcome_summary"
    require_columns(con, table, ["wave", "survey", "outcome_id", "n_relevant", "n_positive"])
    return con.execute(f"SELECT wave, survey, outcome_id, n_relevant, n_positive FROM {table}").df()


def _org_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Unsuppressed counts per wave, survey, organisation and outcome (never published as
    such: only compared, and then only where both bases reach the disclosure minimum)."""
    parts = []
    for survey in SURVEYS:
        require_columns(con, survey.table, ["wave", "org_code", *map(survey.flag, survey.outcomes)])
        for outcome in survey.outcomes:
            flag = survey.flag(outcome)
            parts.append(
                f"SELECT wave, '{survey.name}' AS survey, org_code, '{outcome}' AS outcome_id, "
                f"COUNT({flag}) AS n_relevant, COALESCE(SUM({flag}), 0) AS n_positive "
                f"FROM {survey.table} GROUP BY wave, org_code"
            )
    return con.execute(" UNION ALL ".join(parts)).df()


def _lookup(frame: pd.DataFrame, keys: list[str]) -> dict[tuple, tuple[int, int]]:
    return {
        tuple(row[:-2]): (int(row[-2]), int(row[-1]))
        for row in frame[[*keys, "n_relevant", "n_positive"]].itertuples(index=False)
    }


def trend_tables(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(trend_changes, org_trend_changes) of every loaded wave with an earlier one."""
    used = _used_returns(con)
    national = _lookup(_national_counts(con), ["wave", "survey", "outcome_id"])
    orgs = _lookup(_org_counts(con), ["wave", "survey", "org_code", "outcome_id"])
    national_rows, org_rows = [], []
    for survey in SURVEYS:
        in_survey = used[used["survey"] == survey.name]
        returns = {
            wave: dict(zip(group["org_code"], group["org_name"], strict=True))
            for wave, group in in_survey.groupby("wave")
        }
        for wave, previous in previous_waves([int(w) for w in returns]).items():
            for outcome in survey.outcomes:
                n1, k1 = national.get((wave, survey.name, outcome), (0, 0))
                n0, k0 = national.get((previous, survey.name, outcome), (0, 0))
                change = compare(k1, n1, k0, n0)
                key = {"survey": survey.name, "outcome_id": outcome, "wave": wave,
                       "previous_wave": previous}  # fmt: skip
                national_rows.append({**key, **change.__dict__})
                for org_code in sorted(set(returns[wave]) & set(returns[previous])):
                    n1, k1 = orgs.get((wave, survey.name, org_code, outcome), (0, 0))
                    n0, k0 = orgs.get((previous, survey.name, org_code, outcome), (0, 0))
                    org_key = {**key, "org_code": org_code, "org_name": returns[wave][org_code]}
                    org_rows.append({**org_key, **_disclosed(k1, n1, k0, n0)})
    return (
        # outcome_label is filled when the tables are written (stats/labels.py)
        pd.DataFrame(national_rows, columns=list(TREND_CHANGES)),
        pd.DataFrame(org_rows, columns=list(ORG_TREND_CHANGES)),
    )


def _disclosed(k1: int, n1: int, k0: int, n0: int) -> dict:
    """Plan 2.7 with section 3: a base below the minimum in either wave hides every figure."""
    if min(n1, n0) < DISCLOSURE_MIN_BASE:
        return {**dict.fromkeys(FIGURES), "suppressed": True}
    return {**compare(k1, n1, k0, n0).__dict__, "suppressed": False}


TREND_CHANGES = {
    "survey": "VARCHAR", "outcome_id": "VARCHAR", "wave": "INTEGER", "previous_wave": "INTEGER",
    "n_relevant": "BIGINT", "pct_positive": "DOUBLE", "previous_n_relevant": "BIGINT",
    "previous_pct_positive": "DOUBLE", "change_points": "DOUBLE", "ci_low": "DOUBLE",
    "ci_high": "DOUBLE", "p_value": "DOUBLE", "direction": "VARCHAR",
    "outcome_label": "VARCHAR",  # joined from reference.outcomes (stats/labels.py)
}  # fmt: skip
ORG_TREND_CHANGES = {
    "survey": "VARCHAR", "org_code": "VARCHAR", "org_name": "VARCHAR", "outcome_id": "VARCHAR",
    "wave": "INTEGER", "previous_wave": "INTEGER",
    **{k: v for k, v in TREND_CHANGES.items() if k in FIGURES},
    "suppressed": "BOOLEAN",
    "outcome_label": "VARCHAR",
}  # fmt: skip

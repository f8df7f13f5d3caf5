"""Everything a report pack shows, read from a warehouse as aggregates.

One read-only connection, one query per table and wave; every per-respondent count is
an SQL aggregate in DuckDB, so Python only ever holds aggregate rows (a few thousand at
national scale). Tables that other stages add later (themes, trend changes) are read
when they exist and are `None` otherwise, and each report section says "not loaded".
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

OPTIONAL_TABLES = ("theme_shares", "comment_themes", "trend_changes", "org_trend_changes")


class NoWave(ValueError):
    """The requested wave has no used return in the warehouse."""


def has_table(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return (
        con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = ? AND table_name = ?",
            [schema, name],
        ).fetchone()[0]
        > 0
    )


def waves(con: duckdb.DuckDBPyConnection) -> list[int]:
    return [
        int(w)
        for (w,) in con.execute(
            "SELECT DISTINCT wave FROM marts.org_summary ORDER BY wave"
        ).fetchall()
    ]


@dataclass(frozen=True)
class ReportData:
    wave: int
    previous_wave: int | None
    outcome_summary: pd.DataFrame
    distributions: pd.DataFrame
    weekly_amount_bands: pd.DataFrame
    comment_counts: pd.DataFrame  # survey, question, n_comments, n_respondents
    odds_ratios: pd.DataFrame
    regression_models: pd.DataFrame
    regression_terms: pd.DataFrame
    group_differences: pd.DataFrame
    group_figures: pd.DataFrame
    process_scale: pd.DataFrame
    org_benchmark: pd.DataFrame
    org_summary: pd.DataFrame
    national_shares: pd.DataFrame  # survey, flag, n, pct (process and views, pooled)
    landed_files: pd.DataFrame
    invalid_cells: pd.DataFrame  # path, variable, rule, cells
    report_fidelity: pd.DataFrame
    factor_tables: pd.DataFrame  # the 2014 grids: survey, table, factor, outcome, published OR
    codebook: pd.DataFrame  # survey, variable, type, question, codes
    outcomes: pd.DataFrame  # survey, variable, outcome_id, outcome_order
    theme_shares: pd.DataFrame | None
    org_themes: (
        pd.DataFrame | None
    )  # org_code, survey, question, theme_id, n_comments, n_with_theme
    trend_changes: pd.DataFrame | None
    org_trend_changes: pd.DataFrame | None

    @property
    def org_codes(self) -> list[str]:
        return sorted(self.org_summary["org_code"].unique().tolist())


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def _wave_table(con, table: str, wave: int, order: str = "") -> pd.DataFrame:
    sql = f"SELECT * FROM marts.{table} WHERE wave = ?"
    return _df(con, sql + (f" ORDER BY {order}" if order else ""), [wave])


FLAG_SHARES = {
    "holders": (
        "process_made_easy",
        "views_included_needs_assessed",
        "views_included_budget_set",
        "views_included_support_plan",
    ),
    "carers": (
        "views_included_person_needs",
        "views_included_carer_needs",
        "views_included_budget_set",
        "views_included_support_plan",
    ),
}
RESPONSE_TABLES = {"holders": "holder_responses", "carers": "carer_responses"}


def _stacked(con, queries: list[str], params: list | None = None) -> pd.DataFrame:
    """The rows of each query, one query after the other, each in its own order: a UNION
    ALL of them would give the rows in no set order."""
    return pd.concat([_df(con, sql, params) for sql in queries], ignore_index=True)


def _national_shares(con, wave: int) -> pd.DataFrame:
    return _stacked(
        con,
        [
            f"SELECT '{survey}' AS survey, '{flag}' AS flag, count({flag}) AS n, "
            f"100.0 * avg({flag}) AS pct FROM marts.{RESPONSE_TABLES[survey]} WHERE wave = ?"
            for survey, flags in FLAG_SHARES.items()
            for flag in flags
        ],
        [wave],
    )


def _weekly_amount_bands(con, wave: int) -> pd.DataFrame:
    return _df(
        con,
        "SELECT weekly_amount_band AS band, count(*) AS n, "
        "100.0 * count(*) / sum(count(*)) OVER () AS pct "
        "FROM marts.holder_responses WHERE wave = ? AND weekly_amount_band IS NOT NULL "
        "GROUP BY 1 ORDER BY 1",
        [wave],
    )


def _comment_counts(con, wave: int) -> pd.DataFrame:
    return _df(
        con,
        """
        WITH respondents AS (
            SELECT 'holders' AS survey, count(*) AS n_respondents
            FROM marts.holder_responses WHERE wave = $1
            UNION ALL
            SELECT 'carers', count(*) FROM marts.carer_responses WHERE wave = $1
        )
        SELECT c.survey, c.question, count(*) AS n_comments, r.n_respondents
        FROM marts.comments c JOIN respondents r USING (survey)
        WHERE c.wave = $1
        GROUP BY ALL ORDER BY ALL
        """,
        [wave],
    )


def _invalid_cells(con, wave: int) -> pd.DataFrame:
    return _df(
        con,
        "SELECT q.path, q.variable, q.rule, count(*) AS cells "
        "FROM marts.data_quality_issues q JOIN marts.landed_files f "
        "ON f.path = q.path AND f.sha256 = q.sha256 WHERE f.wave = ? "
        "GROUP BY ALL ORDER BY q.path, cells DESC, q.variable, q.rule",
        [wave],
    )


def _factor_tables(con) -> pd.DataFrame:
    columns = '"table", factor_group, factor_id, factor_label, outcome_id, '
    columns += "odds_ratio AS published_or, significant AS published_significant"
    return _stacked(
        con,
        [
            f"SELECT '{survey}' AS survey, {columns} FROM reference.{table}"
            for survey, table in (
                ("holders", "published_2014_holder_bivariate_odds_ratios"),
                ("carers", "published_2014_carer_bivariate_odds_ratios"),
            )
        ],
    )


def _codebook(con) -> pd.DataFrame:
    return _stacked(
        con,
        [
            f"SELECT '{survey}' AS survey, variable, type, question, codes "
            f"FROM reference.codebook_{survey}"
            for survey in ("holders", "carers")
        ],
    )


def _org_themes(con, wave: int) -> pd.DataFrame:
    """Per organisation, survey, question and theme: comments and those carrying it.

    marts.comment_themes has one row per comment and theme (its blocking gate's
    `one_row_per_comment_and_theme`), so its rows count the comments: at 1M holders
    count(DISTINCT respondent_id) over its 4 million rows took 0.7-0.9 s, count(*) 0.08 s."""
    return _df(
        con,
        """
        WITH bases AS (
            SELECT org_code, survey, question, count(*) AS n_comments
            FROM marts.comments WHERE wave = $1 GROUP BY ALL
        ), themed AS (
            SELECT org_code, survey, question, theme_id, count(*) AS n_with_theme
            FROM marts.comment_themes WHERE wave = $1 GROUP BY ALL
        )
        SELECT t.org_code, t.survey, t.question, t.theme_id, b.n_comments, t.n_with_theme
        FROM themed t JOIN bases b USING (org_code, survey, question)
        ORDER BY ALL
        """,
        [wave],
    )


def load(con: duckdb.DuckDBPyConnection, wave: int | None = None) -> ReportData:
    """The aggregates of one wave (the latest with a used return when `wave` is None)."""
    loaded = waves(con)
    if not loaded:
        raise NoWave("the warehouse has no used return yet: nothing to report")
    if wave is None:
        wave = loaded[-1]
    if wave not in loaded:
        raise NoWave(f"wave {wave} has no used return; waves loaded: {loaded}")
    earlier = [w for w in loaded if w < wave]
    present = {name: has_table(con, "marts", name) for name in OPTIONAL_TABLES}
    return ReportData(
        wave=wave,
        previous_wave=earlier[-1] if earlier else None,
        outcome_summary=_wave_table(con, "outcome_summary", wave),
        distributions=_wave_table(con, "distributions", wave, "survey, variable, code"),
        weekly_amount_bands=_weekly_amount_bands(con, wave),
        comment_counts=_comment_counts(con, wave),
        odds_ratios=_wave_table(con, "odds_ratios", wave),
        regression_models=_wave_table(con, "regression_models", wave),
        regression_terms=_wave_table(con, "regression_terms", wave),
        group_differences=_wave_table(con, "group_differences", wave),
        group_figures=_wave_table(con, "group_figures", wave),
        process_scale=_wave_table(con, "process_scale", wave),
        org_benchmark=_wave_table(con, "org_benchmark", wave, "survey, org_code, outcome_id"),
        org_summary=_wave_table(con, "org_summary", wave, "org_code, survey"),
        national_shares=_national_shares(con, wave),
        landed_files=_wave_table(con, "landed_files", wave, "org_code, path, landed_at"),
        invalid_cells=_invalid_cells(con, wave),
        report_fidelity=_df(con, "SELECT * FROM marts.report_fidelity"),
        factor_tables=_factor_tables(con),
        codebook=_codebook(con),
        outcomes=_df(con, "SELECT * FROM reference.outcomes ORDER BY survey, outcome_order"),
        theme_shares=_wave_table(con, "theme_shares", wave) if present["theme_shares"] else None,
        org_themes=_org_themes(con, wave) if present["comment_themes"] else None,
        trend_changes=_wave_table(con, "trend_changes", wave) if present["trend_changes"] else None,
        org_trend_changes=_wave_table(con, "org_trend_changes", wave)
        if present["org_trend_changes"]
        else None,
    )

"""The tables of the national report: odds-ratio grids (2014 Tables 1-6 and 8-11) and
logistic regressions (Tables 7 and 12), with the 2014 figures beside ours."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dagster_project.reports.data import ReportData
from dagster_project.reports.disclosure import SUPPRESSED, shown
from dagster_project.reports.labels import Labels
from dagster_project.stats.plan import FIDELITY_WAVE

HOLDER_TABLES = (1, 2, 3, 4, 5, 6)
CARER_TABLES = (8, 9, 10, 11)


@dataclass(frozen=True)
class Cell:
    text: str  # "1.37*", "[c]" or "" (not computed)
    direction: str  # "up" (significant, OR > 1), "down" (significant, OR < 1) or ""
    title: str  # the interval and p, for the tooltip and screen readers
    published: str  # the 2014 report's figure ("1.37*") or ""


@dataclass(frozen=True)
class Grid:
    anchor: str
    number: str
    title: str
    survey: str
    factors: tuple[str, ...]  # column headers (labels)
    rows: tuple[tuple[str, tuple[Cell, ...]], ...]  # outcome label, cells


@dataclass(frozen=True)
class RegressionBlock:
    outcome: str
    n: str
    r2: str
    status: str
    terms: tuple[tuple[str, str, str, str, str], ...]  # factor, OR, CI, p, 2014 OR
    published_header: str  # "2014: n=1,323; R² 0.14" or ""


@dataclass(frozen=True)
class RegressionTable:
    anchor: str
    number: str
    title: str
    blocks: tuple[RegressionBlock, ...]


def _published_or(data: ReportData) -> dict[tuple[str, str, str], str]:
    """The 2014 report's ratio (and asterisk) per cell, shown when reporting 2014."""
    if data.wave != FIDELITY_WAVE:
        return {}
    return {
        (r.survey, r.factor_id, r.outcome_id): f"{float(r.published_or):.2f}"
        + ("*" if r.published_significant else "")
        for r in data.factor_tables.itertuples()
        if not pd.isna(r.published_or)
    }


def _cell(row: pd.Series | None, published: str) -> Cell:
    if row is None:
        return Cell("", "", "not computed", published)
    if not shown(row["n"]):
        return Cell(SUPPRESSED, "", "base below the disclosure threshold", published)
    if row["status"] != "ok" or pd.isna(row["odds_ratio"]):
        return Cell("–", "", "one value only: no odds ratio", published)
    odds = float(row["odds_ratio"])
    significant = bool(row["significant"])
    direction = ("up" if odds > 1 else "down") if significant else ""
    title = (
        f"OR {odds:.2f}, 95% CI {float(row['ci_low']):.2f}-{float(row['ci_high']):.2f}, "
        f"p = {float(row['p_value']):.3g} ({row['test']}), n = {int(row['n'])}"
    )
    return Cell(f"{odds:.2f}{'*' if significant else ''}", direction, title, published)


def build_grids(data: ReportData, labels: Labels) -> list[Grid]:
    published = _published_or(data)
    odds = data.odds_ratios.set_index(["survey", "factor_id", "outcome_id"]).sort_index()
    grids = []
    for survey, numbers in (("holders", HOLDER_TABLES), ("carers", CARER_TABLES)):
        ft = data.factor_tables[data.factor_tables["survey"] == survey]
        for number in numbers:
            factors = ft[ft["table"] == number]
            factor_ids = list(dict.fromkeys(factors["factor_id"]))
            group = factors["factor_group"].iloc[0] if len(factors) else ""
            rows = []
            for outcome in labels.outcomes_of(survey):
                cells = []
                for factor in factor_ids:
                    key = (survey, factor, outcome)
                    row = odds.loc[key] if key in odds.index else None
                    if isinstance(row, pd.DataFrame):
                        row = row.iloc[0]
                    cells.append(_cell(row, published.get(key, "")))
                rows.append((labels.outcome_label(survey, outcome), tuple(cells)))
            grids.append(
                Grid(
                    f"table{number}",
                    f"Table {number}",
                    f"Associations between {group.lower()} and positive impacts of personal budgets",
                    survey,
                    tuple(labels.factor_label(survey, f) for f in factor_ids),
                    tuple(rows),
                )
            )
    return grids


def build_regressions(data: ReportData, labels: Labels) -> list[RegressionTable]:
    models, terms = data.regression_models, data.regression_terms
    fidelity = data.report_fidelity
    use_published = data.wave == FIDELITY_WAVE and not fidelity.empty
    out = []
    for survey, number in (("holders", 7), ("carers", 12)):
        blocks = []
        for outcome in labels.outcomes_of(survey):
            m = models[(models["survey"] == survey) & (models["outcome_id"] == outcome)]
            if m.empty:
                continue
            m = m.iloc[0]
            t = terms[
                (terms["survey"] == survey) & (terms["outcome_id"] == outcome) & terms["reported"]
            ].sort_values("p_value")
            pub = {}
            if use_published:
                pf = fidelity[
                    (fidelity["kind"] == "regression")
                    & (fidelity["survey"] == survey)
                    & (fidelity["outcome_id"] == outcome)
                ]
                pub = {
                    r.factor_id: f"{float(r.published):.2f}"
                    for r in pf.itertuples()
                    if not pd.isna(r.published) and not r.suspected_erratum
                }
            rows = tuple(
                (
                    labels.factor_label(survey, r.factor_id),
                    f"{float(r.odds_ratio):.2f}",
                    f"{float(r.ci_low):.2f}-{float(r.ci_high):.2f}",
                    "<0.001" if float(r.p_value) < 0.001 else f"{float(r.p_value):.3f}",
                    pub.get(r.factor_id, ""),
                )
                for r in t.itertuples()
            )
            blocks.append(
                RegressionBlock(
                    labels.outcome_label(survey, outcome),
                    f"{int(m['n']):,}",
                    "" if pd.isna(m["nagelkerke_r2"]) else f"{float(m['nagelkerke_r2']):.2f}",
                    str(m["status"]),
                    rows,
                    "",
                )
            )
        out.append(
            RegressionTable(
                f"table{number}",
                f"Table {number}",
                "Logistic regressions: factors most strongly associated with positive outcomes"
                + (" for carers" if survey == "carers" else ""),
                tuple(blocks),
            )
        )
    return out

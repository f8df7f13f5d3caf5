"""marts.report_fidelity: every published 2014 figure beside the reproduced one.

Reads the six `reference.published_2014_*` seeds and compares each row with the 2014 wave
of the marts and of this stage's tables. Rows flagged `suspected_erratum` are listed and
left out of every summary (`fidelity_summary`).
"""

from __future__ import annotations

import math
from decimal import Decimal

import duckdb
import pandas as pd

from dagster_project.stats.marginal_map import MarginalSource, marginal_source
from dagster_project.stats.plan import (
    FIDELITY_WAVE,
    REPORTED_ALPHA,
    SIGNIFICANCE_ALPHA,
    SURVEYS,
    Z_95,
)
from dagster_project.stats.tables import table_exists

RESPONSES = {"holders": "marts.holder_responses", "carers": "marts.carer_responses"}
SEED = "reference.published_2014_{}"
REGRESSION_TABLE = {"holders": "Table 7", "carers": "Table 12"}
PREDICTORS = {s.name: s.predictors for s in SURVEYS}
INVERSE_NOTE = "inverse"  # a label_note containing this word: compare with 1/OR


def wilson(k: float, n: float) -> tuple[float | None, float | None]:
    """Wilson score 95% interval of k/n on the 0-100 scale."""
    if not n:
        return None, None
    p, z2 = k / n, Z_95**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z_95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return 100 * (centre - half), 100 * (centre + half)


class MarginalReproducer:
    """Reproduces one published marginal from the fidelity wave of the marts."""

    def __init__(self, con: duckdb.DuckDBPyConnection, wave: int = FIDELITY_WAVE):
        self.con, self.wave = con, wave

    def _one(self, sql: str, *params) -> tuple:
        row = self.con.execute(sql, list(params)).fetchone()
        # DuckDB returns DECIMAL sums as Decimal: the interval arithmetic is in float.
        return (
            None if row is None else tuple(float(v) if isinstance(v, Decimal) else v for v in row)
        )

    def _share(self, k: float | None, n: float | None, note: str) -> dict:
        if not n:
            return {"reason": f"no answers in wave {self.wave}", "reproduced_n": 0, "note": note}
        low, high = wilson(k or 0, n)
        return {"reproduced": 100 * (k or 0) / n, "ci_low": low, "ci_high": high,
                "reproduced_n": int(n), "note": note}  # fmt: skip

    def reproduce(self, survey: str, src: MarginalSource) -> dict:
        table, w = RESPONSES[survey], self.wave
        s = src.source
        if s == "none":
            return {"reason": src.reason}
        if s == "code_share":
            code = "TRY_CAST(code AS INTEGER)"
            base = (
                f"AND {code} IN ({', '.join(map(str, src.base_codes))})" if src.base_codes else ""
            )
            k, n = self._one(
                f"SELECT SUM(n) FILTER (WHERE {code} IN ({', '.join(map(str, src.codes))})), SUM(n) "
                f"FROM marts.distributions WHERE wave = ? AND survey = ? AND variable = ? {base}",
                w, survey, src.variable,
            )  # fmt: skip
            of = f"codes {list(src.base_codes)}" if src.base_codes else "all answers"
            return self._share(
                k, n, f"distributions.{src.variable}: codes {list(src.codes)} of {of}"
            )
        if s == "flag_share":
            k, n = self._one(
                f'SELECT SUM("{src.variable}"), COUNT("{src.variable}") FROM {table} WHERE wave = ?',
                w,
            )
            return self._share(k, n, f"{src.variable} = 1 of rows where it is not NULL")
        if s == "value_share":
            k, n = self._one(
                f'SELECT COUNT(*) FILTER (WHERE "{src.variable}" = ?), COUNT("{src.variable}") FROM {table} WHERE wave = ?',
                src.codes[0], w,
            )  # fmt: skip
            return self._share(
                k, n, f"{src.variable} = '{src.codes[0]}' of rows where it is not NULL"
            )
        if s in ("outcome_positive", "outcome_negative"):
            row = self._one(
                "SELECT n_relevant, n_positive, pct_positive, ci_low, ci_high, pct_negative "
                "FROM marts.outcome_summary WHERE wave = ? AND survey = ? AND outcome_id = ?",
                w, survey, src.variable,
            )  # fmt: skip
            if row is None:
                return {"reason": f"outcome {src.variable} not in outcome_summary for wave {w}"}
            n_rel, _, pct_pos, low, high, pct_neg = row
            if s == "outcome_positive":
                return {"reproduced": pct_pos, "ci_low": low, "ci_high": high, "reproduced_n": n_rel,
                        "note": "outcome_summary.pct_positive with its Wilson interval"}  # fmt: skip
            out = self._share(
                (pct_neg or 0) * (n_rel or 0) / 100, n_rel, "outcome_summary.pct_negative"
            )
            return out
        if s == "outcome_negative_max":
            row = self._one(
                "SELECT outcome_id, n_relevant, pct_negative FROM marts.outcome_summary "
                "WHERE wave = ? AND survey = ? ORDER BY pct_negative DESC NULLS LAST LIMIT 1",
                w, survey,
            )  # fmt: skip
            if row is None:
                return {"reason": f"no outcome_summary rows for wave {w}"}
            return self._share(row[2] * row[1] / 100, row[1], f"largest pct_negative ({row[0]})")
        if s == "respondents":
            (n,) = self._one(f"SELECT COUNT(*) FROM {table} WHERE wave = ?", w)
            return {
                "reproduced": n,
                "reproduced_n": n,
                "note": "respondents used; a count has no interval",
            }
        if s == "organisations":
            tables = list(RESPONSES.values()) if src.codes == ("both_surveys",) else [table]
            union = " UNION ".join(
                f"SELECT org_code, org_type FROM {t} WHERE wave = ?" for t in tables
            )
            (n,) = self._one(
                f"SELECT COUNT(DISTINCT org_code) FROM ({union}) WHERE org_type = ?",
                *([w] * len(tables)),
                src.variable,
            )
            return {
                "reproduced": n,
                "note": f"distinct {src.variable} organisations with used returns; a count has no interval",
            }
        if s == "mean_by_group":
            n, mean, sd = self._one(
                f"SELECT COUNT(weekly_amount_gbp), AVG(weekly_amount_gbp), STDDEV_SAMP(weekly_amount_gbp) "
                f"FROM {table} WHERE wave = ? AND social_care_group = ?", w, src.variable,
            )  # fmt: skip
            if not n:
                return {
                    "reason": f"no weekly amounts for {src.variable} in wave {w}",
                    "reproduced_n": 0,
                }
            half = Z_95 * sd / math.sqrt(n) if n > 1 else None
            return {"reproduced": mean, "reproduced_n": n, "ci_low": mean - half if half else None,
                    "ci_high": mean + half if half else None,
                    "note": "mean weekly_amount_gbp, normal 95% interval of the mean"}  # fmt: skip
        if s == "ongoing_share":
            ongoing, one_off = self._one(
                f"SELECT COUNT(weekly_amount_gbp), COUNT(one_off_amount_gbp) FROM {table} WHERE wave = ?",
                w,
            )
            k = ongoing if src.codes == (True,) else one_off
            return self._share(k, ongoing + one_off, "of those giving an amount: weekly vs one-off")
        if s == "process_r":
            row = self._one(
                "SELECT n, mean_inter_item_r FROM marts.process_scale WHERE wave = ?", w
            )
            if row is None or row[1] is None:
                return {"reason": f"no process scale for wave {w}"}
            n, r = row
            half = Z_95 / math.sqrt(n - 3) if n and n > 3 else None
            return {"reproduced": r, "reproduced_n": n,
                    "ci_low": math.tanh(math.atanh(r) - half) if half else None,
                    "ci_high": math.tanh(math.atanh(r) + half) if half else None,
                    "note": "process_scale.mean_inter_item_r; Fisher-z interval with n complete cases (approximate)"}  # fmt: skip
        if s == "comment_share":
            if not table_exists(self.con, "marts", "comments"):
                return {"reason": "marts.comments is not built"}
            # One row per respondent and question of a wave and survey (the dbt test
            # unique_combination_of_columns on marts.comments): rows count respondents.
            k, n = self._one(
                f"SELECT (SELECT COUNT(*) FROM marts.comments "
                f"WHERE wave = ? AND survey = ? AND question = ?), (SELECT COUNT(*) FROM {table} WHERE wave = ?)",
                w, survey, src.variable, w,
            )  # fmt: skip
            return self._share(
                k, n, f"respondents with a {src.variable} comment of all respondents"
            )
        raise ValueError(f"unknown marginal source {s!r}")


def _read_seed(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    table = SEED.format(name)
    if not table_exists(con, "reference", f"published_2014_{name}"):
        raise RuntimeError(
            f"{table} is missing: run `dbt seed` (the transform stage) before the stats"
        )
    return con.execute(f"SELECT * FROM {table}").df()


def _truthy(value) -> bool:
    return str(value).strip().lower() in ("true", "1", "t", "yes")


def _num(value) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


def _within(published, low, high) -> bool | None:
    if (
        published is None
        or low is None
        or high is None
        or any(map(math.isnan, (published, low, high)))
    ):
        return None
    return bool(low <= published <= high)


def marginal_rows(con: duckdb.DuckDBPyConnection, wave: int) -> list[dict]:
    rows = []
    reproducer = MarginalReproducer(con, wave)
    for survey, seed in (("holders", "holder_marginals"), ("carers", "carer_marginals")):
        for rec in _read_seed(con, seed).to_dict("records"):
            value, base, unit = _num(rec["value"]), _num(rec.get("base")), str(rec["unit"])
            source = marginal_source(survey, rec["section"], rec["category"])
            found = reproducer.reproduce(survey, source)
            published, note = value, found.get("note")
            if unit == "count" and base:
                # A count out of a stated base is compared as a percentage of that base.
                published = 100 * value / base
                note = f"published {value:g} of {base:g} compared as percent; " + (note or "")
            elif unit == "count":
                found = {**found, "ci_low": None, "ci_high": None}
            rows.append({
                "kind": "marginal", "survey": survey, "table_ref": rec.get("source"),
                "section": rec["section"], "category": rec["category"], "factor_id": None,
                "outcome_id": rec["category"] if rec["section"].startswith("outcome_") else None,
                "published": published, "reproduced": found.get("reproduced"),
                "ci_low": found.get("ci_low"), "ci_high": found.get("ci_high"),
                "significance_agrees": None, "suspected_erratum": False, "unit": unit,
                "published_n": int(base) if base else None, "reproduced_n": found.get("reproduced_n"),
                "published_r2": None, "reproduced_r2": None,
                "reason": found.get("reason"), "note": note, "_upper_bound": source.upper_bound,
            })  # fmt: skip
    return rows


def odds_ratio_rows(con: duckdb.DuckDBPyConnection, wave: int) -> list[dict]:
    ours = con.execute(
        "SELECT survey, factor_id, outcome_id, odds_ratio, ci_low, ci_high, p_value, status "
        "FROM marts.odds_ratios WHERE wave = ?",
        [wave],
    ).df()
    ours = {(r.survey, r.factor_id, r.outcome_id): r for r in ours.itertuples()}
    rows = []
    for survey, seed in (
        ("holders", "holder_bivariate_odds_ratios"),
        ("carers", "carer_bivariate_odds_ratios"),
    ):
        for rec in _read_seed(con, seed).to_dict("records"):
            mine = ours.get((survey, rec["factor_id"], rec["outcome_id"]))
            reproduced = low = high = agrees = reason = None
            if mine is None:
                reason = f"no odds ratio for wave {wave}"
            elif mine.status != "ok":
                reason = f"status {mine.status}: the factor or the outcome takes one value only"
            else:
                reproduced, low, high = mine.odds_ratio, mine.ci_low, mine.ci_high
                agrees = bool((mine.p_value < SIGNIFICANCE_ALPHA) == _truthy(rec["significant"]))
            published = _num(rec["odds_ratio"])
            rows.append({
                "kind": "odds_ratio", "survey": survey, "table_ref": f"Table {int(rec['table'])}",
                "section": rec["factor_group"], "category": rec["factor_label"],
                "factor_id": rec["factor_id"], "outcome_id": rec["outcome_id"],
                "published": published, "reproduced": reproduced, "ci_low": low, "ci_high": high,
                "significance_agrees": agrees, "suspected_erratum": _truthy(rec.get("suspected_erratum", False)),
                "unit": "odds_ratio", "published_n": None, "reproduced_n": None,
                "published_r2": None, "reproduced_r2": None, "reason": reason,
                "note": f"published asterisk: {_truthy(rec['significant'])}; agreement is reproduced p < {SIGNIFICANCE_ALPHA}",
            })  # fmt: skip
    return rows


def regression_rows(con: duckdb.DuckDBPyConnection, wave: int) -> list[dict]:
    models = con.execute(
        "SELECT survey, outcome_id, n, nagelkerke_r2, status FROM marts.regression_models WHERE wave = ?",
        [wave],
    ).df()
    models = {(r.survey, r.outcome_id): r for r in models.itertuples()}
    terms = con.execute(
        "SELECT survey, outcome_id, factor_id, odds_ratio, ci_low, ci_high, p_value, reported "
        "FROM marts.regression_terms WHERE wave = ?",
        [wave],
    ).df()
    reported = terms[terms["reported"]].groupby(["survey", "outcome_id"]).size().to_dict()
    terms = {(r.survey, r.outcome_id, r.factor_id): r for r in terms.itertuples()}
    rows = []
    for survey, seed in (("holders", "holder_regressions"), ("carers", "carer_regressions")):
        for rec in _read_seed(con, seed).to_dict("records"):
            model = models.get((survey, rec["outcome_id"]))
            factor = (
                rec.get("factor_id")
                if isinstance(rec.get("factor_id"), str) and rec.get("factor_id")
                else None
            )
            note = rec.get("label_note") if isinstance(rec.get("label_note"), str) else ""
            inverse = INVERSE_NOTE in note.lower()
            reproduced = low = high = agrees = reason = None
            published = _num(rec.get("corrected_odds_ratio"))
            if model is None:
                reason = f"no regression model for wave {wave}"
            elif factor is None:
                # A published block without factors: "no factor at p<0.01" or "not modelled".
                if "not modelled" in note:
                    agrees = model.status != "ok"
                else:
                    agrees = (
                        model.status == "ok" and reported.get((survey, rec["outcome_id"]), 0) == 0
                    )
                reason = f"no published factor ({note}); significance_agrees compares the model's outcome"
            elif model.status != "ok":
                reason = f"model status {model.status}"
            elif factor not in PREDICTORS[survey]:
                reason = f"{factor} is not a predictor of the {survey} model"
            elif (term := terms.get((survey, rec["outcome_id"], factor))) is None:
                reason = f"{factor} was dropped (one value only in the complete cases)"
            else:
                reproduced, low, high = term.odds_ratio, term.ci_low, term.ci_high
                if inverse:
                    reproduced, low, high = 1 / reproduced, 1 / high, 1 / low
                same_direction = (reproduced - 1) * ((published or 1) - 1) > 0
                agrees = bool(term.p_value < REPORTED_ALPHA and same_direction)
            rows.append({
                "kind": "regression", "survey": survey, "table_ref": REGRESSION_TABLE[survey],
                "section": "regression", "category": rec.get("factor_label") if factor else None,
                "factor_id": factor, "outcome_id": rec["outcome_id"], "published": published,
                "reproduced": reproduced, "ci_low": low, "ci_high": high,
                "significance_agrees": agrees, "suspected_erratum": _truthy(rec.get("suspected_erratum", False)),
                "unit": "odds_ratio", "published_n": _num(rec.get("n")),
                "reproduced_n": None if model is None else model.n,
                "published_r2": _num(rec.get("nagelkerke_r2")),
                "reproduced_r2": None if model is None else _num(model.nagelkerke_r2),
                "reason": reason,
                "note": ("compared with 1/OR of " + factor + "; " if inverse else "") + note,
            })  # fmt: skip
    return rows


def fidelity_table(con: duckdb.DuckDBPyConnection, wave: int = FIDELITY_WAVE) -> pd.DataFrame:
    rows = marginal_rows(con, wave) + odds_ratio_rows(con, wave) + regression_rows(con, wave)
    frame = pd.DataFrame(rows)
    frame["within_interval"] = [
        _within(_num(p), _num(lo), _num(hi))
        for p, lo, hi in zip(frame["published"], frame["ci_low"], frame["ci_high"], strict=True)
    ]
    # A published upper bound ("less than 9%") agrees when the reproduced interval reaches
    # below it.
    bound = frame["_upper_bound"].fillna(False).astype(bool)
    frame.loc[bound, "within_interval"] = [
        None if pd.isna(lo) else bool(lo <= p)
        for p, lo in zip(frame.loc[bound, "published"], frame.loc[bound, "ci_low"], strict=True)
    ]
    frame.loc[bound, "note"] = (
        frame.loc[bound, "note"].fillna("") + "; the published figure is an upper bound"
    )
    return frame


def fidelity_summary(con: duckdb.DuckDBPyConnection) -> str:
    """A short text of marts.report_fidelity for the README (errata left out)."""
    lines = []
    for kind, within, compared, agrees, judged in con.execute(
        """
        SELECT kind, COUNT(*) FILTER (WHERE within_interval), COUNT(within_interval),
               COUNT(*) FILTER (WHERE significance_agrees), COUNT(significance_agrees)
        FROM marts.report_fidelity WHERE NOT suspected_erratum GROUP BY kind ORDER BY kind
        """
    ).fetchall():
        line = (
            f"{kind}: {within} of {compared} published figures within the reproduced 95% interval"
        )
        if judged:
            line += f"; significance agrees for {agrees} of {judged}"
        lines.append(line)
    for table, agrees, total in con.execute(
        """
        SELECT table_ref, COUNT(*) FILTER (WHERE significance_agrees), COUNT(*)
        FROM marts.report_fidelity
        WHERE kind = 'regression' AND factor_id IS NOT NULL AND NOT suspected_erratum
        GROUP BY table_ref ORDER BY table_ref
        """
    ).fetchall():
        lines.append(
            f"{table}: {agrees} of {total} reported factors reproduced as reported (p < 0.01, same direction)"
        )
    (errata,) = con.execute(
        "SELECT COUNT(*) FROM marts.report_fidelity WHERE suspected_erratum"
    ).fetchone()
    lines.append(f"{errata} suspected errata listed and left out")
    return "\n".join(lines)


def print_fidelity_summary(warehouse: str) -> None:
    """Print the fidelity summary of a warehouse file (read only)."""
    with duckdb.connect(warehouse, read_only=True) as con:
        print(fidelity_summary(con))


if __name__ == "__main__":
    # python -m dagster_project.stats.fidelity [warehouse.duckdb]; default POET_WAREHOUSE
    import sys

    from dagster_project.settings import Settings

    print_fidelity_summary(sys.argv[1] if len(sys.argv) > 1 else str(Settings.from_env().warehouse))

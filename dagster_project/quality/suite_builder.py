"""Writes the expectation suites in expectations/ from the codebook and the plan.

Run `python -m dagster_project.quality.suite_builder` after a codebook or plan change;
tests/quality checks that the committed JSON equals what this module builds. Value
sets come from `load_codebook` and ids from `dagster_project.stats.plan`, never typed
by hand, so the gates cannot drift from the contract.

A suite is a Great Expectations 1.x suite (`name`, `expectations`, `meta`). What GE
cannot express on one table is declared in `meta.poet` and run by the runner in SQL:
`row_checks` (a condition that marks a row as bad), `same_row_count_as` (another
table), and `contact_detail_patterns` (applied to every VARCHAR column at run time, so
a column added later is scanned too).
"""

from __future__ import annotations

import json
from typing import Any

from dagster_project import bounds
from dagster_project.codebook import load_codebook
from dagster_project.quality.contact_details import CONTACT_DETAIL_PATTERNS
from dagster_project.quality.gated_tables import GATED_TABLES, GatedTable
from dagster_project.settings import SURVEYS
from dagster_project.stats.plan import CARERS, HOLDERS
from dagster_project.stats.plan import SURVEYS as PLAN_SURVEYS
from dagster_project.themes.rules import load_themes

# Timestamps, not dates: GE compares datetime64 columns with datetimes vectorised. The
# bounds are landing's too (dagster_project/bounds.py): one file never fails a gate.
EARLIEST_SURVEY_DATE = f"{bounds.EARLIEST_SURVEY_DATE.isoformat()}T00:00:00"
WAVE_RANGE = bounds.WAVE_RANGE
# Percentages that only rounding separates from their exact value or their sum.
PCT_TOLERANCE = 0.1
PCT_SUM_TOLERANCE = 1.0
# Unrounded doubles: a Wilson bound at 0% or 100%, an adjusted p equal to its p, a model
# that adds nothing to the null can miss an exact bound by a few ulps. Comparisons that
# hold mathematically allow this much (relative to the magnitude compared).
FLOAT_SLACK = 1e-9
LINEAGE_COLUMNS = ("source_path", "source_sha256", "source_row", "wave", "org_code", "landed_at")
TODAY = {"$PARAMETER": "today"}  # supplied by the runner at validation time

Expectation = dict[str, Any]


def _expect(kind: str, severity: str = "critical", **kwargs: Any) -> Expectation:
    return {"type": f"expect_{kind}", "kwargs": kwargs, "meta": {}, "severity": severity}


def _not_null(*columns: str) -> list[Expectation]:
    return [_expect("column_values_to_not_be_null", column=c) for c in columns]


def _in_set(column: str, values: list) -> Expectation:
    return _expect("column_values_to_be_in_set", column=column, value_set=values)


def _between(column: str, low: float | None, high: float | None, **kw: Any) -> Expectation:
    return _expect(
        "column_values_to_be_between", column=column, min_value=low, max_value=high, **kw
    )


def _pct(*columns: str) -> list[Expectation]:
    return [_between(c, -FLOAT_SLACK, 100 + FLOAT_SLACK) for c in columns]


def _probability(*columns: str) -> list[Expectation]:
    return [_between(c, -FLOAT_SLACK, 1 + FLOAT_SLACK) for c in columns]


def _a_ge_b(a: str, b: str) -> Expectation:
    return _expect(
        "column_pair_values_a_to_be_greater_than_b",
        column_A=a, column_B=b, or_equal=True, ignore_row_if="either_value_is_missing",
    )  # fmt: skip


def _below(a: str, b: str) -> str:
    """SQL: `a` is below `b` by more than float slack (NULL, so not flagged, if either is)."""
    return f"{a} < {b} - {FLOAT_SLACK} * greatest(1, abs({b}))"


def _not_below(a: str, b: str, key: list[str]) -> dict[str, Any]:
    return _row_check(f"{a}_not_below_{b}", _below(a, b), [*key, a, b])


def _interval(estimate: str, key: list[str]) -> dict[str, Any]:
    return _row_check(
        f"{estimate}_inside_ci",
        f"{_below(estimate, 'ci_low')} OR {_below('ci_high', estimate)}",
        [*key, "ci_low", estimate, "ci_high"],
    )


def _unique(*columns: str) -> Expectation:
    return _expect("compound_columns_to_be_unique", column_list=list(columns))


def _null_when(condition_column: str, value: Any, *columns: str) -> list[Expectation]:
    condition = {
        "type": "comparison", "column": {"name": condition_column}, "operator": "==",
        "parameter": value,
    }  # fmt: skip
    return [_expect("column_values_to_be_null", column=c, row_condition=condition) for c in columns]


def _row_check(
    name: str, bad_when: str, columns: list[str], per_version: bool = False
) -> dict[str, Any]:
    """`per_version`: the condition looks only at rows of the same file version, so the
    gate may check the rows of new versions alone (gated_versions.py)."""
    check = {"name": name, "unexpected_rows": bad_when, "columns": columns}
    return {**check, "per_version": True} if per_version else check


def _survey_of(table: str) -> str:
    return "carers" if "carer" in table else "holders"


def _flags(survey: str) -> list[str]:
    plan = {s.name: s for s in PLAN_SURVEYS}[survey]
    outcomes = [f"{o}_{side}" for o in plan.outcomes for side in ("positive", "negative")]
    return outcomes + list(plan.factors)


def _raw(gated: GatedTable) -> tuple[list[Expectation], dict]:
    codebook = load_codebook(gated.table)
    columns = (*LINEAGE_COLUMNS, *codebook.names, "extra_columns")
    # Raw keeps invalid and non-consenting rows by design: only lineage must hold.
    expectations = [_expect("column_to_exist", column=c) for c in columns]
    expectations += _not_null(*LINEAGE_COLUMNS)
    expectations += [_between("source_row", 1, None)]
    # A version is a slot and a sha256 (the contract): the same bytes in two slots are two
    # versions. SQL, so a failure names the files (source_path) involved.
    return expectations, {"row_checks": [_one_row_per("source_row", ["source_path", "source_row"])]}


def _one_row_per(key: str, shown: list[str]) -> dict[str, Any]:
    """Rows repeating (slot, sha256, key): the table is the survey, wave and org_code the rest."""
    partition = f"wave, org_code, source_sha256, {key}"
    return _row_check(
        f"one_row_per_version_and_{key}",
        f"{key} IS NOT NULL AND count(*) OVER (PARTITION BY {partition}) > 1",
        shown,
        per_version=True,
    )


def _staging(gated: GatedTable) -> tuple[list[Expectation], dict]:
    codebook = load_codebook(_survey_of(gated.table))
    expectations = _not_null("source_sha256", "wave", "org_code", "respondent_id")
    expectations.append(_between("wave", *WAVE_RANGE))
    for variable in codebook.of_type("code", "tick"):
        # Staging holds consenting rows only and drops `consent` itself.
        if variable.name != "consent":
            expectations.append(_in_set(variable.name, sorted(variable.codes)))
    expectations.append(_between("amount_gbp", 0, None, strict_min=True))
    expectations.append(_between("survey_date", EARLIEST_SURVEY_DATE, TODAY))
    # Staging redacts the comments (plan section 3): check it did, before any mart copies them.
    return expectations, {
        "row_checks": [_one_row_per("respondent_id", ["source_path", "respondent_id"])],
        "contact_detail_patterns": CONTACT_DETAIL_PATTERNS,
    }


def _recoded(gated: GatedTable) -> tuple[list[Expectation], dict]:
    survey = _survey_of(gated.table)
    expectations = [_in_set(flag, [0, 1]) for flag in _flags(survey)]
    # A flag that is always 0 or always 1 (or never set) over a whole survey points at a
    # broken recode, but small returns can do it honestly: a warning, never a block,
    # computed for every flag in one DuckDB scan (as GE expectations it doubled the
    # cost of this gate at national scale).
    return expectations, {
        "same_row_count_as": f"staging.stg_{survey}",
        "flags_take_both_values": _flags(survey),
    }


def _survey_and_wave() -> list[Expectation]:
    return [*_not_null("wave", "survey"), _in_set("survey", list(SURVEYS))]


def _outcome_ids() -> list[str]:
    return sorted({*HOLDERS.outcomes, *CARERS.outcomes})


def _factor_ids() -> list[str]:
    return sorted({*HOLDERS.factors, *CARERS.factors})


def _counts_agree(pct: str, n_positive: str, n_relevant: str) -> dict[str, Any]:
    return _row_check(
        f"{pct}_matches_counts",
        f"{n_relevant} > 0 AND abs({pct} - 100.0 * {n_positive} / {n_relevant}) > {PCT_TOLERANCE}",
        [n_positive, n_relevant, pct],
    )


def _outcome_summary() -> tuple[list[Expectation], dict]:
    pcts = ("pct_positive", "ci_low", "ci_high", "pct_negative", "pct_no_difference")
    expectations = [*_survey_and_wave(), *_not_null("outcome_id", "n_relevant", "n_positive")]
    expectations += [_in_set("outcome_id", _outcome_ids()), _unique("wave", "survey", "outcome_id")]
    expectations += [*_pct(*pcts), _a_ge_b("n_relevant", "n_positive")]
    expectations.append(_between("n_positive", 0, None))
    shares_sum = "pct_positive + pct_negative + pct_no_difference"
    row_checks = [
        _interval("pct_positive", ["survey", "outcome_id"]),
        _counts_agree("pct_positive", "n_positive", "n_relevant"),
        _row_check(
            "shares_sum_to_100", f"abs({shares_sum} - 100) > {PCT_SUM_TOLERANCE}",
            ["outcome_id", "pct_positive", "pct_negative", "pct_no_difference"],
        ),
    ]  # fmt: skip
    return expectations, {"row_checks": row_checks}


def _distributions() -> tuple[list[Expectation], dict]:
    expectations = [*_survey_and_wave(), *_not_null("variable", "code", "n", "pct")]
    expectations += [*_pct("pct"), _between("n", 0, None)]
    expectations.append(_unique("wave", "survey", "variable", "code"))
    row_checks = [
        _row_check(
            "pct_sums_to_100_per_variable",
            f"abs(sum(pct) OVER (PARTITION BY wave, survey, variable) - 100) > {PCT_SUM_TOLERANCE}",
            ["survey", "variable", "code", "pct"],
        )
    ]
    return expectations, {"row_checks": row_checks}


def _org_benchmark() -> tuple[list[Expectation], dict]:
    figures = (
        "n_relevant", "n_positive", "pct_positive", "ci_low", "ci_high", "comparison",
        "funnel_95_low", "funnel_95_high", "funnel_998_low", "funnel_998_high",
    )  # fmt: skip
    pcts = ("pct_positive", "ci_low", "ci_high", "national_pct", *figures[6:])
    expectations = [*_survey_and_wave(), *_not_null("org_code", "outcome_id", "suppressed")]
    expectations += [_in_set("outcome_id", _outcome_ids())]
    expectations += [_unique("wave", "survey", "org_code", "outcome_id")]
    expectations += [*_pct(*pcts), _a_ge_b("n_relevant", "n_positive")]
    expectations += [_in_set("comparison", ["higher", "lower", "similar"])]
    expectations += [
        _a_ge_b("funnel_95_high", "funnel_95_low"),
        _a_ge_b("funnel_95_low", "funnel_998_low"),
    ]
    expectations += [_a_ge_b("funnel_998_high", "funnel_95_high")]
    # Disclosure control (plan section 3): a base below 10 is never shown.
    expectations.append(_between("n_relevant", 10, None))
    expectations += _null_when("suppressed", True, *figures)
    expectations += [
        _expect("column_values_to_not_be_null", column=c,
                row_condition={"type": "comparison", "column": {"name": "suppressed"},
                               "operator": "==", "parameter": False})
        for c in ("n_relevant", "pct_positive")
    ]  # fmt: skip
    row_checks = [
        _interval("pct_positive", ["org_code", "outcome_id"]),
        _counts_agree("pct_positive", "n_positive", "n_relevant"),
    ]
    return expectations, {"row_checks": row_checks}


def _org_summary() -> tuple[list[Expectation], dict]:
    views = sorted({f for s in PLAN_SURVEYS for f in s.factors if f.startswith("views_included_")})
    shares = ["process_made_easy", *views]
    expectations = [*_survey_and_wave(), *_not_null("org_code", "suppressed")]
    expectations += [
        _unique("wave", "survey", "org_code"),
        _a_ge_b("rows_landed", "respondents_used"),
    ]
    row_checks = []
    for share in shares:
        expectations += [_between(f"{share}_n", 10, None), *_pct(f"{share}_pct")]
        row_checks.append(
            _row_check(f"{share}_pct_shown_without_base", f"{share}_n IS NULL AND {share}_pct IS NOT NULL",
                       ["org_code", f"{share}_n", f"{share}_pct"])
        )  # fmt: skip
    return expectations, {"row_checks": row_checks}


def _trends() -> tuple[list[Expectation], dict]:
    expectations = [*_survey_and_wave(), *_not_null("outcome_id")]
    expectations += [_in_set("outcome_id", _outcome_ids()), _unique("survey", "outcome_id", "wave")]
    expectations += [*_pct("pct_positive", "ci_low", "ci_high")]
    expectations.append(_between("n_relevant", 0, None))
    return expectations, {
        "row_checks": [_interval("pct_positive", ["survey", "outcome_id", "wave"])]
    }


TREND_FIGURES = (
    "n_relevant", "pct_positive", "previous_n_relevant", "previous_pct_positive",
    "change_points", "ci_low", "ci_high", "p_value", "direction",
)  # fmt: skip


def _trend_rules(key: list[str]) -> tuple[list[Expectation], list[dict[str, Any]]]:
    """Plan 2.7, on any row that shows figures: `direction` follows p < 0.05 and the sign
    of the change, the change lies in its interval and equals the difference of the two
    shares, and figures are shown exactly when both bases are above 0."""
    expectations = [*_survey_and_wave(), *_not_null("outcome_id", "previous_wave")]
    expectations += [_in_set("outcome_id", _outcome_ids())]
    expectations += [_in_set("direction", ["up", "down", "no_change"])]
    expectations += [*_pct("pct_positive", "previous_pct_positive"), *_probability("p_value")]
    expectations += [
        _between(c, -100 - FLOAT_SLACK, 100 + FLOAT_SLACK)
        for c in ("change_points", "ci_low", "ci_high")
    ]
    expectations += [_between("n_relevant", 0, None), _between("previous_n_relevant", 0, None)]
    row_checks = [
        _row_check("wave_after_previous_wave", "wave <= previous_wave", [*key, "wave", "previous_wave"]),
        _interval("change_points", key),
        _row_check(
            "change_is_difference_of_shares",
            f"abs(change_points - (pct_positive - previous_pct_positive)) > {FLOAT_SLACK} * 100",
            [*key, "pct_positive", "previous_pct_positive", "change_points"],
        ),
        _row_check(
            "direction_matches_p_and_sign",
            "direction <> CASE WHEN p_value < 0.05 AND change_points > 0 THEN 'up' "
            "WHEN p_value < 0.05 AND change_points < 0 THEN 'down' ELSE 'no_change' END",
            [*key, "change_points", "p_value", "direction"],
        ),
        _row_check(
            "figures_shown_exactly_when_both_bases_above_0",
            "(n_relevant > 0 AND previous_n_relevant > 0) <> (direction IS NOT NULL AND p_value "
            "IS NOT NULL AND ci_low IS NOT NULL AND change_points IS NOT NULL)",
            [*key, "n_relevant", "previous_n_relevant", "direction"],
        ),
    ]  # fmt: skip
    return expectations, row_checks


def _trend_changes() -> tuple[list[Expectation], dict]:
    key = ["survey", "outcome_id", "wave"]
    expectations, row_checks = _trend_rules(key)
    expectations += [*_not_null("n_relevant", "previous_n_relevant"), _unique(*key)]
    return expectations, {"row_checks": row_checks}


def _org_trend_changes() -> tuple[list[Expectation], dict]:
    """As trend_changes, plus plan section 3: a suppressed row shows no figure, and no
    shown base is below the disclosure minimum (10)."""
    key = ["survey", "org_code", "outcome_id", "wave"]
    expectations, row_checks = _trend_rules(key)
    expectations += [*_not_null("org_code", "suppressed"), _unique(*key)]
    expectations += [_between("n_relevant", 10, None), _between("previous_n_relevant", 10, None)]
    expectations += _null_when("suppressed", True, *TREND_FIGURES)
    row_checks = [
        check if check["name"] != "figures_shown_exactly_when_both_bases_above_0" else _row_check(
            "figures_shown_exactly_when_not_suppressed",
            "suppressed = (n_relevant IS NOT NULL AND previous_n_relevant IS NOT NULL "
            "AND direction IS NOT NULL)",
            [*key, "n_relevant", "previous_n_relevant", "direction", "suppressed"],
        )
        for check in row_checks
    ]  # fmt: skip
    return expectations, {"row_checks": row_checks}


def _comments() -> tuple[list[Expectation], dict]:
    expectations = [
        *_survey_and_wave(),
        *_not_null("org_code", "respondent_id", "comment_redacted"),
    ]
    expectations.append(_in_set("question", ["worked_well", "not_worked", "change"]))
    # One row per respondent and question: dbt's test of the model (comments.yml) owns it,
    # as for the responses marts.
    return expectations, {}


def _odds_ratios() -> tuple[list[Expectation], dict]:
    expectations = [
        *_survey_and_wave(),
        *_not_null("factor_id", "outcome_id", "status", "significant"),
    ]
    expectations += [_in_set("factor_id", _factor_ids()), _in_set("outcome_id", _outcome_ids())]
    expectations += [_unique("wave", "survey", "factor_id", "outcome_id")]
    expectations += [_between(c, 0, None) for c in ("a", "b", "c", "d", "n")]
    expectations += [_between("odds_ratio", 0, None, strict_min=True)]
    expectations += _probability("p_value", "p_value_bh")
    expectations += [
        _in_set("test", ["chi_square", "fisher"]),
        _in_set("status", ["ok", "one_value"]),
    ]
    expectations += _null_when(
        "status", "one_value", "odds_ratio", "ci_low", "ci_high", "p_value", "test"
    )
    key = ["factor_id", "outcome_id"]
    row_checks = [
        _interval("odds_ratio", key),
        # Benjamini-Hochberg never lowers a p value.
        _not_below("p_value_bh", "p_value", key),
        _row_check("cells_sum_to_n", "a + b + c + d <> n", ["factor_id", "outcome_id", "a", "b", "c", "d", "n"]),
        _row_check(
            "significant_matches_p", "significant <> coalesce(p_value < 0.05, false)",
            ["factor_id", "outcome_id", "p_value", "significant"],
        ),
    ]  # fmt: skip
    return expectations, {"row_checks": row_checks}


def _regression_models() -> tuple[list[Expectation], dict]:
    statuses = ["ok", "too_few_cases", "too_few_events", "not_converged", "separated"]
    expectations = [*_survey_and_wave(), *_not_null("outcome_id", "n", "events", "status")]
    expectations += [_in_set("outcome_id", _outcome_ids()), _in_set("status", statuses)]
    expectations += [_unique("wave", "survey", "outcome_id"), _between("events", 0, None)]
    expectations += [_a_ge_b("n", "events"), _between("ll_model", None, FLOAT_SLACK)]
    expectations += _probability("nagelkerke_r2", "cox_snell_r2")
    not_fitted = [s for s in statuses if s != "ok"]
    expectations += [
        _expect("column_values_to_be_null", column=c,
                row_condition={"type": "comparison", "column": {"name": "status"},
                               "operator": "IN", "parameter": not_fitted})
        for c in ("ll_model", "ll_null", "nagelkerke_r2", "cox_snell_r2")
    ]  # fmt: skip
    # A fitted model nests the intercept-only one; Nagelkerke rescales Cox-Snell upwards.
    row_checks = [
        _not_below("ll_model", "ll_null", ["outcome_id"]),
        _not_below("nagelkerke_r2", "cox_snell_r2", ["outcome_id"]),
    ]
    return expectations, {"row_checks": row_checks}


def _regression_terms() -> tuple[list[Expectation], dict]:
    expectations = [*_survey_and_wave(), *_not_null("outcome_id", "factor_id", "coef", "reported")]
    expectations += [_in_set("factor_id", _factor_ids()), _in_set("outcome_id", _outcome_ids())]
    expectations += [_unique("wave", "survey", "outcome_id", "factor_id")]
    expectations += [_between("std_err", 0, None), _between("odds_ratio", 0, None, strict_min=True)]
    expectations += _probability("p_value")
    row_checks = [
        _interval("odds_ratio", ["outcome_id", "factor_id"]),
        _row_check(
            "reported_matches_p", "reported <> coalesce(p_value < 0.01, false)",
            ["outcome_id", "factor_id", "p_value", "reported"],
        ),
    ]  # fmt: skip
    return expectations, {"row_checks": row_checks}


def _report_fidelity() -> tuple[list[Expectation], dict]:
    # `published` is NULL for a regression row without a published factor (docs/stats.md).
    expectations = [*_not_null("kind", "survey", "suspected_erratum")]
    expectations += [_in_set("kind", ["marginal", "odds_ratio", "regression"])]
    expectations += [_in_set("survey", list(SURVEYS))]
    return expectations, {"row_checks": [_not_below("ci_high", "ci_low", ["kind", "survey"])]}


_QUESTIONS = ["worked_well", "not_worked", "change"]


def _themes_of_surveys() -> tuple[list[str], str]:
    """Every theme id of the catalogue, and SQL flagging a theme id unknown for its survey."""
    themes = load_themes()
    pairs = ", ".join(f"'{t.survey}:{t.theme_id}'" for t in themes)
    return sorted({t.theme_id for t in themes}), f"survey || ':' || theme_id NOT IN ({pairs})"


def _comment_themes() -> tuple[list[Expectation], dict]:
    theme_ids, unknown = _themes_of_surveys()
    expectations = [
        *_survey_and_wave(),
        *_not_null("org_code", "respondent_id", "theme_id", "rule"),
    ]
    expectations += [_in_set("question", _QUESTIONS), _in_set("theme_id", theme_ids)]
    # One row per comment and theme, in SQL: GE's compound uniqueness reads the key columns
    # of every row into pandas (2.6 s for 3.4M rows at 1M holders; DuckDB 0.45 s).
    key = "wave, survey, org_code, respondent_id, question, theme_id"
    one_row = _row_check(
        "one_row_per_comment_and_theme",
        f"count(*) OVER (PARTITION BY {key}) > 1",
        ["wave", "survey", "org_code", "respondent_id", "question", "theme_id"],
    )
    return expectations, {
        "row_checks": [
            _row_check("theme_of_its_survey", unknown, ["survey", "theme_id"], per_version=True),
            one_row,
        ]
    }


def _theme_shares() -> tuple[list[Expectation], dict]:
    theme_ids, unknown = _themes_of_surveys()
    expectations = [*_survey_and_wave(), *_not_null("question", "theme_id", "label", "n_comments")]
    expectations += [_in_set("question", _QUESTIONS), _in_set("theme_id", theme_ids)]
    expectations += [_unique("wave", "survey", "question", "theme_id")]
    expectations += [_between("n_with_theme", 0, None), _between("n_comments", 1, None)]
    expectations += [_a_ge_b("n_comments", "n_with_theme"), *_pct("pct", "ci_low", "ci_high")]
    row_checks = [
        _row_check("theme_of_its_survey", unknown, ["survey", "theme_id"]),
        _interval("pct", ["survey", "question", "theme_id"]),
        _counts_agree("pct", "n_with_theme", "n_comments"),
    ]
    return expectations, {"row_checks": row_checks}


def _theme_agreement() -> tuple[list[Expectation], dict]:
    theme_ids, unknown = _themes_of_surveys()
    expectations = [*_not_null("survey", "theme_id", "n_compared")]
    expectations += [_in_set("survey", list(SURVEYS)), _in_set("theme_id", theme_ids)]
    expectations += [_unique("survey", "theme_id"), _between("n_compared", 1, None)]
    expectations += [*_probability("precision", "recall", "f1")]
    expectations.append(_between("kappa", -1 - FLOAT_SLACK, 1 + FLOAT_SLACK))
    cells = "tp + fp + fn + tn"
    row_checks = [
        _row_check("theme_of_its_survey", unknown, ["survey", "theme_id"]),
        _row_check("cells_sum_to_n_compared", f"{cells} <> n_compared",
                   ["survey", "theme_id", "tp", "fp", "fn", "tn", "n_compared"]),
    ]  # fmt: skip
    return expectations, {"row_checks": row_checks}


def _respondents(table: str) -> tuple[list[Expectation], dict]:
    """The responses marts are the recoded table joined with its organisation: the flags
    are gated once, in recoded (re-checking a million rows of them here cost a quarter of
    the gates' time); here the join must keep every row and find every organisation."""
    survey = _survey_of(table)
    expectations = [*_not_null("wave", "org_code", "org_type", "respondent_id")]
    expectations.append(_in_set("org_type", ["council", "nhs"]))
    return expectations, {"same_row_count_as": f"recoded.rec_{survey}"}


def _organisations() -> tuple[list[Expectation], dict]:
    """The lines of organisations.csv: every bound here is a landing rule
    (landing/organisations.py), so no list can fail it."""
    expectations = [*_not_null("status", "sha256")]
    expectations += [_in_set("status", ["listed", "repeat", "left_out"])]
    row_checks = [
        # line is NULL for a list landed before line numbers were recorded (kept when the
        # folder has no usable list since).
        _row_check("one_row_per_line", "line IN (SELECT line FROM marts.organisations "
                   "GROUP BY line HAVING count(*) > 1)", ["line", "org_code"]),
        _row_check("listed_line_is_usable",
                   "status = 'listed' AND (org_code IS NULL OR org_type IS NULL "
                   "OR org_type NOT IN ('council', 'nhs'))",
                   ["line", "org_code", "org_type"]),
        _row_check("listed_code_once", "status = 'listed' AND org_code IN (SELECT org_code FROM "
                   "marts.organisations WHERE status = 'listed' GROUP BY org_code HAVING count(*) > 1)",
                   ["line", "org_code"]),
        _row_check("unlisted_line_says_why", "status <> 'listed' AND note IS NULL",
                   ["line", "status"]),
    ]  # fmt: skip
    return expectations, {"row_checks": row_checks}


def _minimal(*not_null: str) -> tuple[list[Expectation], dict]:
    return list(_not_null(*not_null)), {}


_MARTS_SUITES = {
    "outcome_summary": _outcome_summary,
    "distributions": _distributions,
    "org_benchmark": _org_benchmark,
    "org_summary": _org_summary,
    "trends": _trends,
    "trend_changes": _trend_changes,
    "org_trend_changes": _org_trend_changes,
    "comments": _comments,
    "odds_ratios": _odds_ratios,
    "regression_models": _regression_models,
    "regression_terms": _regression_terms,
    "report_fidelity": _report_fidelity,
    "holder_responses": lambda: _respondents("holder_responses"),
    "carer_responses": lambda: _respondents("carer_responses"),
    "group_differences": lambda: _minimal("wave", "survey", "variable"),
    "group_figures": lambda: (
        [*_not_null("wave", "survey", "variable", "level"), _between("n", 0, None)],
        {},
    ),
    "process_scale": lambda: ([*_not_null("wave"), _between("n", 0, None)], {}),
    "landed_files": lambda: (
        [
            *_not_null("path", "sha256", "status"),
            _in_set("status", ["used", "superseded", "quarantined"]),
            _a_ge_b("rows", "rows_used"),
        ],
        {},
    ),  # fmt: skip
    "data_quality_issues": lambda: _minimal("path", "sha256", "variable", "rule"),
    "organisations": _organisations,
    "comment_themes": _comment_themes,
    "theme_shares": _theme_shares,
    "theme_agreement": _theme_agreement,
}


def build_suite(gated: GatedTable) -> dict[str, Any]:
    if gated.schema == "raw":
        expectations, poet = _raw(gated)
    elif gated.schema == "staging":
        expectations, poet = _staging(gated)
    elif gated.schema == "recoded":
        expectations, poet = _recoded(gated)
    else:
        expectations, poet = _MARTS_SUITES[gated.table]()
        # Every mart reaches analysts: none may hold contact details (plan section 3).
        poet = {**poet, "contact_detail_patterns": CONTACT_DETAIL_PATTERNS}
    return {
        "name": gated.suite_name,
        "expectations": expectations,
        "meta": {"table": gated.qualified, "poet": poet},
    }


def render(suite: dict[str, Any]) -> str:
    return json.dumps(suite, indent=2, sort_keys=False) + "\n"


def write_all() -> list[str]:
    written = []
    for gated in GATED_TABLES:
        gated.suite_path.parent.mkdir(parents=True, exist_ok=True)
        gated.suite_path.write_text(render(build_suite(gated)), encoding="utf-8")
        written.append(str(gated.suite_path))
    return written


if __name__ == "__main__":
    for path in write_all():
        print(f"wrote {path}")

"""Each gate passes clean tables and fails broken ones with the table, expectation and examples."""

from __future__ import annotations

import json

import quality_fixtures as fx

from dagster_project.quality.gated_tables import gated_table
from dagster_project.quality.outcomes import ExpectationOutcome, GateResult
from dagster_project.quality.results_store import RESULTS_TABLE, latest_failed_tables, record
from dagster_project.quality.runner import Suite, run_suite


def _gate(con, qualified: str) -> GateResult:
    return run_suite(con, Suite.load(gated_table(qualified).suite_path))


def _only_failure(result: GateResult):
    assert not result.success
    assert len(result.failures) == 1, result.summary()
    return result.failures[0]


def test_clean_staging_passes(con):
    fx.create_stg_holders(con)
    result = _gate(con, "staging.stg_holders")
    assert result.success, result.summary()
    assert result.rows == 40


def test_code_outside_the_codebook_fails_with_examples(con):
    fx.create_stg_holders(con)
    con.execute("UPDATE staging.stg_holders SET gender = 7 WHERE respondent_id = 'H0000003'")
    failure = _only_failure(_gate(con, "staging.stg_holders"))
    assert failure.expectation == "expect_column_values_to_be_in_set"
    assert failure.column == "gender"
    assert failure.unexpected_count == 1
    assert failure.examples == [7]
    message = _gate(con, "staging.stg_holders").summary()
    assert "staging.stg_holders" in message and "gender" in message and "[7]" in message


def test_staging_amount_date_and_duplicate_respondent_fail(con):
    fx.create_stg_holders(con)
    con.execute("UPDATE staging.stg_holders SET amount_gbp = 0 WHERE respondent_id = 'H0000001'")
    con.execute(
        "UPDATE staging.stg_holders SET survey_date = DATE '1999-12-31' WHERE respondent_id = 'H0000002'"
    )
    con.execute(
        "UPDATE staging.stg_holders SET respondent_id = 'H0000004' WHERE respondent_id = 'H0000003'"
    )
    failed = {(f.expectation, f.column) for f in _gate(con, "staging.stg_holders").failures}
    assert failed == {
        ("expect_column_values_to_be_between", "amount_gbp"),
        ("expect_column_values_to_be_between", "survey_date"),
        ("poet_row_check:one_row_per_version_and_respondent_id", "source_path, respondent_id"),
    }


def test_survey_date_beyond_next_year_fails(con):
    fx.create_stg_holders(con)
    con.execute(
        "UPDATE staging.stg_holders SET survey_date = make_date(year(current_date) + 2, 1, 1) "
        "WHERE respondent_id = 'H0000001'"
    )
    failure = _only_failure(_gate(con, "staging.stg_holders"))
    assert failure.column == "survey_date"


def test_survey_date_later_this_year_passes(con):
    fx.create_stg_holders(con)
    con.execute(
        "UPDATE staging.stg_holders SET survey_date = make_date(year(current_date), 12, 31) "
        "WHERE respondent_id = 'H0000001'"
    )
    assert _gate(con, "staging.stg_holders").success


def test_missing_table_fails(con):
    result = _gate(con, "staging.stg_holders")
    failure = _only_failure(result)
    assert failure.expectation == "table_exists"
    assert "staging.stg_holders does not exist" in result.summary()


def test_missing_column_fails(con):
    fx.create_stg_holders(con)
    con.execute("ALTER TABLE staging.stg_holders DROP COLUMN funder")
    failure = _only_failure(_gate(con, "staging.stg_holders"))
    assert failure.column == "funder" and "missing" in failure.message


def test_recoded_flags_and_row_count(con):
    fx.create_stg_holders(con)
    fx.create_rec_holders(con)
    assert _gate(con, "recoded.rec_holders").success
    con.execute("UPDATE recoded.rec_holders SET female = 2 WHERE respondent_id = 'H0000001'")
    con.execute("DELETE FROM recoded.rec_holders WHERE respondent_id = 'H0000005'")
    failed = {(f.expectation, f.column) for f in _gate(con, "recoded.rec_holders").failures}
    assert failed == {
        ("expect_column_values_to_be_in_set", "female"),
        ("poet_same_row_count_as", None),
    }


def test_flag_never_varying_only_warns(con):
    fx.create_stg_holders(con)
    fx.create_rec_holders(con)
    con.execute("UPDATE recoded.rec_holders SET paid_work_positive = 0")
    result = _gate(con, "recoded.rec_holders")
    assert result.success
    assert [w.column for w in result.warnings] == ["paid_work_positive"]


def test_percentage_above_100_fails(con):
    fx.create_outcome_summary(con)
    assert _gate(con, "marts.outcome_summary").success
    con.execute(
        "UPDATE marts.outcome_summary SET pct_positive = 101, ci_high = 102 WHERE outcome_id = 'paid_work'"
    )
    result = _gate(con, "marts.outcome_summary")
    failed = {(f.expectation, f.column) for f in result.failures}
    assert ("expect_column_values_to_be_between", "pct_positive") in failed
    between = next(f for f in result.failures if f.column == "pct_positive")
    assert between.examples == [101] and between.unexpected_count == 1
    assert "marts.outcome_summary" in result.summary() and "101" in result.summary()


def test_interval_and_counts_must_agree(con):
    fx.create_outcome_summary(con)
    con.execute("UPDATE marts.outcome_summary SET ci_low = 76 WHERE outcome_id = 'quality_of_life'")
    con.execute("UPDATE marts.outcome_summary SET n_positive = 50 WHERE outcome_id = 'paid_work'")
    failed = {(f.expectation, f.column) for f in _gate(con, "marts.outcome_summary").failures}
    assert failed == {
        (
            "poet_row_check:pct_positive_inside_ci",
            "survey, outcome_id, ci_low, pct_positive, ci_high",
        ),
        ("expect_column_pair_values_a_to_be_greater_than_b", "n_relevant,n_positive"),
        ("poet_row_check:pct_positive_matches_counts", "n_positive, n_relevant, pct_positive"),
    }


def test_suppressed_figure_shown_fails(con):
    fx.create_org_benchmark(con)
    assert _gate(con, "marts.org_benchmark").success
    con.execute("UPDATE marts.org_benchmark SET pct_positive = 40.0 WHERE org_code = 'LA02'")
    failure = _only_failure(_gate(con, "marts.org_benchmark"))
    assert (failure.expectation, failure.column) == (
        "expect_column_values_to_be_null",
        "pct_positive",
    )
    assert failure.examples == [40]


def test_small_base_not_suppressed_fails(con):
    fx.create_org_benchmark(con)
    con.execute(
        "UPDATE marts.org_benchmark SET n_relevant = 9, n_positive = 7, pct_positive = 77.8 WHERE org_code = 'LA01'"
    )
    failure = _only_failure(_gate(con, "marts.org_benchmark"))
    assert (failure.column, failure.examples) == ("n_relevant", [9])


def test_contact_details_in_comments_fail(con):
    fx.create_comments(con)
    assert _gate(con, "marts.comments").success
    con.execute(
        "UPDATE marts.comments SET comment_redacted = 'email jo.bloggs@example.org please' "
        "WHERE respondent_id = 'H0001'"
    )
    failure = _only_failure(_gate(con, "marts.comments"))
    assert failure.expectation == "poet_no_contact_details"
    assert failure.column == "comment_redacted"
    # Where and what, never the text (masking.py).
    assert failure.examples == [
        {"respondent_id": "H0001", "column": "comment_redacted", "kind": "email"}
    ]


def test_every_contact_pattern_is_caught_in_any_text_column(con):
    fx.create_comments(con)
    dirty = ["ring 07700 900123", "LA1 4YW", "NHS 943 476 5919", "ask Mrs Patel", "a@b.co.uk"]
    for value in dirty:
        con.execute(
            "UPDATE marts.comments SET comment_redacted = ? WHERE respondent_id = 'C0001'", [value]
        )
        failure = _only_failure(_gate(con, "marts.comments"))
        assert failure.examples[0]["respondent_id"] == "C0001"
        assert value not in str(failure.examples)
    fx.create_comments(con)
    con.execute("UPDATE marts.comments SET org_code = 'Dr Jones' WHERE respondent_id = 'C0001'")
    assert _only_failure(_gate(con, "marts.comments")).column == "org_code"


def test_odds_ratio_cells_must_sum_to_n(con):
    fx.create_odds_ratios(con)
    assert _gate(con, "marts.odds_ratios").success
    con.execute("UPDATE marts.odds_ratios SET n = 81 WHERE factor_id = 'female'")
    failure = _only_failure(_gate(con, "marts.odds_ratios"))
    assert failure.expectation == "poet_row_check:cells_sum_to_n"
    assert failure.examples[0]["n"] == 81


def test_results_are_recorded_and_latest_failures_found(con):
    fx.create_outcome_summary(con)
    record(con, "run-1", _gate(con, "marts.outcome_summary"))
    con.execute("UPDATE marts.outcome_summary SET pct_positive = 101")
    record(con, "run-2", _gate(con, "marts.outcome_summary"))
    assert latest_failed_tables(con) == ["marts.outcome_summary"]
    rows = con.execute(
        f'SELECT run_id, expectation, "column", unexpected_count, examples FROM {RESULTS_TABLE} '
        "WHERE NOT success"
    ).fetchall()
    assert {r[0] for r in rows} == {"run-2"}
    between = next(r for r in rows if r[1] == "expect_column_values_to_be_between")
    assert between[2] == "pct_positive" and between[3] == 3 and json.loads(between[4]) == [101] * 3
    fx.create_outcome_summary(con)
    record(con, "run-3", _gate(con, "marts.outcome_summary"))
    assert latest_failed_tables(con) == []


def test_every_outcome_of_a_large_gate_is_recorded_once(con):
    outcomes = tuple(
        ExpectationOutcome(f"e{i}", f"c{i}" if i % 3 else None, i % 2 == 0,
                           unexpected_count=None if i % 2 == 0 else i, examples=[i])
        for i in range(450)
    )  # fmt: skip
    assert record(con, "run-big", GateResult("marts.x", "x", outcomes)) == 450
    stored = con.execute(
        f'SELECT expectation, "column", success, unexpected_count, examples FROM {RESULTS_TABLE} '
        "WHERE run_id = 'run-big' ORDER BY CAST(substr(expectation, 2) AS INTEGER)"
    ).fetchall()
    assert stored == [
        (o.expectation, o.column, o.success, o.unexpected_count, json.dumps(o.examples))
        for o in outcomes
    ]


def test_unredacted_comment_in_staging_fails(con):
    fx.create_stg_holders(con)
    con.execute(
        "UPDATE staging.stg_holders SET comment_worked_well_redacted = 'Mr Jones, SW1A 1AA' "
        "WHERE respondent_id = 'H0000002'"
    )
    failure = _only_failure(_gate(con, "staging.stg_holders"))
    assert (failure.column, failure.examples) == (
        "comment_worked_well_redacted",
        [
            {
                "respondent_id": "H0000002",
                "source_path": "2014/LA00/holders.csv",
                "column": "comment_worked_well_redacted",
                "kind": "postcode",
            }
        ],
    )


def test_interval_bounds_allow_rounding_error_only(con):
    fx.create_outcome_summary(con)
    # A Wilson bound at 100% computed in floating point can miss by an ulp: not an error.
    con.execute(
        "UPDATE marts.outcome_summary SET n_positive = n_relevant, pct_positive = 100, "
        "ci_high = 100 - 1e-13, pct_negative = 0, pct_no_difference = 0 "
        "WHERE outcome_id = 'paid_work'"
    )
    assert _gate(con, "marts.outcome_summary").success
    con.execute("UPDATE marts.outcome_summary SET ci_high = 99.99 WHERE outcome_id = 'paid_work'")
    failure = _only_failure(_gate(con, "marts.outcome_summary"))
    assert failure.expectation == "poet_row_check:pct_positive_inside_ci"
    assert failure.examples == [
        {"survey": "holders", "outcome_id": "paid_work", "ci_low": 14.2, "pct_positive": 100,
         "ci_high": 99.99}
    ]  # fmt: skip


def test_a_comment_theme_coded_twice_fails_its_gate(con):
    fx.create_comment_themes(con)
    assert _gate(con, "marts.comment_themes").success
    con.execute("INSERT INTO marts.comment_themes SELECT * FROM marts.comment_themes LIMIT 1")
    failure = _only_failure(_gate(con, "marts.comment_themes"))
    assert failure.expectation == "poet_row_check:one_row_per_comment_and_theme"
    assert failure.unexpected_count == 2

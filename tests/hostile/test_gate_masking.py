"""A failed gate never repeats the personal text it guards (issue 10, point 1)."""

from __future__ import annotations

import json

import duckdb
import pytest
import quality_fixtures as fx

from dagster_project.quality.gated_tables import gated_table
from dagster_project.quality.masking import HIDDEN, masked
from dagster_project.quality.outcomes import ExpectationOutcome
from dagster_project.quality.results_store import (
    _DDL,
    MASKED_BY_MIGRATION,
    RESULTS_TABLE,
    record,
)
from dagster_project.quality.runner import Suite, run_suite

DETAIL = "jo.bloggs@example.org"


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    yield connection
    connection.close()


def _gate(con, qualified):
    return run_suite(con, Suite.load(gated_table(qualified).suite_path))


def test_contact_detail_examples_are_respondent_column_and_kind(con):
    fx.create_comments(con)
    fx.create_other_marts(con, skip=("comments",))
    con.execute(
        f"UPDATE marts.comments SET comment_redacted = 'write to {DETAIL}' WHERE respondent_id = 'H0001'"
    )
    result = _gate(con, "marts.comments")
    [failure] = result.failures
    assert failure.examples == [
        {"respondent_id": "H0001", "column": "comment_redacted", "kind": "email"}
    ]
    assert DETAIL not in result.summary()


def test_a_contact_detail_in_the_respondent_id_is_not_repeated_either(con):
    fx.create_stg_holders(con)
    con.execute(
        f"UPDATE staging.stg_holders SET respondent_id = '{DETAIL}' WHERE respondent_id = 'H0000003'"
    )
    result = _gate(con, "staging.stg_holders")
    [failure] = [f for f in result.failures if f.expectation == "poet_no_contact_details"]
    assert failure.column == "respondent_id"
    assert failure.examples[0]["respondent_id"] == "hidden (email)"
    assert failure.examples[0]["kind"] == "email"
    assert DETAIL not in json.dumps([f.examples for f in result.outcomes]) + result.summary()


def test_free_text_values_of_any_failed_check_are_hidden():
    outcome = ExpectationOutcome(
        "expect_column_values_to_not_be_null", "comment_change", False, unexpected_count=2,
        examples=["private story", "call me"],
    )  # fmt: skip
    assert masked(outcome).examples == [
        {"column": "comment_change", "kind": "expect_column_values_to_not_be_null", "value": HIDDEN}
    ]
    row_check = ExpectationOutcome(
        "poet_row_check:x", "respondent_id, raw_value", False, 1,
        examples=[{"respondent_id": "R1", "raw_value": "my number is 0113 496 0000"}],
    )  # fmt: skip
    assert masked(row_check).examples == [{"respondent_id": "R1", "raw_value": HIDDEN}]


def test_messages_are_scrubbed_of_contact_details():
    outcome = ExpectationOutcome(
        "gate_can_run",
        None,
        False,
        message=f"Conversion Error: could not convert '{DETAIL}' to INT32",
    )
    assert masked(outcome).message == "Conversion Error: could not convert '[email]' to INT32"


def test_migration_masks_examples_stored_before(con):
    fx.create_comments(con)
    fx.create_other_marts(con, skip=("comments",))
    # A history table of an older version: rows stored before gates masked examples.
    con.execute(_DDL)
    con.execute(
        f"""INSERT INTO {RESULTS_TABLE} VALUES
        ('old-run', now()::TIMESTAMP, 'marts.comments', 'marts.comments', 'poet_no_contact_details',
         'comment_redacted', false, 'critical', 1, '["write to {DETAIL}"]', NULL),
        ('old-run', now()::TIMESTAMP, 'staging.stg_holders', 'staging.stg_holders', 'gate_can_run',
         NULL, false, 'critical', NULL, '[]', 'could not convert ''{DETAIL}''')"""
    )
    record(con, "run-2", _gate(con, "marts.comments"))  # the first gate run migrates
    stored = con.execute(
        f"SELECT CAST(examples AS VARCHAR), message FROM {RESULTS_TABLE}"
    ).fetchall()
    assert DETAIL not in repr(stored)
    [(examples,)] = con.execute(
        f"SELECT CAST(examples AS VARCHAR) FROM {RESULTS_TABLE} WHERE run_id = 'old-run' "
        "AND expectation = 'poet_no_contact_details'"
    ).fetchall()
    assert json.loads(examples) == [
        {
            "column": "comment_redacted",
            "kind": "poet_no_contact_details",
            "value": MASKED_BY_MIGRATION,
        }
    ]

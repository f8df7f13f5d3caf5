"""quality/engine.py: a pass-or-fail validation first, the details only where needed."""

from __future__ import annotations

import pyarrow as pa
import pytest

from dagster_project.quality import engine

TABLE = pa.table(
    {
        "respondent_id": ["a", "b", "c", "c", None],
        "score": [1.0, 2.0, 9.0, 3.0, None],
        "low": [0.0, 1.0, 1.0, 5.0, 0.0],
        "group": ["x", "y", "z", "z", "y"],
    }
)

EXPECTATIONS = [
    # passes: a map expectation (0 rows counted) and one that counts no rows
    {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "group", "value_set": ["x", "y", "z"]}},
    {"type": "expect_column_to_exist", "kwargs": {"column": "score"}},
    # fail, with failing values to show
    {"type": "expect_column_values_to_be_between", "kwargs": {"column": "score", "min_value": 0, "max_value": 5}},
    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "respondent_id"}},
    {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["respondent_id", "group"]}},
    {"type": "expect_column_pair_values_a_to_be_greater_than_b",
     "kwargs": {"column_A": "score", "column_B": "low", "or_equal": True, "ignore_row_if": "either_value_is_missing"}},
    # passes with `mostly`, its failing rows still counted
    {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "group", "value_set": ["x", "y"], "mostly": 0.5}},
    # fails without counting rows: the column is not there
    {"type": "expect_column_to_exist", "kwargs": {"column": "absent"}},
    # raises: a map expectation on a column that is not there
    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "absent"}},
    # an expectation GE cannot make
    {"type": "expect_no_such_thing", "kwargs": {"column": "score"}},
    # a parameter GE fills in
    {"type": "expect_column_values_to_be_between",
     "kwargs": {"column": "low", "min_value": 0, "max_value": {"$PARAMETER": "today"}}, "severity": "warning"},
]  # fmt: skip


def _in_one_basic_validation(table: pa.Table, expectations: list[dict]) -> list:
    """What the gates reported before the two passes: one validation, BASIC results."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    suite = gx.ExpectationSuite(name="one_pass")
    for spec in expectations:
        if spec["type"] != "expect_no_such_thing":
            config = ExpectationConfiguration(
                type=spec["type"], kwargs=spec["kwargs"], severity=spec.get("severity", "critical")
            )
            suite.expectations.append(config.to_domain_obj())
    frame = engine._normalise(table.to_pandas(date_as_object=False))
    batch = engine._batch_definition().get_batch(batch_parameters={"dataframe": frame})
    result = engine._validate(batch, suite, "BASIC")
    return [engine._outcome(item) for item in result.results]


def test_the_outcomes_are_those_of_one_basic_validation():
    outcomes = engine.validate(TABLE, EXPECTATIONS, "t")
    invalid, checked = outcomes[0], outcomes[1:]
    assert invalid.expectation == "expect_no_such_thing" and not invalid.success
    assert checked == _in_one_basic_validation(TABLE, EXPECTATIONS)
    # The cases are there: passes with 0 and with no rows counted, failures with
    # examples, a pass with `mostly` that counts its failing row, an exception.
    by = {(o.expectation, o.column): o for o in checked}
    assert by["expect_column_to_exist", "score"].unexpected_count is None
    assert by["expect_column_values_to_be_between", "score"].examples == [9.0]
    mostly = [o for o in checked if o.expectation == "expect_column_values_to_be_in_set"]
    assert sorted((o.success, o.unexpected_count, o.examples) for o in mostly) == [
        (True, 0, []),
        (True, 2, ["z", "z"]),
    ]
    assert not by["expect_compound_columns_to_be_unique", "respondent_id,group"].success
    assert not by["expect_column_to_exist", "absent"].success
    assert by["expect_column_values_to_not_be_null", "absent"].message
    assert by["expect_column_values_to_be_between", "low"].severity == "warning"


@pytest.mark.parametrize("rows", [0, 1])
def test_small_and_empty_tables_too(rows):
    table = TABLE.slice(0, rows)
    assert engine.validate(table, EXPECTATIONS, "t")[1:] == _in_one_basic_validation(
        table, EXPECTATIONS
    )

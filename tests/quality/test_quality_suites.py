"""The committed suites are what the generator builds, and every expectation is valid GE."""

from __future__ import annotations

import json

import pytest
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

from dagster_project.codebook import load_codebook
from dagster_project.quality.gated_tables import GATED_TABLES, gated_table
from dagster_project.quality.suite_builder import build_suite, render


@pytest.mark.parametrize("gated", GATED_TABLES, ids=lambda g: g.qualified)
def test_suite_file_is_up_to_date(gated):
    assert gated.suite_path.exists(), "run python -m dagster_project.quality.suite_builder"
    assert gated.suite_path.read_text(encoding="utf-8") == render(build_suite(gated)), (
        f"{gated.suite_path.name} is stale: run python -m dagster_project.quality.suite_builder"
    )


@pytest.mark.parametrize("gated", GATED_TABLES, ids=lambda g: g.qualified)
def test_every_expectation_builds_in_great_expectations(gated):
    suite = json.loads(gated.suite_path.read_text(encoding="utf-8"))
    assert suite["expectations"], f"{gated.qualified} has an empty suite"
    for spec in suite["expectations"]:
        ExpectationConfiguration(
            type=spec["type"], kwargs=spec["kwargs"], severity=spec["severity"]
        ).to_domain_obj()


def test_staging_value_sets_come_from_the_codebook():
    suite = json.loads(gated_table("staging.stg_carers").suite_path.read_text(encoding="utf-8"))
    sets = {
        e["kwargs"]["column"]: e["kwargs"]["value_set"]
        for e in suite["expectations"]
        if e["type"] == "expect_column_values_to_be_in_set"
    }
    codebook = load_codebook("carers")
    for variable in codebook.of_type("code", "tick"):
        if variable.name != "consent":
            assert sets[variable.name] == sorted(variable.codes)
    assert "consent" not in sets  # staging keeps consenting rows only, without the column
    assert sets["disability"] == sorted(codebook["disability"].codes)

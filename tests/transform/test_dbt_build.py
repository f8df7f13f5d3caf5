"""`dbt build` of the fixture warehouse passes: every model, data test and unit test."""

from __future__ import annotations

import json
import re

import dagster as dg

from dagster_project.settings import DBT_PROJECT_DIR

MARTS_COLUMNS = {
    "holder_responses": [
        "wave",
        "org_code",
        "org_type",
        "respondent_id",
        "source_sha256",
        "weekly_amount_gbp",
        "process_info",
        "process_account",
    ],
    "outcome_summary": [
        "wave",
        "survey",
        "outcome_id",
        "n_relevant",
        "n_positive",
        "pct_positive",
        "ci_low",
        "ci_high",
        "pct_negative",
        "pct_no_difference",
    ],
    "distributions": ["wave", "survey", "variable", "code", "label", "n", "pct"],
    "org_benchmark": [
        "wave",
        "survey",
        "org_code",
        "org_name",
        "outcome_id",
        "n_relevant",
        "n_positive",
        "pct_positive",
        "ci_low",
        "ci_high",
        "national_pct",
        "comparison",
        "funnel_95_low",
        "funnel_95_high",
        "funnel_998_low",
        "funnel_998_high",
        "suppressed",
    ],
    "org_summary": [
        "wave",
        "survey",
        "org_code",
        "org_name",
        "org_type",
        "rows_landed",
        "respondents_used",
        "process_made_easy_n",
        "process_made_easy_pct",
        "views_included_needs_assessed_n",
        "views_included_carer_needs_pct",
        "suppressed",
    ],
    "trends": ["survey", "outcome_id", "wave", "n_relevant", "pct_positive", "ci_low", "ci_high"],
    "comments": ["wave", "survey", "org_code", "respondent_id", "question", "comment_redacted"],
    "landed_files": [
        "path",
        "sha256",
        "wave",
        "org_code",
        "survey",
        "file_format",
        "landed_at",
        "status",
        "reason",
        "rows",
        "rows_used",
        "rows_without_consent",
        "invalid_cells",
    ],
    "data_quality_issues": ["path", "sha256", "respondent_id", "variable", "raw_value", "rule"],
}


def test_dbt_build_passes_through_dagster(built_warehouse):
    result = built_warehouse.result
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    models = {
        f"{layer}/{path.stem}"
        for layer in ("reference", "staging", "recoded", "marts")
        for path in (DBT_PROJECT_DIR / "models" / layer).glob("*.sql")
    }
    seeds = {
        f"reference/{path.stem}" for path in (DBT_PROJECT_DIR / "seeds" / "reference").glob("*.csv")
    }
    assert models | seeds == materialised
    checks = [
        e.event_specific_data
        for e in result.all_events
        if e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ]
    failed = [c.check_name for c in checks if not c.passed]
    nodes = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())["nodes"]
    data_tests = [n for n in nodes.values() if n["resource_type"] == "test"]
    assert len(checks) == len(data_tests) > 50 and not failed, failed


def test_dbt_unit_tests_ran_and_passed(built_warehouse):
    summaries = [m for m in built_warehouse.logs if "dbt build finished:" in m]
    assert len(summaries) == 3  # one per layer
    passed = sum(int(n) for m in summaries for n in re.findall(r"unit_test pass: (\d+)", m))
    assert passed == 5
    assert not any(re.search(r"(fail|error|skipped|warn): ", m) for m in summaries), summaries


def test_schemas_are_the_layer_names(built_warehouse):
    schemas = {
        row[0]
        for row in built_warehouse.query(
            "select distinct table_schema from information_schema.tables"
        )
    }
    assert {"raw", "reference", "staging", "recoded", "marts"} <= schemas
    assert not any(s.startswith("main_") for s in schemas)


def test_marts_have_the_promised_columns(built_warehouse):
    for table, expected in MARTS_COLUMNS.items():
        columns = {
            row[0]
            for row in built_warehouse.query(
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = ?",
                [table],
            )
        }
        missing = set(expected) - columns
        assert not missing, f"marts.{table} lacks {sorted(missing)}"


def test_every_file_version_and_invalid_cell_is_listed(built_warehouse):
    files = built_warehouse.records("select path, status, rows, rows_used from marts.landed_files")
    assert len(files) == len(built_warehouse.files)
    assert {f["status"] for f in files} == {"used", "superseded", "quarantined"}
    issues = built_warehouse.query("select count(*) from marts.data_quality_issues")[0][0]
    assert issues == sum(len(f.invalid) for f in built_warehouse.files)


def test_only_consenting_rows_of_used_files_are_staged(built_warehouse):
    expected = {
        (f.wave, f.org_code): {r["respondent_id"] for r in f.consenting}
        for f in built_warehouse.files
        if f.survey == "holders" and f.status == "used"
    }
    staged: dict[tuple, set] = {}
    for wave, org, rid in built_warehouse.query(
        "select wave, org_code, respondent_id from marts.holder_responses"
    ):
        staged.setdefault((wave, org), set()).add(rid)
    assert staged == expected


def test_plan_ids_agree_with_the_stats_stage(built_warehouse):
    """The plan's outcome and factor ids live in dbt macros (for the recodes) and in
    dagster_project/stats/plan.py (for the statistics): both must say the same."""
    from dagster_project.stats import plan

    expected = {
        ("holders", "outcome"): list(plan.HOLDER_OUTCOMES),
        ("carers", "outcome"): list(plan.CARER_OUTCOMES),
        ("holders", "factor"): sorted(plan.HOLDER_FACTORS),
        ("carers", "factor"): sorted(plan.CARER_FACTORS),
    }
    for survey in ("holders", "carers"):
        outcomes = [
            r[0]
            for r in built_warehouse.query(
                f"select outcome_id from reference.outcomes where survey = '{survey}' order by outcome_order"
            )
        ]
        factors = sorted(
            r[0]
            for r in built_warehouse.query(
                f"select factor_id from reference.factor_definitions where survey = '{survey}'"
            )
        )
        assert outcomes == expected[(survey, "outcome")]
        assert factors == expected[(survey, "factor")]

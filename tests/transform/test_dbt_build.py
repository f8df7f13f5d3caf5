"""`dbt build` of the fixture warehouse passes: every model, data test and unit test."""

from __future__ import annotations

import re

MARTS_COLUMNS = {
    "holder_responses": ["wave", "org_code", "org_type", "respondent_id", "source_sha256",
                         "weekly_amount_gbp", "process_info", "process_account"],
    "outcome_summary": ["wave", "survey", "outcome_id", "n_relevant", "n_positive", "pct_positive",
                        "ci_low", "ci_high", "pct_negative", "pct_no_difference"],
    "distributions": ["wave", "survey", "variable", "code", "label", "n", "pct"],
    "org_benchmark": ["wave", "survey", "org_code", "org_name", "outcome_id", "n_relevant",
                      "n_positive", "pct_positive", "ci_low", "ci_high", "national_pct", "comparison",
                      "funnel_95_low", "funnel_95_high", "funnel_998_low", "funnel_998_high",
                      "suppressed"],
    "org_summary": ["wave", "survey", "org_code", "org_name", "org_type", "rows_landed",
                    "respondents_used", "process_made_easy_n", "process_made_easy_pct",
                    "views_included_needs_assessed_n", "views_included_carer_needs_pct", "suppressed"],
    "trends": ["survey", "outcome_id", "wave", "n_relevant", "pct_positive", "ci_low", "ci_high"],
    "comments": ["wave", "survey", "org_code", "respondent_id", "question", "comment_redacted"],
    "landed_files": ["path", "sha256", "wave", "org_code", "survey", "file_format", "landed_at",
                     "status", "reason", "rows", "rows_used", "rows_without_consent", "invalid_cells"],
    "data_quality_issues": ["path", "sha256", "respondent_id", "variable", "raw_value", "rule"],
}


def test_dbt_build_passes(built_warehouse):
    output = built_warehouse.dbt_output
    summary = re.search(r"PASS=(\d+) WARN=(\d+) ERROR=(\d+) SKIP=(\d+)", output)
    assert summary, f"dbt build printed no summary:\n{output[-3000:]}"
    passed, warned, errors, skipped = map(int, summary.groups())
    assert (errors, skipped, warned) == (0, 0, 0), output[-5000:]
    assert passed > 300  # models, seeds, data tests and the unit tests all ran


def test_schemas_are_the_layer_names(built_warehouse):
    schemas = {row[0] for row in built_warehouse.query(
        "select distinct table_schema from information_schema.tables")}
    assert {"raw", "reference", "staging", "recoded", "marts"} <= schemas
    assert not any(s.startswith("main_") for s in schemas)


def test_marts_have_the_promised_columns(built_warehouse):
    for table, expected in MARTS_COLUMNS.items():
        columns = {row[0] for row in built_warehouse.query(
            "select column_name from information_schema.columns "
            "where table_schema = 'marts' and table_name = ?", [table])}
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
        for f in built_warehouse.files if f.survey == "holders" and f.status == "used"
    }
    staged: dict[tuple, set] = {}
    for wave, org, rid in built_warehouse.query(
            "select wave, org_code, respondent_id from marts.holder_responses"):
        staged.setdefault((wave, org), set()).add(rid)
    assert staged == expected

"""A gate re-reads, row by row, only the file versions it has not passed (DECISIONS R32)."""

from __future__ import annotations

import json

import dagster as dg
import duckdb
import quality_fixtures as fx

from dagster_project import file_versions
from dagster_project.quality import gated_versions
from dagster_project.quality.checks import gate_check
from dagster_project.quality.gated_tables import gated_table
from dagster_project.quality.runner import Suite, run_suite
from dagster_project.transform.build_state import FULL_REFRESH_TAG
from dagster_project.warehouse import WarehouseResource

STG = gated_table("staging.stg_holders")


def _gate(warehouse_path, tags: dict[str, str] | None = None) -> dg.AssetCheckEvaluation:
    @dg.asset(key=STG.asset_key)
    def stg_holders() -> None:
        pass

    result = dg.materialize(
        [stg_holders, gate_check(STG)],
        resources={"warehouse": WarehouseResource(path=str(warehouse_path))},
        raise_on_error=False,
        tags=tags,
    )
    (evaluation,) = result.get_asset_check_evaluations()
    return evaluation


def _add_version(warehouse_path, sha: str, copy_of: str, gender: int | None = None) -> None:
    """A new version of another organisation: the rows of `copy_of`, optionally with a
    gender code the codebook does not know on its first row."""
    with duckdb.connect(str(warehouse_path)) as con:
        con.execute(
            "INSERT INTO staging.stg_holders SELECT * REPLACE "
            "(? AS source_sha256, 'LA9' || ? AS org_code, 'H9' || respondent_id AS respondent_id) "
            "FROM staging.stg_holders WHERE source_sha256 = ?",
            [sha, sha, copy_of],
        )
        if gender is not None:
            con.execute(
                "UPDATE staging.stg_holders SET gender = ? WHERE respondent_id = "
                "(SELECT min(respondent_id) FROM staging.stg_holders WHERE source_sha256 = ?)",
                [gender, sha],
            )


def _recorded(warehouse_path) -> set[str]:
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        rows = con.execute(
            f"SELECT version FROM {gated_versions.TABLE} WHERE table_name = ?", [STG.qualified]
        ).fetchall()
    return {json.loads(version)["source_sha256"] for (version,) in rows}


def _checked(evaluation: dg.AssetCheckEvaluation) -> int:
    return evaluation.metadata["rows_checked_row_by_row"].value


def test_a_second_gate_reads_only_the_new_versions_rows(warehouse_path, con):
    fx.create_stg_holders(con, rows=40)  # versions sha0 and sha1, 20 rows each
    con.close()
    first = _gate(warehouse_path)
    assert first.passed and _checked(first) == 40
    assert _recorded(warehouse_path) == {"sha0", "sha1"}

    _add_version(warehouse_path, "sha2", copy_of="sha0")
    second = _gate(warehouse_path)
    assert second.passed
    assert _checked(second) == 20 and second.metadata["rows"].value == 60
    assert _recorded(warehouse_path) == {"sha0", "sha1", "sha2"}


def test_a_failing_new_version_fails_the_gate_and_is_not_recorded(warehouse_path, con):
    fx.create_stg_holders(con, rows=40)
    con.close()
    assert _gate(warehouse_path).passed
    _add_version(warehouse_path, "sha3", copy_of="sha1", gender=7)
    for _ in range(2):  # checked again by every gate until it passes
        evaluation = _gate(warehouse_path)
        assert not evaluation.passed
        assert "gender" in evaluation.description and "[7]" in evaluation.description
        assert _checked(evaluation) == 20
        assert _recorded(warehouse_path) == {"sha0", "sha1"}


def test_a_forced_refresh_checks_every_row_again(warehouse_path, con):
    fx.create_stg_holders(con, rows=40)
    con.close()
    assert _gate(warehouse_path).passed
    # A row changed behind the record's back is not read again by a normal gate (R32)...
    with duckdb.connect(str(warehouse_path)) as write:
        write.execute("UPDATE staging.stg_holders SET gender = 7 WHERE respondent_id = 'H0000003'")
    assert _gate(warehouse_path).passed
    # ... but `poet run --force` forgets what passed and reads it.
    forced = _gate(warehouse_path, tags={FULL_REFRESH_TAG: "true"})
    assert not forced.passed and _checked(forced) == 40
    assert "[7]" in forced.description


def test_a_changed_digest_checks_every_row_again(con):
    fx.create_stg_holders(con, rows=40)
    keys = file_versions.version_keys(["wave", "org_code", "source_path", "source_sha256"])
    assert keys == ("wave", "org_code", "source_path", "source_sha256")
    before = gated_versions.scope(con, STG.qualified, keys, "digest-a")
    assert len(before.new) == 2 and before.passed == 0
    assert gated_versions.remember(con, STG.qualified, "digest-a", before, "run-1") == 2
    assert gated_versions.scope(con, STG.qualified, keys, "digest-a").new == ()
    after = gated_versions.scope(con, STG.qualified, keys, "digest-b")  # new code or suites
    assert len(after.new) == 2 and after.passed == 0
    # Recording under the new digest drops the records of the old one.
    gated_versions.remember(con, STG.qualified, "digest-b", after, "run-2")
    digests = con.execute(f"SELECT DISTINCT checks_digest FROM {gated_versions.TABLE}").fetchall()
    assert digests == [("digest-b",)]


def test_a_table_without_version_columns_is_read_whole():
    assert file_versions.version_keys(["source_sha256", "respondent_id"]) is None
    assert file_versions.version_keys(["wave", "org_code", "source_sha256", "x"]) == (
        "wave",
        "org_code",
        "source_sha256",
    )


def _versions_table(con) -> None:
    """Two versions: v1 (passed before) has flag 0 only, v2 (new) flag 1 only; both hold
    respondent R1."""
    con.execute(
        """CREATE SCHEMA IF NOT EXISTS main; CREATE TABLE main.t AS SELECT * FROM (VALUES
            (2014, 'LA01', 'v1', 'R1', 0, 5), (2014, 'LA01', 'v1', 'R2', 0, 5),
            (2014, 'LA02', 'v2', 'R1', 1, 5), (2014, 'LA02', 'v2', 'R3', 1, 5))
           AS t(wave, org_code, source_sha256, respondent_id, flag, score)"""
    )


def _suite(expectations: list[dict], **poet) -> Suite:
    return Suite(name="t", table="main.t", expectations=tuple(expectations), poet=poet)


def _new_only(con) -> gated_versions.VersionScope:
    keys = file_versions.version_keys(["wave", "org_code", "source_sha256"])
    everything = gated_versions.scope(con, "main.t", keys, "d")
    v1 = everything.new_ids[everything.new.index((2014, "LA01", "v1"))]
    passed_v1 = gated_versions.VersionScope(keys, ((2014, "LA01", "v1"),), 0, (v1,))
    gated_versions.remember(con, "main.t", "d", passed_v1, "run-0")
    return gated_versions.scope(con, "main.t", keys, "d")


def test_expectations_over_the_whole_table_still_read_every_row(con):
    _versions_table(con)
    scope = _new_only(con)
    assert scope.new == ((2014, "LA02", "v2"),) and scope.passed == 1
    unique = {"type": "expect_compound_columns_to_be_unique",
              "kwargs": {"column_list": ["respondent_id"]}}  # fmt: skip
    result = run_suite(con, _suite([unique], flags_take_both_values=["flag"]), scope)
    by_name = {o.expectation: o for o in result.outcomes}
    # R1 is in both versions: only the whole table shows the duplicate.
    assert not by_name["expect_compound_columns_to_be_unique"].success
    # The flag takes 0 in v1 and 1 in v2: it takes both values over the table.
    assert by_name["poet_flag_takes_both_values"].success
    assert result.rows == 4 and result.checked_rows == 2


def test_mostly_and_row_checks_across_versions_read_every_row(con):
    _versions_table(con)
    con.execute("UPDATE main.t SET score = NULL WHERE source_sha256 = 'v1'")
    scope = _new_only(con)
    mostly = {"type": "expect_column_values_to_not_be_null",
              "kwargs": {"column": "score", "mostly": 0.75}}  # fmt: skip
    row_wise = {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "score"}}
    repeated = "count(*) OVER (PARTITION BY respondent_id) > 1"
    checks = [
        {"name": "across", "unexpected_rows": repeated, "columns": ["respondent_id"]},
        {"name": "within", "unexpected_rows": repeated, "columns": ["respondent_id"],
         "per_version": True},
    ]  # fmt: skip
    result = run_suite(con, _suite([mostly, row_wise], row_checks=checks), scope)
    outcomes = [(o.expectation, o.success, o.unexpected_count) for o in result.outcomes]
    # `mostly` is a share of the whole table: half its scores are NULL, so it fails.
    assert ("expect_column_values_to_not_be_null", False, 2) in outcomes
    # Without `mostly`, the new version's scores are all there: it passes on them.
    assert ("expect_column_values_to_not_be_null", True, 0) in outcomes
    # R1 repeats across versions, never within one.
    assert ("poet_row_check:across", False, 2) in outcomes
    assert ("poet_row_check:within", True, 0) in outcomes


def _results(warehouse_path, run_id: str) -> list[tuple]:
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        return con.execute(
            'SELECT expectation, "column", success, severity, unexpected_count, examples, message '
            "FROM quality.validation_results WHERE run_id = ? ORDER BY rowid",
            [run_id],
        ).fetchall()


def _latest_run(warehouse_path) -> str:
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        return con.execute(
            "SELECT run_id FROM quality.validation_results ORDER BY checked_at DESC LIMIT 1"
        ).fetchone()[0]


def test_an_unchanged_table_repeats_the_verdicts_recorded_on_it(warehouse_path, con):
    fx.create_stg_holders(con, rows=40)
    con.close()
    first = _gate(warehouse_path)
    first_run = _latest_run(warehouse_path)
    assert first.passed and first.metadata["unchanged_since_run"].value == ""
    second = _gate(warehouse_path)
    second_run = _latest_run(warehouse_path)
    assert second.passed and second.metadata["unchanged_since_run"].value == first_run
    # The same outcomes, in the same order, recorded under the new run (R40).
    assert _results(warehouse_path, second_run) == _results(warehouse_path, first_run)
    assert second.metadata["expectations"].value == first.metadata["expectations"].value

    # Great Expectations did not read the table again: a duplicate made behind the
    # record's back (same versions, same rows) is seen only by a forced gate.
    with duckdb.connect(str(warehouse_path)) as write:
        write.execute(
            "UPDATE staging.stg_holders SET respondent_id = 'H0000001' "
            "WHERE respondent_id = 'H0000002'"
        )
    assert _gate(warehouse_path).passed
    forced = _gate(warehouse_path, tags={FULL_REFRESH_TAG: "true"})
    assert not forced.passed and forced.metadata["unchanged_since_run"].value == ""


def test_a_table_with_a_new_or_a_removed_version_is_validated(warehouse_path, con):
    fx.create_stg_holders(con, rows=40)
    con.close()
    assert _gate(warehouse_path).passed
    _add_version(warehouse_path, "sha2", copy_of="sha0")
    added = _gate(warehouse_path)
    assert added.passed and added.metadata["unchanged_since_run"].value == ""
    with duckdb.connect(str(warehouse_path)) as write:
        write.execute("DELETE FROM staging.stg_holders WHERE source_sha256 = 'sha2'")
    removed = _gate(warehouse_path)
    assert removed.passed and removed.metadata["unchanged_since_run"].value == ""
    assert _gate(warehouse_path).metadata["unchanged_since_run"].value != ""


def test_a_failed_gate_leaves_the_last_passed_state(warehouse_path, con):
    fx.create_stg_holders(con, rows=40)
    con.close()
    assert _gate(warehouse_path).passed
    _add_version(warehouse_path, "sha3", copy_of="sha1", gender=7)
    assert not _gate(warehouse_path).passed
    # Still failing, and validated each time: the failing table was never recorded.
    again = _gate(warehouse_path)
    assert not again.passed and again.metadata["unchanged_since_run"].value == ""


def test_rows_of_no_version_keep_the_table_validated(con):
    _versions_table(con)
    con.execute("UPDATE main.t SET source_sha256 = NULL WHERE respondent_id = 'R3'")
    keys = file_versions.version_keys(["wave", "org_code", "source_sha256"])
    scope = gated_versions.scope(con, "main.t", keys, "d")
    assert scope.present == ""
    assert gated_versions.table_state(scope, {"wave": "INTEGER"}, 4) == ""

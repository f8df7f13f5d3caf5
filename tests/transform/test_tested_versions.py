"""The data tests of the models incremental by file version read only the slots of the
versions that have not passed them (dbt_project/macros/tested_versions.sql, DECISIONS R51)."""

from __future__ import annotations

import shutil

import duckdb
from dbt_subprocess import run_dbt

MODEL = "rec_holders"
AGE_TEST = "test_name:accepted_values"


def _copy(built_warehouse, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse.path, warehouse)
    return warehouse


def _slots(con) -> list[tuple]:
    return con.execute(
        f"select distinct wave, org_code from recoded.{MODEL} order by all"
    ).fetchall()


def _versions(con, table: str) -> list[tuple]:
    return con.execute(f"select * from poet_meta.{table} order by all").fetchall()


def _failures(run) -> list[str]:
    return [line for line in run.stdout.splitlines() if " FAIL " in line]


def test_a_successful_build_records_the_versions_it_tested(built_warehouse):
    # The fixture was built through the Dagster assets: every step succeeded.
    con = duckdb.connect(str(built_warehouse.path), read_only=True)
    try:
        for model in ("stg_holders", "rec_holders", "holder_responses", "comments"):
            built = _versions(con, f"built__{model}")
            assert built and _versions(con, f"tested__{model}") == built, model
        # Not a model incremental by file version: nothing noted.
        assert not con.execute(
            "select count(*) from information_schema.tables where table_name like '%outcome_summary'"
            " and table_schema = 'poet_meta'"
        ).fetchone()[0]
    finally:
        con.close()


def test_tests_read_the_slots_of_untested_versions_only(built_warehouse, tmp_path):
    warehouse = _copy(built_warehouse, tmp_path)
    con = duckdb.connect(str(warehouse))
    (wave_a, org_a), (wave_b, org_b) = _slots(con)[:2]
    # A bad age group in each of two slots (the test fails with a row per bad value); only
    # the first slot's version is untested.
    for wave, org, bad in ((wave_a, org_a, "bad_a"), (wave_b, org_b, "bad_b")):
        con.execute(
            f"update recoded.{MODEL} set age_group = ? where wave = ? and org_code = ? "
            f"and respondent_id = (select min(respondent_id) from recoded.{MODEL} "
            "where wave = ? and org_code = ?)",
            [bad, wave, org, wave, org],
        )
    con.execute(
        f"create or replace table poet_meta.untested__{MODEL} as select * from "
        f"poet_meta.built__{MODEL} where wave = ? and org_code = ?",
        [wave_a, org_a],
    )
    con.close()
    run = run_dbt(warehouse, tmp_path, "test", "--select", f"{MODEL},{AGE_TEST}")
    assert run.returncode == 1, run.stdout[-2000:]
    assert [f for f in _failures(run) if "age_group" in f] and all(
        "FAIL 1 " in f for f in _failures(run)
    ), run.stdout[-2000:]

    # Every version passed before: the tests read no row (the bad values were written
    # into tested rows behind dbt's back, which a refresh never does).
    con = duckdb.connect(str(warehouse))
    con.execute(f"delete from poet_meta.untested__{MODEL}")
    con.close()
    run = run_dbt(warehouse, tmp_path, "test", "--select", f"{MODEL},{AGE_TEST}")
    assert run.returncode == 0, run.stdout[-2000:]

    # Every version untested (a first build): every row is read.
    con = duckdb.connect(str(warehouse))
    con.execute(f"insert into poet_meta.untested__{MODEL} select * from poet_meta.built__{MODEL}")
    con.close()
    run = run_dbt(warehouse, tmp_path, "test", "--select", f"{MODEL},{AGE_TEST}")
    assert run.returncode == 1 and any("FAIL 2 " in f for f in _failures(run)), run.stdout[-2000:]


def test_a_build_notes_the_versions_not_tested_and_a_full_refresh_all(built_warehouse, tmp_path):
    warehouse = _copy(built_warehouse, tmp_path)
    con = duckdb.connect(str(warehouse))
    wave, org = _slots(con)[0]
    # As if that slot's version had not passed yet (a new version whose test failed).
    con.execute(
        f"delete from poet_meta.tested__{MODEL} where wave = ? and org_code = ?", [wave, org]
    )
    con.close()
    run = run_dbt(
        warehouse, tmp_path, "build", "--select", MODEL, "--exclude-resource-type", "unit_test"
    )
    assert run.returncode == 0, run.stdout[-2000:]
    con = duckdb.connect(str(warehouse), read_only=True)
    untested = con.execute(f"select wave, org_code from poet_meta.untested__{MODEL}").fetchall()
    con.close()
    assert untested == [(wave, org)]

    run = run_dbt(
        warehouse, tmp_path, "build", "--full-refresh", "--select", MODEL,
        "--exclude-resource-type", "unit_test",
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-2000:]
    con = duckdb.connect(str(warehouse), read_only=True)
    assert _versions(con, f"untested__{MODEL}") == _versions(con, f"built__{MODEL}")
    con.close()

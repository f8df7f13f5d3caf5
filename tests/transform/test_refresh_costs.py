"""What keeps the fixed cost of a refresh down (docs/refresh-passes.md) still does its job."""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb
from dbt_subprocess import run_dbt

from dagster_project.settings import DBT_PROJECT_DIR
from dagster_project.transform.project import (
    PoetDbtCliResource,
    dbt_environment,
    dbt_executable,
    target_folder,
)
from dagster_project.warehouse import WarehouseResource


def test_dbt_steps_share_a_persistent_target_folder_and_parse_partially(built_warehouse):
    folder = target_folder(built_warehouse.path)
    assert folder.parent == built_warehouse.path.parent
    assert (folder / "partial_parse.msgpack").exists()
    # A run's invocations write neither of dbt's JSON artifacts (nothing reads them).
    assert not (folder / "run_results.json").exists()
    assert not (folder / "manifest.json").exists()
    log = (folder / "dbt.log").read_text()
    # dbt runs in the run's process (transform/inprocess.py): one parse, then three builds
    # (one per layer) on the parsed manifest, which read no project file again. The parse
    # (the one invocation that writes perf_info.json) started from the project's own
    # partial-parse state (parse_state.py), so it was not a full one.
    assert log.count("Running with dbt=") == 4
    assert log.count("Performance info:") == 1, log[-3000:]
    assert "Starting full parse" not in log, log[-3000:]


def test_dbt_resource_starts_no_version_subprocess_and_no_in_process_adapter(monkeypatch):
    resource = PoetDbtCliResource(project_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable())

    def refuse(*args, **kwargs):
        raise AssertionError("dbt --version was started")

    monkeypatch.setattr("dagster_dbt.core.resource.check_output", refuse)
    assert resource._cli_version.major == 1
    assert resource._initialize_dbt_core_adapter(["build"]) is None


def test_dbt_environment_is_restored(monkeypatch):
    monkeypatch.setenv("POET_WAREHOUSE", "before")
    monkeypatch.delenv("POET_DUCKDB_TEMP_DIR", raising=False)
    with dbt_environment(POET_WAREHOUSE="during", POET_DUCKDB_TEMP_DIR="/tmp/x"):
        import os

        assert os.environ["POET_WAREHOUSE"] == "during"
    import os

    assert os.environ["POET_WAREHOUSE"] == "before"
    assert "POET_DUCKDB_TEMP_DIR" not in os.environ


def test_accepted_values_of_columns_fails_on_any_listed_column(built_warehouse, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse.path, warehouse)
    con = duckdb.connect(str(warehouse))
    # One bad value in the last flag column and one in a process item level.
    con.execute("update recoded.rec_holders set white = 2 where respondent_id = "
                "(select min(respondent_id) from recoded.rec_holders)")  # fmt: skip
    con.execute("update recoded.rec_holders set process_info_level = 'hard' where respondent_id = "
                "(select max(respondent_id) from recoded.rec_holders)")  # fmt: skip
    con.close()
    run = run_dbt(warehouse, tmp_path, "test", "--select", "rec_holders")
    assert run.returncode == 1, run.stdout[-2000:]
    failed = {
        line.split("FAIL 1 ")[1].split()[0] for line in run.stdout.splitlines() if "FAIL 1 " in line
    }
    assert failed == {
        "accepted_values_rec_holders_flags",
        "accepted_values_rec_holders_process_item_levels",
    }, run.stdout[-2000:]


def test_not_null_columns_fails_with_one_row_per_column_holding_nulls(built_warehouse, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse.path, warehouse)
    con = duckdb.connect(str(warehouse))
    # Two of landed_files' required columns get a NULL, the third stays complete.
    con.execute("update marts.landed_files set status = NULL where path = (select min(path) from marts.landed_files)")  # fmt: skip
    con.execute("update marts.landed_files set sha256 = NULL where path = (select max(path) from marts.landed_files)")  # fmt: skip
    con.close()
    run = run_dbt(
        warehouse,
        tmp_path,
        "test",
        "--select",
        "landed_files,test_name:not_null_columns",
        "--store-failures",
    )
    assert run.returncode == 1, run.stdout[-2000:]
    assert "FAIL 2 not_null_columns_landed_files" in run.stdout, run.stdout[-2000:]
    con = duckdb.connect(str(warehouse), read_only=True)
    [table] = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_name like 'not_null_columns_landed_files%'"
    ).fetchall()[0:1]
    failures = con.execute(f"select column_name, null_rows from {table[0]} order by 1").fetchall()
    con.close()
    assert failures == [("sha256", 1), ("status", 1)]


def test_warehouse_connections_take_the_memory_limit_and_spill_folder(tmp_path):
    resource = WarehouseResource(path=str(tmp_path / "w.duckdb"), memory_limit="1GB")
    with resource.connect() as con:
        limit, spill = con.execute(
            "select current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchone()
    assert limit in ("1.0 GiB", "953.6 MiB", "1.0 GB")  # DuckDB prints it back in its own unit
    assert spill == str(tmp_path / "w.duckdb.tmp")


def test_dbt_connection_takes_the_same_memory_limit_and_spill_folder(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    run = run_dbt(
        warehouse, tmp_path, "show", "--inline",
        "select current_setting('memory_limit') as m, current_setting('temp_directory') as t",
        "--output", "json", "--log-format", "text",
        POET_DUCKDB_MEMORY_LIMIT="1GB", POET_DUCKDB_TEMP_DIR=str(tmp_path / "spill"),
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-2000:]
    assert str(tmp_path / "spill") in run.stdout, run.stdout[-1500:]
    assert any(unit in run.stdout for unit in ("1.0 GiB", "953.6 MiB", "1.0 GB")), run.stdout[
        -1500:
    ]


def test_a_failed_in_process_build_names_each_failed_node():
    from types import SimpleNamespace

    from dagster_project.transform.inprocess import _failure_text

    def node(unique_id, status, message):
        return SimpleNamespace(node=SimpleNamespace(unique_id=unique_id), status=status,
                               message=message)  # fmt: skip

    results = [
        node("model.poet.stg_holders", "error", "Binder Error: column x not found\nLINE 3"),
        node("test.poet.not_null_x", "fail", "Got 2 results, configured to fail if != 0"),
        node("model.poet.stg_carers", "success", "OK"),
    ]
    failed = SimpleNamespace(exception=None, result=SimpleNamespace(results=results))
    assert _failure_text(failed) == (
        "dbt build failed: model.poet.stg_holders: Binder Error: column x not found; "
        "test.poet.not_null_x: Got 2 results, configured to fail if != 0"
    )
    crashed = SimpleNamespace(exception=RuntimeError("Could not set lock on file"), result=None)
    assert _failure_text(crashed) == "dbt failed: Could not set lock on file"


def test_a_run_keeps_the_database_open_until_it_closes_it(tmp_path):
    # DECISIONS R49: a step's connection joins the database the run keeps open; another
    # database of the process (the publish's) can attach the file only once it is closed.
    seen = {}

    @dg.asset(required_resource_keys={"warehouse"})
    def step(context) -> None:
        warehouse = context.resources.warehouse
        with warehouse.connect() as con:
            con.execute("CREATE TABLE t AS SELECT 1 AS x")
        with warehouse.connect() as con:  # another connection of the open database
            seen["joined"] = con.execute("SELECT x FROM t").fetchall()
        outside = duckdb.connect()
        try:
            try:
                outside.execute(f"ATTACH '{warehouse.path}' AS w (READ_ONLY)")
                seen["while_open"] = "attached"
            except duckdb.Error as error:
                seen["while_open"] = str(error)
            warehouse.close_database()
            outside.execute(f"ATTACH '{warehouse.path}' AS w (READ_ONLY)")
            seen["after"] = outside.execute("SELECT x FROM w.t").fetchall()
        finally:
            outside.close()

    resource = WarehouseResource(path=str(tmp_path / "w.duckdb"))
    result = dg.materialize(
        [step], resources={"warehouse": resource}, instance=dg.DagsterInstance.ephemeral()
    )
    assert result.success
    assert seen["joined"] == [(1,)] and seen["after"] == [(1,)]
    assert "already attached" in seen["while_open"], seen["while_open"]


def test_no_database_is_kept_open_outside_a_run(tmp_path):
    path = tmp_path / "w.duckdb"
    duckdb.connect(str(path)).close()
    resource = WarehouseResource(path=str(path))
    context = dg.build_init_resource_context()  # a sensor's evaluation: no run
    resource.setup_for_execution(context)
    try:
        outside = duckdb.connect()
        outside.execute(f"ATTACH '{path}' AS w (READ_ONLY)")  # the file is not held
        outside.close()
    finally:
        resource.teardown_after_execution(context)

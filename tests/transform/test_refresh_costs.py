"""What keeps the fixed cost of a refresh down (docs/refresh.md) still does its job."""

from __future__ import annotations

import shutil
import subprocess

import duckdb

from dagster_project.settings import DBT_PROJECT_DIR
from dagster_project.transform.project import (
    PoetDbtCliResource,
    dbt_environment,
    dbt_executable,
    target_folder,
)


def test_dbt_steps_share_a_persistent_target_folder_and_parse_partially(built_warehouse):
    folder = target_folder(built_warehouse.path)
    assert folder.parent == built_warehouse.path.parent
    assert (folder / "partial_parse.msgpack").exists()
    assert (folder / "run_results.json").exists()  # kept: nothing deletes the folder
    log = (folder / "dbt.log").read_text()
    # dbt runs in the run's process (transform/inprocess.py): one parse, then three builds
    # (one per layer) on the parsed manifest, which read no project file again.
    assert log.count("Running with dbt=") == 4
    parses = log.count("Partial parsing enabled") + log.count("Starting full parse")
    assert parses == 1, log[-3000:]


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
    with dbt_environment(POET_WAREHOUSE=str(warehouse)):
        run = subprocess.run(
            [dbt_executable(), "test", "--select", "rec_holders", "--project-dir",
             str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
             "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
    assert run.returncode == 1, run.stdout[-2000:]
    failed = {
        line.split("FAIL 1 ")[1].split()[0] for line in run.stdout.splitlines() if "FAIL 1 " in line
    }
    assert failed == {
        "accepted_values_rec_holders_flags",
        "accepted_values_rec_holders_process_item_levels",
    }, run.stdout[-2000:]


def test_warehouse_connections_take_the_memory_limit_and_spill_folder(tmp_path):
    from dagster_project.warehouse import WarehouseResource

    resource = WarehouseResource(path=str(tmp_path / "w.duckdb"), memory_limit="1GB")
    with resource.connect() as con:
        limit, spill = con.execute(
            "select current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchone()
    assert limit in ("1.0 GiB", "953.6 MiB", "1.0 GB")  # DuckDB prints it back in its own unit
    assert spill == str(tmp_path / "w.duckdb.tmp")


def test_dbt_connection_takes_the_same_memory_limit_and_spill_folder(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    with dbt_environment(
        POET_WAREHOUSE=str(warehouse),
        POET_DUCKDB_MEMORY_LIMIT="1GB",
        POET_DUCKDB_TEMP_DIR=str(tmp_path / "spill"),
    ):
        run = subprocess.run(
            [dbt_executable(), "show", "--inline",
             "select current_setting('memory_limit') as m, current_setting('temp_directory') as t",
             "--output", "json", "--log-format", "text",
             "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
             "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
    assert run.returncode == 0, run.stdout[-2000:]
    assert str(tmp_path / "spill") in run.stdout, run.stdout[-1500:]
    assert any(unit in run.stdout for unit in ("1.0 GiB", "953.6 MiB", "1.0 GB")), run.stdout[
        -1500:
    ]

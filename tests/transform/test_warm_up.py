"""The run's dbt resource prepares the later steps in the background (warm_up.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster_project import warm_up
from dagster_project.transform import inprocess
from dagster_project.transform.project import DBT_PROJECT, step_environment, target_folder


def test_warm_up_parses_the_project_for_the_warehouse_and_restores_the_environment(tmp_path):
    warehouse = str(tmp_path / "warehouse.duckdb")
    environment = step_environment(warehouse, "1GB", str(tmp_path / "spill"))
    before = {name: os.environ.get(name) for name in environment}
    project_dir, profiles_dir = Path(DBT_PROJECT.project_dir), Path(DBT_PROJECT.profiles_dir)
    target = target_folder(warehouse)

    thread = warm_up.start(project_dir, profiles_dir, target, warehouse, environment)
    thread.join(timeout=300)

    assert not thread.is_alive()
    assert {name: os.environ.get(name) for name in environment} == before
    parsed = [key for key in inprocess._MANIFESTS if key[2] == warehouse]
    assert parsed == [(str(project_dir), parsed[0][1], warehouse, str(target))]
    assert (target / "partial_parse.msgpack").exists()
    # A dbt step of the run finds the manifest (no second parse).
    manifest = inprocess.parsed_manifest(project_dir, profiles_dir, target, warehouse)
    assert manifest is inprocess._MANIFESTS[parsed[0]]


def test_warm_up_never_raises_when_the_project_cannot_be_parsed(tmp_path):
    warehouse = str(tmp_path / "warehouse.duckdb")
    missing = tmp_path / "no_project"
    thread = warm_up.start(
        missing, missing, target_folder(warehouse), warehouse,
        step_environment(warehouse, "1GB", ""),
    )  # fmt: skip
    thread.join(timeout=300)
    assert not thread.is_alive()
    assert not [key for key in inprocess._MANIFESTS if key[2] == warehouse]


def test_a_run_that_builds_the_pack_starts_its_worker_server_early(tmp_path):
    import dagster as dg

    from dagster_project import workers
    from dagster_project.reports.assets import REPORTS_KEY
    from dagster_project.resources import _builds_report_pack

    whole = dg.DagsterRun(job_name="full_refresh", run_id="a")
    assert _builds_report_pack(whole)
    assert _builds_report_pack(
        dg.DagsterRun(job_name="x", run_id="b", asset_selection={REPORTS_KEY})
    )
    gates_only = dg.DagsterRun(
        job_name="x", run_id="c", asset_selection={dg.AssetKey(["staging", "stg_holders"])}
    )
    assert not _builds_report_pack(gates_only)
    assert not _builds_report_pack(
        dg.DagsterRun(job_name="full_refresh", run_id="d", step_keys_to_execute=["land_returns"])
    )
    assert not _builds_report_pack(None)

    # In a process of its own: another test of this session may have started the server.
    probe = f"""
import multiprocessing.forkserver, pathlib
from dagster_project import warm_up
from dagster_project.transform.project import step_environment, target_folder
if __name__ == "__main__":
    warehouse = "{tmp_path / "warehouse.duckdb"}"
    missing = pathlib.Path("{tmp_path / "no_project"}")
    thread = warm_up.start(missing, missing, target_folder(warehouse), warehouse,
                           step_environment(warehouse, "1GB", ""), reports=True)
    thread.join(timeout=300)
    server = multiprocessing.forkserver._forkserver
    print(server._forkserver_pid is not None, server._preload_modules)
"""
    script = tmp_path / "probe.py"
    script.write_text(probe)
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True, timeout=300
    )
    assert result.stdout.strip() == f"True {workers.PRELOADED}"


def test_the_gate_workers_are_forked_early_and_the_run_never_imports_great_expectations(
    tmp_path,
):
    """The warm-up forks the gate workers, which have their GE context; the process that
    runs the steps has not imported Great Expectations (quality/gate_worker.py)."""
    probe = f"""
import sys, threading, pathlib
from dagster_project import warm_up
from dagster_project import workers
from dagster_project.transform.project import step_environment, target_folder

def inside():
    from dagster_project.quality import engine
    return "great_expectations" in sys.modules, engine._batch_definition.cache_info().currsize

if __name__ == "__main__":
    warehouse = "{tmp_path / "warehouse.duckdb"}"
    missing = pathlib.Path("{tmp_path / "no_project"}")
    thread = warm_up.start(missing, missing, target_folder(warehouse), warehouse,
                           step_environment(warehouse, "1GB", ""))
    thread.join(timeout=300)
    for other in threading.enumerate():
        if other.name == "poet-gate-worker":
            other.join(timeout=300)
    pool = workers._SHARED[0]
    print(len(pool._processes), pool.submit(inside).result(),
          "great_expectations" in sys.modules)
"""
    script = tmp_path / "probe.py"
    script.write_text(probe)
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True, timeout=300
    )
    assert result.stdout.strip() == "2 (True, 1) False"

"""Runs Dagster launches (UI, sensor, schedule) take the same lock as `poet run`."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import dagster as dg

from dagster_project.refresh_lock import RefreshLock, read_holder
from dagster_project.settings import REPO_ROOT, isolated_environment
from dagster_project.warehouse import WarehouseResource

POET = str(Path(sys.executable).parent / "poet")

DAGSTER_RUN = textwrap.dedent(
    """
    import sys, time
    import dagster as dg
    from dagster_project.warehouse import WarehouseResource

    @dg.asset
    def slow(context, warehouse: WarehouseResource):
        print(context.run_id, flush=True)
        time.sleep(float(sys.argv[2]))

    dg.materialize([slow], resources={"warehouse": WarehouseResource(path=sys.argv[1])})
    """
)


def test_poet_run_stops_while_a_dagster_run_holds_the_warehouse(tmp_path):
    env = isolated_environment(tmp_path)
    Path(env["POET_LANDING_DIR"]).mkdir()
    warehouse = Path(env["POET_WAREHOUSE"])
    dagster_run = subprocess.Popen(
        [sys.executable, "-c", DAGSTER_RUN, str(warehouse), "60"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    try:
        run_id = dagster_run.stdout.readline().strip()
        holder = read_holder(warehouse)
        assert holder.run_id == run_id and holder.pid == dagster_run.pid
        result = subprocess.run(
            [POET, "run"], env=env, cwd=REPO_ROOT, capture_output=True, text=True
        )
    finally:
        dagster_run.kill()
        dagster_run.wait()
    assert result.returncode == 3
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert f"run {run_id} (pid {dagster_run.pid}, dagster run, started " in lines[0]


HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from dagster_project.refresh_lock import RefreshLock
    lock = RefreshLock(Path(sys.argv[1])).acquire(run_id="poet-run-1", command="poet run")
    print("held", flush=True)
    release, deadline = Path(sys.argv[2]), time.monotonic() + 60
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    lock.release()
    """
)


def _hold(warehouse: Path, seconds: float) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(warehouse), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "held"
    return process


def _asset_writing(marker: Path):
    @dg.asset
    def writes(warehouse: WarehouseResource) -> None:
        with warehouse.connect() as con:
            con.execute("create or replace table t as select 1 as x")
        marker.write_text("ran")

    return writes


def test_dagster_run_waits_for_poet_run_then_runs(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    marker, release = tmp_path / "ran", tmp_path / "release"
    holder = _hold(warehouse, release)
    instance = dg.DagsterInstance.ephemeral()
    waited: list[str] = []

    def release_once_the_run_waits() -> None:
        # The run says whom it waits for in its event log (what the UI shows).
        deadline = time.monotonic() + 120
        while not waited and time.monotonic() < deadline:
            for run in instance.get_runs():
                waited.extend(
                    entry.message
                    for entry in instance.all_logs(run.run_id)
                    if "waiting for run poet-run-1 (pid " in (entry.message or "")
                )
            time.sleep(0.2)
        assert not marker.exists(), "the step must not start while the lock is held"
        release.write_text("go")

    watcher = threading.Thread(target=release_once_the_run_waits)
    watcher.start()
    result = dg.materialize(
        [_asset_writing(marker)],
        resources={"warehouse": WarehouseResource(path=str(warehouse))},
        instance=instance,
    )
    watcher.join()
    holder.wait()
    assert result.success and marker.exists()
    assert waited and f"pid {holder.pid}, poet run, started " in waited[0]
    assert read_holder(warehouse) is None


def test_dagster_run_that_gives_up_waiting_fails_before_any_step(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    marker = tmp_path / "ran"
    holder = _hold(warehouse, tmp_path / "never")
    try:
        result = dg.materialize(
            [_asset_writing(marker)],
            resources={"warehouse": WarehouseResource(path=str(warehouse), lock_wait_seconds=1)},
            raise_on_error=False,
        )
    finally:
        holder.kill()
        holder.wait()
    assert not result.success and not marker.exists()
    assert not [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    lock = RefreshLock(warehouse).acquire(run_id="after", command="poet run")
    lock.release()


def test_every_asset_and_check_of_the_location_takes_the_lock():
    """Whatever a person selects in the UI, the run sets up a resource that takes the lock."""
    from dagster_project.definitions import defs

    locking = {"warehouse", "dbt", "settings"}
    graph = defs.resolve_asset_graph()
    unguarded = []
    for assets_def in graph.assets_defs:
        if not assets_def.is_executable:
            continue
        if not assets_def.required_resource_keys & locking:
            unguarded.append(assets_def.node_def.name)
    assert unguarded == []
    resources = defs.resources
    for key in locking:
        assert hasattr(type(resources[key]), "teardown_after_execution")
        assert (
            type(resources[key]).setup_for_execution
            is not dg.ConfigurableResource.setup_for_execution
        )

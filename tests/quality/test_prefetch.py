"""A gate prepared when its table was built (quality/prefetch.py, DECISIONS R38) gives
the verdict of a gate that reads the table itself, and is never used stale."""

from __future__ import annotations

import threading
import uuid

import dagster as dg
import quality_fixtures as fx

from dagster_project import jobs
from dagster_project.quality import gated_versions, prefetch
from dagster_project.quality.checks import gate_check, versions_to_check
from dagster_project.quality.gated_tables import GATED_TABLES, gated_table
from dagster_project.quality.runner import Suite, run_suite
from dagster_project.warehouse import WarehouseResource

STG_HOLDERS = gated_table("staging.stg_holders")
RUNS = [str(uuid.uuid4()) for _ in range(4)]


def _gate(warehouse: WarehouseResource, run_id: str) -> dg.AssetCheckEvaluation:
    """The real gate of staging.stg_holders, run as a Dagster step of run `run_id`."""

    @dg.asset(key=STG_HOLDERS.asset_key)
    def stg_holders() -> None:  # the table is already in the warehouse
        pass

    defs = dg.Definitions(
        assets=[stg_holders],
        asset_checks=[gate_check(STG_HOLDERS)],
        jobs=[dg.define_asset_job("gate", selection=dg.AssetSelection.all())],
        resources={"warehouse": warehouse},
    )
    result = defs.resolve_job_def("gate").execute_in_process(run_id=run_id, raise_on_error=False)
    [evaluation] = result.get_asset_check_evaluations()
    return evaluation


def test_a_prepared_gate_gives_the_verdict_of_a_gate_that_reads_the_table(warehouse_path, con):
    fx.create_stg_holders(con)
    con.execute("UPDATE staging.stg_holders SET gender = 7 WHERE respondent_id = 'H0000003'")
    expected = run_suite(con, Suite.load(STG_HOLDERS.suite_path))
    con.close()
    warehouse = WarehouseResource(path=str(warehouse_path))
    prefetch.start(RUNS[0], warehouse, [STG_HOLDERS], forced=False)
    evaluation = _gate(warehouse, RUNS[0])
    assert evaluation.metadata["prepared_ahead"].value is True
    assert not evaluation.passed
    assert evaluation.description == expected.summary()
    assert evaluation.metadata["failed_expectations"].value == len(expected.failures) >= 1


def test_a_table_changed_after_it_was_prepared_is_read_again(warehouse_path, con):
    fx.create_stg_holders(con)
    con.close()
    warehouse = WarehouseResource(path=str(warehouse_path))
    prefetch.start(RUNS[1], warehouse, [STG_HOLDERS], forced=False)
    prefetch.settle()  # prepared from the clean table
    with warehouse.connect() as writer:
        writer.execute(
            "INSERT INTO staging.stg_holders SELECT * REPLACE (7 AS gender, 'H9' AS respondent_id)"
            " FROM staging.stg_holders LIMIT 1"
        )
    evaluation = _gate(warehouse, RUNS[1])
    assert evaluation.metadata["prepared_ahead"].value is False
    assert not evaluation.passed  # the new row's code 7 is seen


def test_another_runs_preparation_is_not_used(warehouse_path, con):
    fx.create_stg_holders(con)
    con.close()
    warehouse = WarehouseResource(path=str(warehouse_path))
    prefetch.start(RUNS[2], warehouse, [STG_HOLDERS], forced=False)
    evaluation = _gate(warehouse, RUNS[3])
    assert evaluation.passed
    assert evaluation.metadata["prepared_ahead"].value is False
    prefetch.settle(RUNS[2])  # the run's end
    assert prefetch.take(RUNS[2], STG_HOLDERS.qualified) is None
    # No thread is left behind, so `poet` can exit without Python's finalisation.
    assert not [t for t in threading.enumerate() if t.name.startswith("poet-gate-prefetch")]


def test_preparing_a_forced_gate_writes_nothing_and_gives_its_scope(warehouse_path, con):
    fx.create_stg_holders(con)
    digest = gated_versions.checks_digest("code")
    keys = ("source_sha256",)
    scope = gated_versions.scope(con, STG_HOLDERS.qualified, keys, digest)
    gated_versions.remember(con, STG_HOLDERS.qualified, digest, scope, "run-0")
    before = con.execute(f"SELECT count(*) FROM {gated_versions.TABLE}").fetchone()[0]
    prepared, _ = versions_to_check(con, STG_HOLDERS, str(warehouse_path), True, read_only=True)
    assert con.execute(f"SELECT count(*) FROM {gated_versions.TABLE}").fetchone()[0] == before > 0
    forced, _ = versions_to_check(con, STG_HOLDERS, str(warehouse_path), True)
    assert prepared == forced
    assert forced.passed == 0 and len(forced.new) == 2


def test_preparing_in_a_new_warehouse_creates_no_table(warehouse_path, con):
    fx.create_stg_holders(con)
    scope, _ = versions_to_check(con, STG_HOLDERS, str(warehouse_path), False, read_only=True)
    assert scope.passed == 0 and len(scope.new) == 2
    assert not con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ?",
        [gated_versions.TABLE.split(".")[0]],
    ).fetchone()[0]


def test_every_gated_table_is_prepared_by_the_step_that_builds_it():
    prepared = [gated for tables in jobs._gated_tables_by_op().values() for gated in tables]
    assert sorted(g.qualified for g in prepared) == sorted(g.qualified for g in GATED_TABLES)


def test_a_step_opening_the_warehouse_beside_a_preparation_has_pandas_scans(warehouse_path, con):
    """Two threads opening the file while no connection held it both started DuckDB's
    database, and one of them then missed the Python client's table functions: the theme
    steps' `register` of a pandas frame failed in about one run in five (warehouse.py)."""
    import pandas as pd

    fx.create_stg_holders(con)
    con.close()
    warehouse = WarehouseResource(path=str(warehouse_path))
    frame = pd.DataFrame({"a": [1, 2, 3]})
    failures = []
    for attempt in range(40):
        prefetch.start(RUNS[3], warehouse, [STG_HOLDERS], forced=False)
        with warehouse.connect() as step:
            try:
                step.register("frame", frame)
                step.execute("SELECT count(*) FROM frame").fetchall()
            except Exception as error:  # the test reports every failure at once
                failures.append(f"attempt {attempt}: {error}")
        prefetch.settle(RUNS[3])
    assert failures == []

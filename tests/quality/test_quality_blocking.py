"""Dagster 1.13: a failed blocking check stops every asset downstream of the checked one."""

from __future__ import annotations

import dagster as dg
import quality_fixtures as fx

from dagster_project.quality.checks import gate_check
from dagster_project.quality.gated_tables import gated_table
from dagster_project.warehouse import WarehouseResource


def _materialised(result: dg.ExecuteInProcessResult) -> set[str]:
    return {
        event.asset_key.to_user_string()
        for event in result.get_asset_materialization_events()
        if event.asset_key is not None
    }


def test_failed_blocking_check_skips_downstream_asset():
    @dg.asset
    def a() -> None:
        pass

    @dg.asset_check(asset=a, blocking=True)
    def a_is_good() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=False)

    @dg.asset(deps=[a])
    def b() -> None:
        pass

    result = dg.materialize([a, b, a_is_good], raise_on_error=False)
    assert not result.success
    assert _materialised(result) == {"a"}


def _dbt_like_graph(warehouse: WarehouseResource):
    """Two layers built by one multi-asset op, gated by a check in its own op."""

    @dg.multi_asset(
        specs=[dg.AssetSpec(["staging", "stg_holders"]), dg.AssetSpec(["staging", "stg_carers"])]
    )
    def dbt_staging():
        yield dg.MaterializeResult(asset_key=["staging", "stg_holders"])
        yield dg.MaterializeResult(asset_key=["staging", "stg_carers"])

    @dg.asset(key=["recoded", "rec_holders"], deps=[dg.AssetKey(["staging", "stg_holders"])])
    def rec_holders() -> None:
        pass

    check = gate_check(gated_table("staging.stg_holders"))
    return [dbt_staging, rec_holders, check], {"warehouse": warehouse}


def test_real_gate_on_a_multi_asset_blocks_downstream(warehouse_path, con):
    fx.create_stg_holders(con)
    con.execute("UPDATE staging.stg_holders SET gender = 7 WHERE respondent_id = 'H0000003'")
    con.close()
    assets, resources = _dbt_like_graph(WarehouseResource(path=str(warehouse_path)))
    result = dg.materialize(assets, resources=resources, raise_on_error=False)
    assert not result.success
    assert _materialised(result) == {"staging/stg_holders", "staging/stg_carers"}
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert "staging.stg_holders" in evaluation.description
    assert "expect_column_values_to_be_in_set" in evaluation.description
    assert "gender" in evaluation.description and "[7]" in evaluation.description
    failures = evaluation.metadata["failures"].value
    assert failures[0]["unexpected_count"] == 1 and failures[0]["examples"] == [7]


def test_real_gate_passing_lets_downstream_run(warehouse_path, con):
    fx.create_stg_holders(con)
    con.close()
    assets, resources = _dbt_like_graph(WarehouseResource(path=str(warehouse_path)))
    result = dg.materialize(assets, resources=resources)
    assert "recoded/rec_holders" in _materialised(result)
    assert result.get_asset_check_evaluations()[0].passed


def test_missing_table_fails_the_check(warehouse_path):
    assets, resources = _dbt_like_graph(WarehouseResource(path=str(warehouse_path)))
    result = dg.materialize(assets, resources=resources, raise_on_error=False)
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert "does not exist" in evaluation.description, evaluation.description
    assert "recoded/rec_holders" not in _materialised(result)

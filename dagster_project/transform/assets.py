"""The dbt build as three Dagster steps, one per layer.

One op per layer so that a failed blocking check (a dbt test of severity error) on a
staging table stops the recoded step, and one on recoded stops the marts: dbt exits with
an error, the step fails, and Dagster does not start the steps downstream of it.
"""

from collections import Counter
from collections.abc import Iterator
from datetime import UTC
from graphlib import TopologicalSorter
from typing import Any

import dagster as dg
import duckdb
from dagster import AssetExecutionContext
from dagster_dbt import dbt_assets

from dagster_project.publish import parquet_stage
from dagster_project.quality import prefetch
from dagster_project.transform import build_state, inprocess
from dagster_project.transform.project import (
    DBT_PROJECT,
    PoetDbtCliResource,
    dbt_environment,
    manifest_for_definitions,
    step_environment,
    target_folder,
)
from dagster_project.transform.translator import SEED_LAYER, TRANSLATOR
from dagster_project.warehouse import WarehouseResource

MANIFEST = manifest_for_definitions()

# dbt selections of the three steps, by folder.
LAYER_SELECTIONS = {
    "reference_and_staging": "resource_type:seed path:models/reference path:models/staging",
    "recoded": "path:models/recoded",
    "marts": "path:models/marts",
}


def build_layer(
    context: AssetExecutionContext,
    dbt: PoetDbtCliResource,
    warehouse: WarehouseResource,
    layer: str,
) -> Iterator[Any]:
    # Incremental unless the code changed or a full refresh was asked for (build_state.py).
    inputs = build_state.code_inputs(warehouse.path)
    forced = build_state.is_forced(context.run)
    kept: dict[str, dg.AssetKey] = {}
    with warehouse.connect() as con:
        reason = build_state.full_refresh_reason(con, layer, inputs, forced)
        if reason is not None:
            build_state.forget(con, layer)
        else:
            kept = _kept_reference_tables(context, con)
            built_at = build_state.last_built(con, layer) if kept else None
    args = ["build", "--full-refresh"] if reason else ["build"]
    if not dbt.unit_tests:
        args += ["--exclude-resource-type", "unit_test"]  # DECISIONS R25
    how = f"full refresh: {reason}" if reason else "incremental by file version"
    if kept:
        args += REFERENCE_EXCLUSION
        how += f"; {len(kept)} reference tables kept from the build of {built_at:%Y-%m-%d %H:%M:%S} UTC"
        kept_at = dg.MetadataValue.timestamp(built_at.replace(tzinfo=UTC))
    context.log.info(
        f"dbt build of {len(context.selected_asset_keys)} assets into {warehouse.path} ({how})"
    )
    # dbt reads the warehouse and DuckDB's settings from its environment (profiles.yml);
    # the lock waits for a parse started ahead of the step (warm_up.py) to end.
    environment = step_environment(
        warehouse.path, warehouse.memory_limit, warehouse.spill_directory
    )
    # The tables kept come first: a step yields its assets in the order they depend on
    # each other, and the staging models read the reference tables.
    for output_name in kept:
        yield dg.Output(
            None, output_name, metadata={"rebuilt": False, "kept_from_build_at": kept_at}
        )
    # Gates prepared ahead read tables this step rebuilds: they end first
    # (quality/prefetch.py).
    prefetch.settle()
    with inprocess.DBT_LOCK, dbt_environment(**environment):
        # One target folder per warehouse, kept between invocations and runs: dbt's
        # partial parsing reuses its partial_parse.msgpack; every file in it is
        # rewritten by the next invocation, so it does not grow.
        target = target_folder(warehouse.path)
        finished: list = []
        events = inprocess.stream_build(
            context, args, project=DBT_PROJECT, translator=TRANSLATOR, target_path=target,
            warehouse=warehouse.path, finished=finished,
        )  # fmt: skip
        try:
            yield from events
        finally:  # the summary also when a failed test fails the step
            if finished:
                summary = summarise_statuses(inprocess.node_statuses(finished[0]))
                mode = "full refresh" if reason else "incremental"
                context.log.info(f"dbt build finished: {summary} ({mode})")
    # Reached only when dbt succeeded (stream_build fails the step otherwise).
    with warehouse.connect() as con:
        build_state.remember(con, layer, inputs)
        build_state.remember_tested(con, [key.path[-1] for key in context.selected_asset_keys])
    if layer == "marts" and parquet_stage.run_publishes(context):
        # Nothing changes these marts after this step: their Parquet files are written
        # while the gates and statistics run (DECISIONS R35).
        folder = parquet_stage.start(warehouse.path, context.run.run_id, warehouse.connect)
        context.log.info(
            f"writing {', '.join(parquet_stage.STAGED_TABLES)} as Parquet into {folder} in the background"
        )


# The reference layer: the seeds and the models built from them alone (models/reference),
# a function of the project's files, which the layers' code digest covers (DECISIONS R46).
REFERENCE_EXCLUSION = ["--exclude", "resource_type:seed", "path:models/reference"]


def _kept_reference_tables(
    context: AssetExecutionContext, con: duckdb.DuckDBPyConnection
) -> dict[str, dg.AssetKey]:
    """The reference tables an incremental build keeps as they are (by output name): every
    one the step selected, when every one of them is in the warehouse; none otherwise."""
    keys = {
        name: key
        for name, key in context.assets_def.keys_by_output_name.items()
        if key in context.selected_asset_keys and key.path[0] == SEED_LAYER
    }
    if not keys:
        return {}
    present = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ?",
            [SEED_LAYER],
        ).fetchall()
    }
    if not all(key.path[-1] in present for key in keys.values()):
        return {}
    # In the order they depend on each other (Dagster checks it).
    deps = context.assets_def.asset_deps
    order = TopologicalSorter({key: deps[key] & set(keys.values()) for key in keys.values()})
    by_key = {key: name for name, key in keys.items()}
    return {by_key[key]: key for key in order.static_order()}


def summarise_statuses(statuses: list[tuple[str, str]]) -> str:
    """One line per step: how many nodes of each kind ended in each status."""
    counts = Counter((unique_id.split(".")[0], status) for unique_id, status in statuses)
    return ", ".join(f"{kind} {status}: {n}" for (kind, status), n in sorted(counts.items()))


def layer_assets(layer: str) -> dg.AssetsDefinition:
    """The dbt assets of one layer, built by one op named dbt_<layer>."""

    @dbt_assets(
        manifest=MANIFEST,
        select=LAYER_SELECTIONS[layer],
        name=f"dbt_{layer}",
        dagster_dbt_translator=TRANSLATOR,
        project=DBT_PROJECT,
    )
    def _layer(
        context: AssetExecutionContext, dbt: PoetDbtCliResource, warehouse: WarehouseResource
    ):
        yield from build_layer(context, dbt, warehouse, layer)

    return _layer


DBT_ASSETS = [layer_assets(layer) for layer in LAYER_SELECTIONS]

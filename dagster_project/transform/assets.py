"""The dbt build as three Dagster steps, one per layer.

One op per layer so that a failed blocking check (a dbt test of severity error) on a
staging table stops the recoded step, and one on recoded stops the marts: dbt exits with
an error, the step fails, and Dagster does not start the steps downstream of it.
"""

import shutil
from collections import Counter
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import DbtCliResource, dbt_assets

from dagster_project.transform.project import DBT_PROJECT, ensure_manifest
from dagster_project.transform.translator import TRANSLATOR

MANIFEST = ensure_manifest()

# dbt selections of the three steps, by folder.
LAYER_SELECTIONS = {
    "reference_and_staging": "resource_type:seed path:models/reference path:models/staging",
    "recoded": "path:models/recoded",
    "marts": "path:models/marts",
}

# dbt's default ("eager") also runs a test when only one of its parents is selected, so a
# relationships test of a mart would run in the staging step, before the mart exists.
# "buildable" runs a test once all its parents are built. dagster-dbt reads this variable
# as the default and still overrides it when it selects single checks.
INDIRECT_SELECTION = "buildable"


def build_layer(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    # The dbt resource (dagster_project/resources.py) gives dbt the run's warehouse and
    # INDIRECT_SELECTION for the call; nothing here reads or writes the environment.
    context.log.info(f"dbt build of {len(context.selected_asset_keys)} assets")
    invocation = dbt.cli(["build"], context=context)
    try:
        yield from invocation.stream()
        summary = summarise_run_results(invocation.get_artifact("run_results.json"))
        context.log.info(f"dbt build finished: {summary}")
    finally:
        # dagster-dbt gives every invocation its own target folder; a nightly refresh
        # would otherwise fill the disk with them. The run's events hold what they said.
        shutil.rmtree(invocation.target_path, ignore_errors=True)


def summarise_run_results(run_results: dict) -> str:
    """One line per step: how many nodes of each kind ended in each status."""
    counts = Counter(
        (result["unique_id"].split(".")[0], result["status"]) for result in run_results["results"]
    )
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
    def _layer(context: AssetExecutionContext, dbt: DbtCliResource):
        yield from build_layer(context, dbt)

    return _layer


DBT_ASSETS = [layer_assets(layer) for layer in LAYER_SELECTIONS]

"""Jobs shared by the sensor, the schedule, `poet run` and the UI."""

from __future__ import annotations

from functools import cache
from operator import attrgetter

import dagster as dg

FULL_REFRESH_JOB = "full_refresh"


@cache
def _gated_tables_by_op() -> dict[str, tuple]:
    """Which gated tables each op of the code location builds."""
    # Imported here: the code location imports this module to build its job.
    from dagster_project.definitions import defs
    from dagster_project.quality.gated_tables import GATED_TABLES

    by_key = {gated.asset_key: gated for gated in GATED_TABLES}
    return {
        assets_def.op.name: tuple(
            sorted(
                (by_key[key] for key in assets_def.keys if key in by_key),
                key=attrgetter("qualified"),
            )
        )
        for assets_def in defs.resolve_asset_graph().assets_defs
        if assets_def.is_executable and assets_def.keys & by_key.keys()
    }


@dg.success_hook(required_resource_keys={"warehouse"})
def prepare_gates(context: dg.HookContext) -> None:
    """A step that built gated tables sends their gates' batches to the gate workers
    now, so its gates find them validated (quality/prefetch.py, DECISIONS R38)."""
    tables = _gated_tables_by_op().get(context.op.name)
    if not tables:
        return
    from dagster_project.quality import prefetch
    from dagster_project.transform.build_state import is_forced

    run = context.instance.get_run_by_id(context.run_id)
    forced = run is not None and is_forced(run)
    prefetch.start(context.run_id, context.resources.warehouse, list(tables), forced)


full_refresh_job = dg.define_asset_job(
    FULL_REFRESH_JOB,
    selection=dg.AssetSelection.all(),
    description="Land every return, rebuild the warehouse, run the gates, fit the statistics "
    "and publish the analysts' warehouse.",
    hooks={prepare_gates},
)

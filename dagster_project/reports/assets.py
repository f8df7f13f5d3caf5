"""Dagster assets of the reports stage.

`reports/pack` runs after every gated table (so behind the same blocking gates as the
publish step) and builds the pack from the working warehouse into a staging folder;
the publish step swaps it in right after the analysts' warehouse (see
`swap_staged_pack`), so a report never shows figures the published file does not hold.
"""

# No `from __future__ import annotations`: Dagster reads the context annotation.
from pathlib import Path

import dagster as dg

from dagster_project.quality.gated_tables import GATED_TABLES
from dagster_project.reports.store import ReportsResource, discard, swap_in
from dagster_project.transform import build_state
from dagster_project.warehouse import WarehouseResource

REPORTS_KEY = dg.AssetKey(["reports", "pack"])


def chart_cache_folder(warehouse_path: str) -> Path:
    """The charts drawn by the packs of a warehouse: `<warehouse>.charts` beside it."""
    return Path(f"{warehouse_path}.charts")


@dg.asset(
    key=REPORTS_KEY,
    deps=[gated.asset_key for gated in GATED_TABLES],
    group_name="reports",
    description="The national report, a local report per organisation, index.html and "
    "poet_tables.xlsx for the latest wave, built into a staging folder beside POET_REPORTS; "
    "the publish step swaps it in with the analysts' warehouse.",
)
def report_pack(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, reports: ReportsResource
) -> dg.MaterializeResult:
    target = Path(reports.path)
    for path in discard(target):
        context.log.info(f"removed stale report staging folder {path}")
    staged = reports.staging(context.run.run_id)
    # Imported here: the pack's libraries (Altair, Jinja2, vl-convert, pandas) are not
    # needed to load the code location, which every `poet run` does before its run starts.
    from dagster_project.reports.charts import SvgCache
    from dagster_project.reports.pack import build_pack

    # Charts an earlier pack of this warehouse drew are read, not drawn again (DECISIONS
    # R43); a forced refresh draws every chart.
    cache = SvgCache(
        chart_cache_folder(warehouse.path), read=not build_state.is_forced(context.run)
    )
    with warehouse.connect() as con:
        pack = build_pack(con, staged, log=context.log.info, chart_cache=cache)
    return dg.MaterializeResult(
        metadata={
            "staged": dg.MetadataValue.path(str(staged)),
            "target": dg.MetadataValue.path(str(target)),
            "wave": dg.MetadataValue.int(pack.wave),
            "organisations": dg.MetadataValue.int(pack.organisations),
            "seconds": dg.MetadataValue.float(round(pack.seconds, 2)),
            "charts_drawn": dg.MetadataValue.int(pack.chart_counts.get("drawn", 0)),
            "charts_from_cache": dg.MetadataValue.int(pack.chart_counts.get("cached", 0)),
        }
    )


def swap_staged_pack(context: dg.AssetExecutionContext) -> dict[str, dg.MetadataValue]:
    """Called by the publish step once the analysts' warehouse is in place: swaps in the
    pack this run staged. A run that published without building a pack takes the old
    pack down (its figures are no longer those of the published warehouse)."""
    event = context.instance.get_latest_materialization_event(REPORTS_KEY)
    if event is None or event.asset_materialization is None:
        return {}
    metadata = event.asset_materialization.metadata
    target = Path(metadata["target"].value)
    if event.run_id != context.run.run_id:
        if target.is_symlink():
            target.unlink()
        context.log.warning(
            f"no report pack was built in this run: {target} removed until 'poet report' "
            "or the next refresh builds one from the published warehouse"
        )
        return {"reports": dg.MetadataValue.text("not built in this run")}
    version = swap_in(Path(metadata["staged"].value), target)
    context.log.info(f"reports published to {target} (-> {version.name})")
    return {"reports": dg.MetadataValue.path(str(target))}

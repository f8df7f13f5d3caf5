"""The publish asset: the analysts' warehouse, replaced only after every gate passed."""

# No `from __future__ import annotations`: Dagster reads the context annotation at
# definition time.
from pathlib import Path

import dagster as dg

from dagster_project.publish.publisher import publish
from dagster_project.quality.gated_tables import GATED_TABLES
from dagster_project.reports.assets import REPORTS_KEY, swap_staged_pack
from dagster_project.settings import Settings
from dagster_project.warehouse import WarehouseResource

PUBLISH_KEY = dg.AssetKey(["publish", "analysts_warehouse"])


@dg.asset(
    key=PUBLISH_KEY,
    # Every gated table, not only the marts: Dagster makes an asset wait for the blocking
    # checks of its direct parents, so this is what lets any failed gate stop the publish.
    deps=[*(gated.asset_key for gated in GATED_TABLES), REPORTS_KEY],
    group_name="publish",
    description="Copies marts, reference and quality into a new DuckDB file and renames it "
    "over POET_PUBLISHED; runs only when every blocking quality gate passed.",
)
def analysts_warehouse(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    published = Settings.from_env().published
    report = publish(
        working=Path(warehouse.path),
        published=published,
        run_id=context.run.run_id,
        log=context.log.info,
    )
    reports = swap_staged_pack(context)  # the report pack of this run, in the same step
    context.log.info(
        f"published {len(report.tables)} tables to {report.path} ({report.bytes} bytes)"
    )
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(report.path)),
            "tables": dg.MetadataValue.int(len(report.tables)),
            "rows": dg.MetadataValue.json(report.tables),
            "bytes": dg.MetadataValue.int(report.bytes),
            "removed_stale_files": dg.MetadataValue.json(list(report.removed_stale)),
            **reports,
        }
    )

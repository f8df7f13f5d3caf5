"""The publish asset: the analysts' warehouse, replaced only after every gate passed."""

# No `from __future__ import annotations`: Dagster reads the context annotation at
# definition time.
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from dagster_project import fingerprint
from dagster_project.publish.publisher import publish
from dagster_project.quality.gated_tables import GATED_TABLES
from dagster_project.settings_resource import SettingsResource
from dagster_project.warehouse import WarehouseResource

PUBLISH_KEY = dg.AssetKey(["publish", "analysts_warehouse"])


@dg.asset(
    key=PUBLISH_KEY,
    # Every gated table, not only the marts: Dagster makes an asset wait for the blocking
    # checks of its direct parents, so this is what lets any failed gate stop the publish.
    deps=[gated.asset_key for gated in GATED_TABLES],
    group_name="publish",
    description="Copies marts, reference and quality into a new DuckDB file and renames it "
    "over POET_PUBLISHED; runs only when every blocking quality gate passed.",
)
def analysts_warehouse(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    published = Path(settings.published)
    report = publish(
        working=Path(warehouse.path),
        published=published,
        run_id=context.run.run_id,
        log=context.log.info,
    )
    context.log.info(
        f"published {len(report.tables)} tables to {report.path} ({report.bytes} bytes)"
    )
    inputs = settings.fingerprint
    if inputs is not None:
        # After the rename, beside the file: a record that does not match the file in place
        # (a publish killed before this line) is ignored, so it is never stale.
        record = fingerprint.write_record(
            published, context.run.run_id, datetime.now(UTC).isoformat(timespec="seconds"), inputs
        )
        context.log.info(f"recorded the inputs of this publish in {record}")
    return dg.MaterializeResult(
        metadata={
            "inputs": dg.MetadataValue.text(inputs.digest if inputs else "unknown"),
            "working_warehouse": dg.MetadataValue.path(warehouse.path),
            "path": dg.MetadataValue.path(str(report.path)),
            "tables": dg.MetadataValue.int(len(report.tables)),
            "rows": dg.MetadataValue.json(report.tables),
            "bytes": dg.MetadataValue.int(report.bytes),
            "removed_stale_files": dg.MetadataValue.json(list(report.removed_stale)),
        }
    )

"""The publish asset: the analysts' warehouse, replaced only after every gate passed."""

# No `from __future__ import annotations`: Dagster reads the context annotation at
# definition time.
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from dagster_project import fingerprint
from dagster_project.publish import guards, parquet_stage
from dagster_project.publish.postgres import publish_to_postgres
from dagster_project.publish.publisher import publish
from dagster_project.quality.gated_tables import GATED_TABLES
from dagster_project.reports.assets import REPORTS_KEY, swap_staged_pack
from dagster_project.settings_resource import SettingsResource
from dagster_project.transform.build_state import is_forced
from dagster_project.warehouse import WarehouseResource

PUBLISH_KEY = dg.AssetKey(["publish", "analysts_warehouse"])


class PublishConfig(dg.Config):
    """Run configuration of the publish step (`poet run --accept-shrink` sets accept_shrink)."""

    accept_shrink: bool = False  # publish even when used respondents or organisations fall
    max_shrink_share: float = guards.DEFAULT_MAX_SHRINK_SHARE  # largest fall of a wave and survey
    # Tables whose gate must have passed in this run (None: every gated table).
    gated_tables: list[str] | None = None


def publish_run_config(accept_shrink: bool) -> dict:
    """Run config that sets the publish step's PublishConfig (the op of PUBLISH_KEY)."""
    op_name = "__".join(PUBLISH_KEY.path)
    return {"ops": {op_name: {"config": {"accept_shrink": accept_shrink}}}}


def _required_gates(config: "PublishConfig") -> list[str]:
    """The gated tables whose gate must have passed in this run: all of them, unless the
    run config names fewer (a test graph that defines only some gates)."""
    every = [g.qualified for g in GATED_TABLES]
    return every if config.gated_tables is None else [t for t in every if t in config.gated_tables]


def _shrink_decision(
    context: dg.AssetExecutionContext, config: PublishConfig, published: Path, working: Path
) -> str:
    shrunk = guards.compare_with_published(published, working, config.max_shrink_share)
    if shrunk is None:
        return "first publish: nothing to compare with"
    if not shrunk.any:
        return f"no shrinkage beyond {config.max_shrink_share:.0%}"
    if not config.accept_shrink:
        refusal = guards.shrink_refusal(shrunk)
        raise dg.Failure(
            description=refusal,
            metadata={"shrink_guard": dg.MetadataValue.text(f"refused: {refusal}")},
        )
    context.log.warning(
        f"publishing a smaller warehouse, accepted by --accept-shrink: {shrunk.describe()}"
    )
    return f"accepted (--accept-shrink): {shrunk.describe()}"


def _reusable_publish(
    context: dg.AssetExecutionContext,
    published: Path,
    inputs: fingerprint.Fingerprint | None,
) -> str | None:
    """The run that published the file in place, when that file came from the same code,
    libraries and settings as this run (its record says so) and no full refresh was asked
    for: then the publish starts from it (publisher.publish, DECISIONS R34)."""
    if is_forced(context.run) or inputs is None:
        return None
    record = fingerprint.read_record(published)
    if record is None:
        return None
    before = record.fingerprint
    if (before.code, before.libraries, before.settings) != (
        inputs.code,
        inputs.libraries,
        inputs.settings,
    ):
        return None
    return record.run_id


@dg.asset(
    key=PUBLISH_KEY,
    # Every gated table, not only the marts: Dagster makes an asset wait for the blocking
    # checks of its direct parents, so this is what lets any failed gate stop the publish.
    deps=[*(gated.asset_key for gated in GATED_TABLES), REPORTS_KEY],
    group_name="publish",
    description="Copies marts, reference and quality into a new DuckDB file and renames it "
    "over POET_PUBLISHED (with each mart as Parquet beside it), and, when POET_POSTGRES_URL "
    "is set, loads them into PostgreSQL and swaps them in; runs only when every blocking "
    "quality gate passed in this run, on marts built from the landing state now registered, "
    "and when nothing shrinks unexpectedly.",
)
def analysts_warehouse(
    context: dg.AssetExecutionContext,
    config: PublishConfig,
    warehouse: WarehouseResource,
    settings: SettingsResource,
) -> dg.MaterializeResult:
    published = Path(settings.published)
    working = Path(warehouse.path)
    # First: the thread writing marts as Parquet ahead of this step ends before the
    # guards and the publish open the working file (parquet_stage.py, DECISIONS R35).
    staged, why_not = parquet_stage.collect(warehouse.path, context.run.run_id)
    context.log.info(
        f"Parquet written ahead of the publish: {', '.join(sorted(staged)) or 'none'}"
        + (f" ({why_not})" if why_not else "")
    )
    # The guards and the publish attach the working file to databases of their own.
    warehouse.close_database()
    problem = guards.output_path_problem(published) or guards.freshness_problem(
        working, context.run.run_id, _required_gates(config)
    )
    if problem:
        raise dg.Failure(description=problem)
    decision = _shrink_decision(context, config, published, working)
    context.log.info(f"shrink guard: {decision}")
    previous_run = _reusable_publish(context, published, settings.fingerprint)
    report = publish(
        working=working,
        published=published,
        run_id=context.run.run_id,
        log=context.log.info,
        previous_run=previous_run,
        staged_parquet=staged,
    )
    reports = swap_staged_pack(context)  # the report pack of this run, in the same step
    context.log.info(
        f"published {len(report.tables)} tables to {report.path} ({report.bytes} bytes)"
    )
    metadata = {
        "working_warehouse": dg.MetadataValue.path(warehouse.path),
        "path": dg.MetadataValue.path(str(report.path)),
        "tables": dg.MetadataValue.int(len(report.tables)),
        "rows": dg.MetadataValue.json(report.tables),
        "bytes": dg.MetadataValue.int(report.bytes),
        "removed_stale_files": dg.MetadataValue.json(list(report.removed_stale)),
        "parquet": dg.MetadataValue.path(str(report.parquet_dir)),
        "started_from_previous_file": dg.MetadataValue.bool(report.by_version is not None),
        "updated_by_file_version": dg.MetadataValue.json(
            {
                name: {"removed": gone, "added": new}
                for name, (gone, new) in (report.by_version or {}).items()
            }
        ),
        **reports,
    }
    if settings.postgres_url:
        # Before the inputs record: a failed PostgreSQL load makes the next run publish again.
        loaded = publish_to_postgres(report.path, settings.postgres_url, log=context.log.info)
        metadata["postgres_tables"] = dg.MetadataValue.int(len(loaded.tables))
        metadata["postgres_load_seconds"] = dg.MetadataValue.float(loaded.seconds_load)
        metadata["postgres_swap_seconds"] = dg.MetadataValue.float(loaded.seconds_swap)
    inputs = settings.fingerprint
    if inputs is not None:
        # After the rename, beside the file: a record that does not match the file in place
        # (a publish killed before this line) is ignored, so it is never stale.
        record = fingerprint.write_record(
            published, context.run.run_id, datetime.now(UTC).isoformat(timespec="seconds"), inputs
        )
        context.log.info(f"recorded the inputs of this publish in {record}")
    metadata["inputs"] = dg.MetadataValue.text(inputs.digest if inputs else "unknown")
    metadata["shrink_guard"] = dg.MetadataValue.text(decision)
    metadata["accept_shrink"] = dg.MetadataValue.bool(config.accept_shrink)
    return dg.MaterializeResult(metadata=metadata)

"""The landing assets: one step lands the folder and materialises the five raw tables."""

from pathlib import Path

import dagster as dg

from dagster_project import fingerprint
from dagster_project.landing.land import LandingReport, land_folder
from dagster_project.landing.layout import LandingFolderError, sha256_of
from dagster_project.settings_resource import SettingsResource
from dagster_project.transform import build_state
from dagster_project.warehouse import WarehouseResource

RAW_TABLES = ("organisations", "holders", "carers", "file_registry", "invalid_cells")
GROUP = "landing"


def raw_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", table])


_DESCRIPTIONS = {
    "organisations": (
        "The latest usable organisations.csv, one row per data line (trimmed), with its line, "
        "status (listed, repeat, left_out) and note."
    ),
    "holders": "Every delivered row of every holders file version ever landed (text cells).",
    "carers": "Every delivered row of every carers file version ever landed (text cells).",
    "file_registry": "One row per file version: status (used, superseded, quarantined), reason, counts.",
    "invalid_cells": "One row per invalid cell of a consenting row, with the rule it breaks.",
}


def _table_metadata(con, table: str) -> dict[str, dg.MetadataValue]:
    rows = con.execute(f"SELECT count(*) FROM raw.{table}").fetchone()[0]
    metadata: dict[str, dg.MetadataValue] = {"dagster/row_count": dg.MetadataValue.int(int(rows))}
    if table == "file_registry":
        for status, count in con.execute(
            "SELECT status, count(*) FROM raw.file_registry GROUP BY status ORDER BY status"
        ).fetchall():
            metadata[f"files_{status}"] = dg.MetadataValue.int(int(count))
    if table == "organisations":
        for status, count in con.execute(
            "SELECT status, count(*) FROM raw.organisations GROUP BY status ORDER BY status"
        ).fetchall():
            metadata[f"lines_{status}"] = dg.MetadataValue.int(int(count))
    if table in ("holders", "carers"):
        used = con.execute(
            "SELECT coalesce(sum(rows_used), 0), coalesce(sum(rows_without_consent) FILTER "
            "(WHERE status = 'used'), 0) FROM raw.file_registry WHERE survey = ?",
            [table],
        ).fetchone()
        metadata["rows_used"] = dg.MetadataValue.int(int(used[0]))
        metadata["rows_without_consent_in_used_files"] = dg.MetadataValue.int(int(used[1]))
    return metadata


def _organisations_metadata(report: LandingReport) -> dict[str, dg.MetadataValue]:
    metadata = {
        "lines_with_a_note": dg.MetadataValue.md(
            "\n".join(f"- {text}" for text in report.organisation_lines) or "none"
        ),
    }
    if report.organisations_problem:
        # Why organisations.csv was not used this run (the last list was kept).
        metadata["organisations_problem"] = dg.MetadataValue.text(report.organisations_problem)
    return metadata


def _run_metadata(report: LandingReport) -> dict[str, dg.MetadataValue]:
    return {
        "files_found": dg.MetadataValue.int(report.files_found),
        "files_landed": dg.MetadataValue.int(report.landed),
        "files_unchanged": dg.MetadataValue.int(report.unchanged),
        "files_ignored": dg.MetadataValue.int(len(report.ignored)),
        "files_quarantined_now": dg.MetadataValue.int(len(report.quarantined)),
        "status_changes": dg.MetadataValue.int(report.status_changes),
        "ignored": dg.MetadataValue.md(
            "\n".join(f"- `{path}`: {why}" for path, why in report.ignored_reasons.items())
            or "none"
        ),
        "files_changed_while_landing": dg.MetadataValue.json(report.changed_while_landing),
        "quarantined": dg.MetadataValue.md(
            "\n".join(f"- `{path}`: {reason}" for path, reason in report.quarantined.items())
            or "none"
        ),
    }


@dg.multi_asset(
    name="land_returns",
    group_name=GROUP,
    specs=[
        dg.AssetSpec(raw_key(table), description=_DESCRIPTIONS[table], kinds={"duckdb"})
        for table in RAW_TABLES
    ],
)
def land_returns(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, settings: SettingsResource
):
    """Land every return in the landing folder (POET_LANDING_DIR) into the raw layer (docs/landing.md)."""
    landing_dir = Path(settings.landing_dir)
    # The sha256 of unchanged files comes from the record the run's fingerprint just
    # brought up to date (DECISIONS L9); a forced refresh reads every file again.
    forced = build_state.is_forced(context.run)
    content_hash = (
        sha256_of
        if forced
        else fingerprint.HashCache(fingerprint.hash_cache_path(settings.to_settings())).sha256
    )
    with warehouse.connect() as con:
        try:
            report = land_folder(con, landing_dir, log=context.log, content_hash=content_hash)
        except LandingFolderError as exc:
            raise dg.Failure(description=str(exc)) from None
        run_metadata = _run_metadata(report)
        for table in RAW_TABLES:
            metadata = _table_metadata(con, table)
            if table == "file_registry":
                metadata.update(run_metadata)
                metadata["landing_dir"] = dg.MetadataValue.path(str(landing_dir))
            if table == "organisations":
                metadata.update(_organisations_metadata(report))
            yield dg.MaterializeResult(asset_key=raw_key(table), metadata=metadata)

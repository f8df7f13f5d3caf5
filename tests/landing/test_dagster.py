"""The landing asset materialises the raw tables; the sensor fires on new content only."""

from __future__ import annotations

import os

import dagster as dg
import duckdb
import pytest
from landing_builders import holders_rows

from dagster_project.jobs import FULL_REFRESH_JOB, full_refresh_job
from dagster_project.landing.assets import RAW_TABLES, land_returns
from dagster_project.landing.definitions import defs
from dagster_project.landing.sensors import landing_sensor
from dagster_project.landing.theme_codes import THEME_CODE_TABLES
from dagster_project.settings_resource import SettingsResource
from dagster_project.warehouse import WarehouseResource


def _settings(landing_dir, warehouse_path) -> SettingsResource:
    return SettingsResource(
        landing_dir=str(landing_dir),
        warehouse=str(warehouse_path),
        published=str(warehouse_path.parent / "poet.duckdb"),
        dagster_home=str(warehouse_path.parent / "dagster_home"),
    )


@pytest.fixture
def warehouse(tmp_path, landing) -> WarehouseResource:
    return WarehouseResource(path=str(tmp_path / "warehouse.duckdb"))


def _materialize(warehouse: WarehouseResource, landing_dir) -> dg.ExecuteInProcessResult:
    from pathlib import Path

    settings = _settings(landing_dir, Path(warehouse.path))
    return dg.materialize(
        [land_returns],
        resources={"warehouse": warehouse, "settings": settings},
        raise_on_error=False,
    )


def test_definitions_expose_asset_sensor_and_schedule(tmp_path):
    # As ../definitions.py merges them: with the shared resources and the full_refresh job.
    location = dg.Definitions.merge(
        defs,
        dg.Definitions(
            jobs=[full_refresh_job],
            resources={
                "warehouse": WarehouseResource(path=str(tmp_path / "w.duckdb")),
                "settings": _settings(tmp_path / "landing", tmp_path / "w.duckdb"),
            },
        ),
    )
    keys = {key.to_user_string() for key in location.resolve_all_asset_keys()}
    # The hand-coded theme samples land in the same stage (dagster_project/landing/theme_codes.py).
    assert keys == {f"raw/{table}" for table in (*RAW_TABLES, *THEME_CODE_TABLES)}
    assert location.resolve_sensor_def("landing_sensor").job_name == FULL_REFRESH_JOB
    schedule = location.resolve_schedule_def("nightly_full_refresh")
    assert schedule.job_name == FULL_REFRESH_JOB and schedule.cron_schedule == "0 2 * * *"


def test_materialize_lands_into_the_warehouse(landing, warehouse):
    landing.csv("2014/LA01/holders.csv", holders_rows(4))
    landing.csv("2014/LA99/carers.csv", [{"respondent_id": "C1", "consent": "1"}])
    result = _materialize(warehouse, landing.root)
    assert result.success
    materialized = {
        m.asset_key.to_user_string(): m.metadata
        for m in result.asset_materializations_for_node("land_returns")
    }
    assert set(materialized) == {f"raw/{table}" for table in RAW_TABLES}
    assert materialized["raw/holders"]["dagster/row_count"].value == 4
    assert materialized["raw/file_registry"]["files_quarantined"].value == 1
    assert "unknown organisation LA99" in materialized["raw/file_registry"]["quarantined"].value
    with duckdb.connect(warehouse.path, read_only=True) as con:
        assert con.execute(
            "SELECT status FROM raw.file_registry ORDER BY source_path"
        ).fetchall() == [
            ("used",),
            ("quarantined",),
        ]
    again = _materialize(warehouse, landing.root)
    metadata = {
        m.asset_key.to_user_string(): m.metadata
        for m in again.asset_materializations_for_node("land_returns")
    }
    assert metadata["raw/file_registry"]["files_unchanged"].value == 2
    assert metadata["raw/file_registry"]["dagster/row_count"].value == 2


def test_unreadable_landing_folder_fails_with_one_line(tmp_path):
    result = _materialize(WarehouseResource(path=str(tmp_path / "w.duckdb")), tmp_path / "nowhere")
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE)
    message = failure.step_failure_data.error.message.strip()
    assert (
        "\n" not in message and "does not exist" in message and str(tmp_path / "nowhere") in message
    )


def test_sensor_fires_on_new_and_changed_content_only(landing, tmp_path):
    settings = _settings(landing.root, tmp_path / "warehouse.duckdb")

    def sense(instance, cursor=None):
        with dg.build_sensor_context(
            instance=instance, cursor=cursor, resources={"settings": settings}
        ) as context:
            return landing_sensor(context), context.cursor

    landing.csv("2014/LA01/holders.csv", holders_rows(2))
    with dg.instance_for_test() as instance:
        first, cursor = sense(instance)
        assert isinstance(first, dg.RunRequest) and first.run_key == cursor

        unchanged, _ = sense(instance, cursor)
        assert isinstance(unchanged, dg.SkipReason)

        # Ignored files change nothing landing reads.
        landing.path("synth_manifest.json").write_text("{}")
        assert isinstance(sense(instance, cursor)[0], dg.SkipReason)

        landing.csv("2014/LA01/holders.csv", holders_rows(3))
        changed, changed_cursor = sense(instance, cursor)
        assert isinstance(changed, dg.RunRequest)
        assert changed.run_key == changed_cursor != cursor

        landing.csv("2015/LA02/carers.csv", [{"respondent_id": "C1", "consent": "1"}])
        added, _ = sense(instance, changed_cursor)
        assert isinstance(added, dg.RunRequest) and added.run_key != changed.run_key


def test_unchanged_files_are_not_read_again_and_force_reads_every_file(
    landing, warehouse, monkeypatch
):
    # DECISIONS L9: the run's hash record gives an unchanged file's sha256; --force
    # hashes every file again, so a file rewritten with its old size and timestamp lands.
    from pathlib import Path

    from dagster_project import fingerprint
    from dagster_project.landing import assets as landing_assets
    from dagster_project.transform.build_state import FULL_REFRESH_TAG

    holders = landing.csv("2014/LA01/holders.csv", holders_rows(4))
    assert _materialize(warehouse, landing.root).success
    read = []

    def counting(function):
        def sha256_of(path):
            if Path(path).is_relative_to(landing.root):
                read.append(Path(path).name)
            return function(path)

        return sha256_of

    monkeypatch.setattr(fingerprint, "sha256_of", counting(fingerprint.sha256_of))
    monkeypatch.setattr(landing_assets, "sha256_of", counting(landing_assets.sha256_of))
    stat = holders.stat()
    content = holders.read_bytes()
    holders.write_bytes(content.replace(b"R0001,", b"X0001,", 1))
    os.utime(holders, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert holders.stat().st_size == stat.st_size

    again = _materialize(warehouse, landing.root)
    registry = {
        m.asset_key.to_user_string(): m.metadata
        for m in again.asset_materializations_for_node("land_returns")
    }["raw/file_registry"]
    assert read == [] and registry["files_unchanged"].value == 1

    settings = _settings(landing.root, Path(warehouse.path))
    forced = dg.materialize(
        [land_returns],
        resources={"warehouse": warehouse, "settings": settings},
        tags={FULL_REFRESH_TAG: "true"},
    )
    registry = {
        m.asset_key.to_user_string(): m.metadata
        for m in forced.asset_materializations_for_node("land_returns")
    }["raw/file_registry"]
    assert "holders.csv" in read and registry["files_landed"].value == 1
    with duckdb.connect(warehouse.path, read_only=True) as con:
        ids = {r[0] for r in con.execute("SELECT respondent_id FROM raw.holders").fetchall()}
    assert "X0001" in ids

"""Dagster's home as poet writes it: the engine-caching SQLite storage, and the file kept
up to date unless someone else wrote it."""

from __future__ import annotations

import dagster as dg

from dagster_project.run_storage import EngineCachingEventLogStorage, PoetSqliteStorage
from dagster_project.settings import DAGSTER_INSTANCE_YAML, Settings


def _settings(tmp_path) -> Settings:
    return Settings(
        landing_dir=tmp_path / "landing",
        warehouse=tmp_path / "warehouse.duckdb",
        published=tmp_path / "poet.duckdb",
        dagster_home=tmp_path / "dagster_home",
    )


@dg.asset
def answer() -> int:
    return 42


@dg.asset_check(asset=answer)
def answer_is_even() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def test_a_run_stores_and_reads_back_its_events(tmp_path):
    settings = _settings(tmp_path)
    settings.prepare_dagster_home()
    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, EngineCachingEventLogStorage)
        for _ in range(2):
            result = dg.materialize([answer, answer_is_even], instance=instance)
            assert result.success
        # One engine per database file used (two runs and the index), not one per event.
        assert set(storage._engines) == {"index", *(r.run_id for r in instance.get_runs())}
        # Write-ahead log (Dagster's), commits that do not wait for the disk (DECISIONS R44).
        with storage._connect("index") as conn:
            modes = [
                conn.exec_driver_sql(f"PRAGMA {p}").scalar()
                for p in ("journal_mode", "synchronous")
            ]
        assert modes == ["wal", 1]  # 1: NORMAL
    # Another process's view (the UI's): a new instance on the same home reads it all.
    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as reader:
        assert len(reader.get_runs()) == 2
        latest = reader.get_latest_materialization_event(dg.AssetKey("answer"))
        assert latest is not None and latest.run_id == result.run_id
        evaluation = reader.event_log_storage.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(dg.AssetKey("answer"), "answer_is_even")]
        )
        assert len(evaluation) == 1


def test_the_instance_file_names_the_storage_and_is_kept_up_to_date(tmp_path):
    settings = _settings(tmp_path)
    config = settings.dagster_home / "dagster.yaml"
    settings.dagster_home.mkdir()
    config.write_text("# Written by poet: an older version\ntelemetry:\n  enabled: false\n")
    settings.prepare_dagster_home()
    text = config.read_text()
    assert text == DAGSTER_INSTANCE_YAML.format(home=f'"{settings.dagster_home.resolve()}"')
    assert "class: PoetSqliteStorage" in text
    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        assert isinstance(instance.event_log_storage, EngineCachingEventLogStorage)
        assert instance.get_ref().storage_data.class_name == PoetSqliteStorage.__name__


def test_an_instance_file_written_by_someone_else_is_kept(tmp_path):
    settings = _settings(tmp_path)
    settings.dagster_home.mkdir()
    config = settings.dagster_home / "dagster.yaml"
    config.write_text("telemetry:\n  enabled: false\n")
    settings.prepare_dagster_home()
    assert config.read_text() == "telemetry:\n  enabled: false\n"


def test_a_forked_process_opens_its_own_connections(tmp_path):
    storage = EngineCachingEventLogStorage(str(tmp_path / "runs"))
    parent_engine = storage._engine("index")
    assert storage._engine("index") is parent_engine
    storage._engines_pid = -1  # as seen from a child forked after the engine was made
    assert storage._engine("index") is not parent_engine
    storage.dispose()

"""Fixture assets -> real blocking gates -> publish: a failed gate leaves the file alone."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import quality_fixtures as fx
from published_tables import tables_of

from dagster_project.publish.assets import analysts_warehouse
from dagster_project.quality.checks import gate_check
from dagster_project.quality.gated_tables import MARTS_TABLES, gated_table
from dagster_project.settings_resource import SettingsResource
from dagster_project.warehouse import WarehouseResource

FIXTURE_MARTS = ("outcome_summary", "comments")


def _graph(warehouse_path: Path, email_in_comment: bool):
    @dg.asset(key=["raw", "holders"])
    def raw_holders(warehouse: WarehouseResource) -> None:
        with warehouse.connect() as con:
            con.execute("CREATE SCHEMA IF NOT EXISTS raw")
            con.execute(
                "CREATE OR REPLACE TABLE raw.holders AS SELECT 'H0001' AS respondent_id, "
                "'call Mr Smith on 07700 900123' AS comment_worked_well, '2' AS consent"
            )

    @dg.multi_asset(
        specs=[
            dg.AssetSpec(["marts", name], deps=[dg.AssetKey(["raw", "holders"])])
            for name in MARTS_TABLES
        ]
    )
    def marts(warehouse: WarehouseResource):
        with warehouse.connect() as con:
            fx.create_outcome_summary(con)
            fx.create_comments(con)
            fx.create_other_marts(con, skip=FIXTURE_MARTS)
            con.execute("CREATE SCHEMA IF NOT EXISTS reference")
            con.execute("CREATE OR REPLACE TABLE reference.codebook_holders AS SELECT 1 AS x")
            if email_in_comment:
                con.execute(
                    "UPDATE marts.comments SET comment_redacted = 'jo@example.org' "
                    "WHERE respondent_id = 'H0001'"
                )
        for name in MARTS_TABLES:
            yield dg.MaterializeResult(asset_key=["marts", name])

    checks = [gate_check(gated_table(f"marts.{name}")) for name in FIXTURE_MARTS]
    return [raw_holders, marts, analysts_warehouse, *checks]


def _run(warehouse_path: Path, email_in_comment: bool = False) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        _graph(warehouse_path, email_in_comment),
        resources={
            "warehouse": WarehouseResource(path=str(warehouse_path)),
            "settings": SettingsResource(
                landing_dir=str(warehouse_path.parent / "landing"),
                warehouse=str(warehouse_path),
                published=os.environ["POET_PUBLISHED"],  # set by the published_path fixture
                dagster_home=str(warehouse_path.parent / "dagster_home"),
                postgres_url=os.environ.get("POET_POSTGRES_URL"),  # test_postgres.py sets it
            ),
        },
        # This graph defines two gates: those must pass in the run (guards.py).
        run_config={
            "ops": {
                "publish__analysts_warehouse": {
                    "config": {"gated_tables": [f"marts.{name}" for name in FIXTURE_MARTS]}
                }
            }
        },
        raise_on_error=False,
    )


def _published_in(result: dg.ExecuteInProcessResult) -> bool:
    return any(
        e.asset_key == dg.AssetKey(["publish", "analysts_warehouse"])
        for e in result.get_asset_materialization_events()
    )


def test_gates_pass_then_publish_replaces_the_file(warehouse_path, published_path):
    result = _run(warehouse_path)
    assert result.success and _published_in(result)
    tables = tables_of(published_path)
    assert {t.split(".")[0] for t in tables} == {"marts", "reference", "quality"}
    assert tables["marts.outcome_summary"] == 3
    assert tables["quality.validation_results"] > 0
    before = published_path.stat()
    with duckdb.connect(str(warehouse_path)) as con:
        con.execute("INSERT INTO marts.trends VALUES (2015)")  # stands for a changed mart
    assert _published_in(_run(warehouse_path))
    assert published_path.stat().st_ino != before.st_ino  # a new file was renamed in


def test_raw_layer_never_reaches_analysts(warehouse_path, published_path):
    assert _published_in(_run(warehouse_path))
    con = duckdb.connect(str(published_path), read_only=True)
    schemata = con.execute("SELECT schema_name FROM information_schema.schemata").fetchall()
    schemas = {row[0] for row in schemata}
    con.close()
    assert not schemas & {"raw", "staging", "recoded"}
    assert b"07700 900123" not in published_path.read_bytes()


def test_failed_gate_skips_publish_and_keeps_the_file(warehouse_path, published_path):
    assert _published_in(_run(warehouse_path))
    before_bytes, before_stat = published_path.read_bytes(), published_path.stat()
    result = _run(warehouse_path, email_in_comment=True)
    assert not result.success and not _published_in(result)
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert [e.asset_key.to_user_string() for e in failed] == ["marts/comments"]
    # The failure says where and what kind of detail, never the detail (issue 10).
    assert "jo@example.org" not in failed[0].description
    assert "'kind': 'email'" in failed[0].description
    assert published_path.read_bytes() == before_bytes
    after = published_path.stat()
    assert (after.st_mtime_ns, after.st_ino) == (before_stat.st_mtime_ns, before_stat.st_ino)
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        recorded = con.execute(
            "SELECT count(*) FROM quality.validation_results "
            "WHERE \"table\" = 'marts.comments' AND NOT success"
        ).fetchone()[0]
    assert recorded == 1


def test_stale_tmp_files_of_a_killed_run_are_removed(warehouse_path, published_path):
    published_path.parent.mkdir(parents=True)
    stale = published_path.with_name(published_path.name + ".tmp-killedrun")
    stale.write_bytes(b"half written")
    Path(f"{stale}.wal").write_bytes(b"wal")
    stale_parquet = published_path.with_name("parquet.tmp-killedrun")
    stale_parquet.mkdir()
    (stale_parquet / "trends.parquet").write_bytes(b"half written")
    assert _published_in(_run(warehouse_path))
    leftovers = sorted(os.listdir(published_path.parent))
    assert leftovers == ["parquet", "poet.duckdb"]


@pytest.mark.parametrize("email", [True])
def test_failed_gate_before_first_publish_creates_nothing(warehouse_path, published_path, email):
    result = _run(warehouse_path, email_in_comment=email)
    assert not _published_in(result)
    assert not published_path.exists()

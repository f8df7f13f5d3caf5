"""The dbt assets materialise through Dagster on a temporary warehouse, layer by layer."""

from __future__ import annotations

import json
import shutil

import dagster as dg
import duckdb
from dagster_dbt import DbtProject
from raw_fixture import build_raw_warehouse

from dagster_project.settings import DBT_PROJECT_DIR
from dagster_project.transform.definitions import dbt_resource, defs
from dagster_project.transform.project import ensure_manifest
from dagster_project.transform.translator import TRANSLATOR
from dagster_project.warehouse import WarehouseResource


def test_asset_keys_groups_and_sources():
    resources = {"dbt": dbt_resource(), "warehouse": WarehouseResource(path="unused.duckdb")}
    graph = dg.Definitions.merge(defs, dg.Definitions(resources=resources)).resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert {
        "staging/stg_holders",
        "recoded/rec_carers",
        "marts/holder_responses",
        "reference/codebook_holders",
        "raw/file_registry",
    } <= keys
    node = graph.get(dg.AssetKey(["staging", "stg_holders"]))
    assert node.group_name == "staging"
    assert dg.AssetKey(["raw", "holders"]) in node.parent_keys
    assert TRANSLATOR.get_asset_key(
        {
            "resource_type": "source",
            "source_name": "raw",
            "name": "invalid_cells",
            "fqn": ["poet", "raw", "invalid_cells"],
        }
    ) == dg.AssetKey(["raw", "invalid_cells"])
    # The stats stage's tables are declared as a source for their documentation only.
    assert TRANSLATOR.get_asset_key(
        {
            "resource_type": "source",
            "source_name": "statistics",
            "name": "odds_ratios",
            "fqn": ["poet", "statistics", "odds_ratios"],
        }
    ) == dg.AssetKey(["marts", "odds_ratios"])
    # One op per layer, with the dbt tests as blocking checks of their models.
    ops = {a.node_def.name: a for a in defs.assets}
    assert set(ops) == {"dbt_reference_and_staging", "dbt_recoded", "dbt_marts"}
    stg_checks = [
        c
        for c in ops["dbt_reference_and_staging"].check_specs
        if c.asset_key == dg.AssetKey(["staging", "stg_holders"])
    ]
    # The warn-severity singular test (dbt_project/tests/assert_staging_rows_match_registry.sql)
    # is attached to stg_holders through its dbt meta and does not block.
    blocking = [c for c in stg_checks if c.name != "assert_staging_rows_match_registry"]
    assert blocking and all(c.blocking for c in blocking)
    assert "assert_staging_rows_match_registry" in {c.name for c in stg_checks}


def test_failed_staging_check_stops_the_later_layers(tmp_path, monkeypatch):
    warehouse = tmp_path / "warehouse.duckdb"
    build_raw_warehouse(warehouse)
    con = duckdb.connect(str(warehouse))
    # A used file whose organisation is not in organisations.csv breaks the staging
    # relationships test on stg_holders.org_code.
    con.execute("update raw.organisations set org_code = 'GONE' where org_code = 'LA02'")
    con.close()
    # A subset keeps the test short: the two staging tables and what reads them next.
    selection = [
        dg.AssetKey(["staging", "stg_organisations"]),
        dg.AssetKey(["staging", "stg_holders"]),
        dg.AssetKey(["recoded", "rec_holders"]),
        dg.AssetKey(["marts", "holder_responses"]),
    ]
    resources = {"dbt": dbt_resource(), "warehouse": WarehouseResource(path=str(warehouse))}
    result = dg.materialize(
        defs.assets, selection=selection, resources=resources, raise_on_error=False
    )
    assert not result.success
    failed_checks = [
        e.event_specific_data.check_name
        for e in result.all_events
        if e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
        and not e.event_specific_data.passed
    ]
    assert failed_checks == ["relationships_stg_holders_org_code__org_code__ref_stg_organisations_"]
    materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "staging/stg_holders" in materialised
    assert not any(key.startswith(("recoded/", "marts/")) for key in materialised)


def test_ensure_manifest_parses_a_project_without_one(tmp_path):
    project_dir = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project_dir, ignore=shutil.ignore_patterns("target", "logs"))
    project = DbtProject(project_dir=project_dir, profiles_dir=project_dir)
    manifest = ensure_manifest(project)
    assert manifest.exists()
    nodes = json.loads(manifest.read_text())["nodes"]
    assert "model.poet.holder_responses" in nodes
    stamp = manifest.stat().st_mtime
    assert ensure_manifest(project).stat().st_mtime == stamp  # fresh: not parsed again

"""A new warehouse starts from the project's partial-parse state (parse_state.py, R31)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from dagster_project.transform import inprocess, parse_state
from dagster_project.transform.project import (
    DBT_PROJECT,
    dbt_environment,
    step_environment,
    target_folder,
)

PROJECT_DIR = Path(DBT_PROJECT.project_dir)
# What a parse may read of the profile: none of these names one warehouse.
READABLE_TARGET_VALUES = {"schema", "database", "name", "type", "profile_name", "threads"}


def _parse(warehouse: Path):
    environment = step_environment(str(warehouse), "1GB", str(warehouse.parent / "spill"))
    target = target_folder(warehouse)
    with dbt_environment(**environment):
        manifest = inprocess.parsed_manifest(
            PROJECT_DIR, Path(DBT_PROJECT.profiles_dir), target, str(warehouse)
        )
    perf = json.loads((target / "perf_info.json").read_text("utf-8"))
    return manifest, perf["parsed_path_count"]


def _databases(manifest) -> set[str]:
    return {node.database for node in manifest.nodes.values() if node.resource_type == "model"}


def test_a_new_warehouse_parses_no_file_and_its_models_name_its_database(tmp_path):
    manifest, parsed = _parse(tmp_path / "a" / "warehouse.duckdb")
    assert parsed == 0  # the project's state, trusted by dbt's own checks
    assert _databases(manifest) == {"warehouse"}


def test_a_warehouse_with_another_name_is_parsed_in_full(tmp_path):
    manifest, parsed = _parse(tmp_path / "b" / "elsewhere.duckdb")
    assert parsed > 100  # the database name is in the profile hash: the seed is not trusted
    assert _databases(manifest) == {"elsewhere"}


def test_the_hash_leaves_out_only_the_warehouse_path_and_options():
    info = [
        ("path", "/x/warehouse.duckdb"), ("database", "warehouse"), ("schema", "main"),
        ("config_options", {"memory_limit": "1GB", "temp_directory": "/x/warehouse.duckdb.tmp"}),
        ("extensions", None),
    ]  # fmt: skip
    values = dict(parse_state.profile_hash_values(info))
    assert values["database"] == "warehouse" and values["schema"] == "main"
    assert values["path"] == values["config_options"] != "/x/warehouse.duckdb"
    moved = [("path", "/y/warehouse.duckdb"), *info[1:3], ("config_options", {}), info[4]]
    assert parse_state.profile_hash_values(moved) == parse_state.profile_hash_values(info)
    renamed = [*info[:1], ("database", "other"), *info[2:]]
    assert parse_state.profile_hash_values(renamed) != parse_state.profile_hash_values(info)


def test_the_project_reads_no_connection_value_that_names_a_warehouse():
    pattern = re.compile(r"\btarget(?:\.(\w+)|\[\s*['\"](\w+)['\"]\s*\])")
    read: set[str] = set()
    for path in PROJECT_DIR.rglob("*"):
        outside = path.relative_to(PROJECT_DIR).parts[0] in {"target", "dbt_packages", "logs"}
        if path.suffix in {".sql", ".yml", ".yaml"} and not outside:
            if path.name == "profiles.yml":
                continue
            for match in pattern.finditer(path.read_text("utf-8")):
                read.add(match.group(1) or match.group(2))
    assert read and read <= READABLE_TARGET_VALUES, read


def test_a_seed_is_copied_only_into_a_folder_without_state(tmp_path):
    project_target = tmp_path / "project"
    project_target.mkdir()
    (project_target / parse_state.PARTIAL_PARSE_FILE).write_bytes(b"state")
    fresh = tmp_path / "fresh"
    assert parse_state.seed(fresh, project_target)
    assert (fresh / parse_state.PARTIAL_PARSE_FILE).read_bytes() == b"state"
    (fresh / parse_state.PARTIAL_PARSE_FILE).write_bytes(b"own")
    assert not parse_state.seed(fresh, project_target)
    assert (fresh / parse_state.PARTIAL_PARSE_FILE).read_bytes() == b"own"
    assert not parse_state.seed(tmp_path / "other", tmp_path / "no_project")
    assert [p.name for p in fresh.iterdir()] == [parse_state.PARTIAL_PARSE_FILE]

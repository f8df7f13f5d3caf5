"""The dbt project of the transform stage: where it lives, its manifest and its CLI resource.

dbt runs as a subprocess and opens the warehouse itself (profiles.yml reads POET_WAREHOUSE),
so the environment must carry the absolute path from settings before dbt starts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from dagster_project.settings import DBT_PROJECT_DIR, Settings

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

# Files whose change makes a manifest stale.
_PROJECT_SOURCES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")


def dbt_executable() -> str:
    """The dbt of this virtualenv, so a run does not depend on PATH."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def export_warehouse_path() -> Path:
    """Put the absolute warehouse path in the environment dbt inherits; return it."""
    warehouse = Settings.from_env().warehouse
    os.environ["POET_WAREHOUSE"] = str(warehouse)
    return warehouse


def _newest_source_mtime(project_dir: Path) -> float:
    newest = 0.0
    for name in _PROJECT_SOURCES:
        path = project_dir / name
        paths = [path] if path.is_file() else path.rglob("*") if path.is_dir() else []
        for item in paths:
            if item.is_file():
                newest = max(newest, item.stat().st_mtime)
    return newest


def ensure_manifest(project: DbtProject = DBT_PROJECT) -> Path:
    """Run `dbt parse` when the manifest is missing or older than the project's files.

    Dagster builds the asset graph from target/manifest.json at import time, so the
    manifest has to exist before the definitions load.
    """
    manifest = Path(project.manifest_path)
    if manifest.exists() and manifest.stat().st_mtime >= _newest_source_mtime(Path(project.project_dir)):
        return manifest
    env = {**os.environ, "POET_WAREHOUSE": str(Settings.from_env().warehouse)}
    result = subprocess.run(
        [dbt_executable(), "parse", "--quiet", "--project-dir", str(project.project_dir),
         "--profiles-dir", str(project.profiles_dir)],
        env=env, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0 or not manifest.exists():
        detail = (result.stdout + result.stderr).strip() or "no output"
        raise RuntimeError(
            f"dbt parse of {project.project_dir} failed (exit {result.returncode}); "
            f"fix the dbt project and retry. dbt said: {detail}"
        )
    return manifest


def dbt_resource() -> DbtCliResource:
    """The `dbt` resource of the shared resources (dagster_project/resources.py)."""
    return DbtCliResource(
        project_dir=str(DBT_PROJECT.project_dir),
        profiles_dir=str(DBT_PROJECT.profiles_dir),
        dbt_executable=dbt_executable(),
    )
